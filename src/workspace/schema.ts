import { z } from 'zod';
import { jurisdiction } from '../jurisdiction/schema.ts';

export const workspaceView = z.object({
  id: z.string().uuid(),
  slug: z.string(),
  name: z.string(),
  requireAdminTotp: z.boolean(),
  defaultJurisdiction: jurisdiction.describe('Governs people whose residence points to no profile (and deadlines of requests from unknown addresses)'),
  createdAt: z.string(),
});

export const workspacePatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    requireAdminTotp: z.boolean().optional().describe('Require every Administrator to sign in with TOTP'),
    defaultJurisdiction: jurisdiction.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change');
