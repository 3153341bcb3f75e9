import { z } from 'zod';

export const workspaceView = z.object({
  id: z.string().uuid(),
  slug: z.string(),
  name: z.string(),
  requireAdminTotp: z.boolean(),
  createdAt: z.string(),
});

export const workspacePatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    requireAdminTotp: z.boolean().optional().describe('Require every Administrator to sign in with TOTP'),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change');
