import { z } from 'zod';
import { marketingExceptionKey } from '../jurisdiction/schema.ts';
import { jurisdiction } from '../jurisdiction/schema.ts';

export const workspaceView = z.object({
  id: z.string().uuid(),
  slug: z.string(),
  name: z.string(),
  requireAdminTotp: z.boolean(),
  defaultJurisdiction: jurisdiction.describe(
    'Governs people whose residence points to no profile (and deadlines of requests from unknown addresses)',
  ),
  senderName: z.string().nullable().describe('The name campaign e-mails are sent under'),
  senderEmail: z.string().nullable().describe('The address campaign e-mails are sent from'),
  postalAddress: z.string().nullable().describe('The postal address every campaign e-mail carries'),
  marketingExceptions: z
    .array(marketingExceptionKey)
    .describe(
      'B2B exceptions of the jurisdiction profiles this workspace relies on (GET /api/v1/jurisdictions lists them with their legal references)',
    ),
  mailTransport: z
    .enum(['smtp', 'outbox'])
    .describe("How this installation sends e-mail: 'smtp' through LAWFUL_SMTP_URL, 'outbox' kept in files only (nothing leaves)"),
  createdAt: z.string(),
});

export const workspacePatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    requireAdminTotp: z.boolean().optional().describe('Require every Administrator to sign in with TOTP'),
    defaultJurisdiction: jurisdiction.optional(),
    senderName: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .nullable()
      .optional()
      .describe('Required before a first campaign: the organisation the e-mails are from'),
    senderEmail: z
      .string()
      .trim()
      .max(254)
      .email('must be a valid email address')
      .nullable()
      .optional()
      .describe('Required before a first campaign; your SMTP server must be allowed to send for its domain'),
    postalAddress: z
      .string()
      .trim()
      .min(5)
      .max(500)
      .nullable()
      .optional()
      .describe('Required before a first campaign: a valid postal address of the sender'),
    marketingExceptions: z
      .array(marketingExceptionKey)
      .max(10)
      .optional()
      .describe('Enable B2B exceptions to the opt-in rule (off by default); only purposes flagged aboutRecipientsProfession use them'),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one field to change');
