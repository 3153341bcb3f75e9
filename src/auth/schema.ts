import { z } from 'zod';
import { PASSWORD_MAX } from './passwords.ts';
import { ROLES } from './roles.ts';

export const email = z
  .string()
  .trim()
  .max(254)
  .email('must be a valid email address')
  .transform((value) => value.toLowerCase());
export const password = z.string().min(1, 'is required').max(PASSWORD_MAX);
export const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'must be 1-48 lowercase letters, digits or dashes, not starting or ending with a dash');
export const totpCode = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app');
export const role = z.enum(ROLES);
export const personName = z.string().trim().min(1).max(200);

export const signupBody = z.object({
  workspaceName: z.string().trim().min(1).max(200),
  workspaceSlug: slug,
  name: personName,
  email,
  password,
});

export const signupAccepted = z.object({ status: z.literal('confirmation_sent'), message: z.string() });
export const signupConfirmBody = z.object({ token: z.string().min(1).max(2000) });

export const recoveryCode = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z2-7]{4}([ -]?[A-Za-z2-7]{4}){3}$/,
    'must be one of your recovery codes (16 letters and digits, e.g. ABCD-EFGH-IJKL-MNOP)',
  );
export const loginBody = z.object({
  email,
  password,
  totp: totpCode.optional(),
  recoveryCode: recoveryCode.optional().describe('In place of totp, when the authenticator app is lost; each code works once'),
  workspace: slug.optional().describe('Slug of the workspace to open; defaults to the most recently joined'),
});

export const switchWorkspaceBody = z.object({ workspace: slug });
export const changePasswordBody = z.object({
  currentPassword: password,
  newPassword: password,
  totp: totpCode.optional().describe('Needed only when this session did not prove the second factor'),
});
export const recoveryCodes = z.object({
  codes: z.array(z.string()).describe('Shown once: each signs in once in place of a code from the app'),
});
export const recoveryCodesLeft = z.object({ remaining: z.number().int() });
export const totpEnableBody = z.object({ code: totpCode });
export const totpDisableBody = z.object({ password, code: totpCode });

export const workspaceSummary = z.object({ id: z.string().uuid(), slug: z.string(), name: z.string() });

export const sessionInfo = z.object({
  user: z.object({ id: z.string().uuid(), email: z.string(), name: z.string(), totpEnabled: z.boolean() }),
  workspace: workspaceSummary,
  member: z.object({ id: z.string().uuid(), role, isDpo: z.boolean() }),
  workspaces: z.array(workspaceSummary),
  csrfToken: z.string(),
  mfaEnrollmentRequired: z.boolean(),
  permissions: z.array(z.string()),
});
export type SessionInfo = z.infer<typeof sessionInfo>;

export const sessionListItem = z.object({
  id: z.string().uuid(),
  current: z.boolean(),
  workspaceId: z.string().uuid(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
});

export const totpSetup = z.object({ secret: z.string(), otpauthUrl: z.string() });
