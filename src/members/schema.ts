import { z } from 'zod';
import { email, password, personName, role } from '../auth/schema.ts';

export const memberView = z.object({
  id: z.string().uuid(),
  userId: z.string().uuid(),
  name: z.string(),
  email: z.string(),
  role,
  isDpo: z.boolean(),
  team: z.string().nullable(),
  status: z.enum(['active', 'deactivated']),
  totpEnabled: z.boolean(),
  createdAt: z.string(),
});
export type MemberView = z.infer<typeof memberView>;

export const memberListQuery = z.object({
  status: z.enum(['active', 'deactivated']).optional(),
  role: role.optional(),
});

export const memberPatch = z
  .object({
    role: role.optional(),
    isDpo: z.boolean().optional(),
    team: z.string().trim().min(1).max(100).nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change');

export const invitationCreate = z.object({
  email,
  role,
  isDpo: z.boolean().default(false),
});

export const invitationView = z.object({
  id: z.string().uuid(),
  email: z.string(),
  role,
  isDpo: z.boolean(),
  invitedBy: z.string().uuid(),
  createdAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
});

export const invitationAccept = z.object({
  token: z.string().min(1).max(300),
  name: personName.optional().describe('Required when the invited email has no account yet'),
  password,
});

export const invitationJoin = z.object({ token: z.string().min(1).max(300) });
