import { z } from 'zod';
import { pageQuery } from '../http/pagination.ts';

export const CONNECTOR_KINDS = ['hubspot', 'salesforce', 'pipedrive', 'csv'] as const;

export const httpUrl = z
  .string()
  .trim()
  .max(500)
  .url('must be a URL such as https://api.hubapi.com')
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

export const credentialsInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('api_key'), token: z.string().min(8).max(2000).describe('A private-app access token or API key') }),
  z.object({
    kind: z.literal('oauth2'),
    accessToken: z.string().min(8).max(4000),
    refreshToken: z.string().min(8).max(4000),
    tokenUrl: httpUrl,
    clientId: z.string().min(1).max(500),
    clientSecret: z.string().min(1).max(2000),
  }),
]);

const everyHours = z.number().int().min(1).max(168).describe('Hours between incremental syncs (1-168; daily by default)');
const actingAs = z
  .enum(['controller', 'processor'])
  .describe("'processor': the data is processed only on the customer's behalf (Art. 28): never used for the workspace's own purposes");

export const integrationInput = z.object({
  kind: z.enum(CONNECTOR_KINDS),
  label: z.string().trim().min(1).max(100),
  baseUrl: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe("The API's root (the vendor's public API when omitted); for csv, the drop folder, relative to LAWFUL_SYNC_DROP_DIR"),
  credentials: credentialsInput.optional().describe('Required except for a CSV drop folder'),
  objects: z
    .array(z.string().min(1).max(50))
    .min(1)
    .max(10)
    .optional()
    .describe('External objects to copy; all the connector knows when omitted'),
  syncEveryHours: everyHours.default(24),
  actingAs: actingAs.default('controller'),
  sellsOrShares: z
    .boolean()
    .default(false)
    .describe(
      "The CRM is a third party that personal information is sold or shared with (CCPA): pushes are refused for people who opted out, and need consent where the person's law requires it",
    ),
  purposeId: z
    .string()
    .uuid()
    .nullable()
    .default(null)
    .describe(
      'The purpose people are pushed to this CRM for: every push of a person passes the consent gate for it (required before people can be pushed)',
    ),
});

/** The vendors a person can connect by signing in (OAuth 2.0); a CSV drop has no sign-in. */
const oauthKind = z.enum(['hubspot', 'salesforce', 'pipedrive']);

export const oauthStartInput = integrationInput.omit({ credentials: true }).extend({ kind: oauthKind });

export const oauthStartView = z.object({
  authorizeUrl: z.string().describe("The vendor's consent screen: send the browser there"),
  expiresAt: z.string(),
  scopes: z.array(z.string()),
});

export const oauthAppsView = z.object({
  redirectUri: z.string().describe('Register this redirect URI with each OAuth app'),
  items: z.array(z.object({ kind: oauthKind, configured: z.boolean(), scopes: z.array(z.string()), pkce: z.boolean() })),
});

export const oauthCallbackQuery = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(4000).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

export const integrationPatch = z.object({
  label: z.string().trim().min(1).max(100).optional(),
  credentials: credentialsInput.optional().describe('New credentials (reconnect); a connection waiting for reconnection becomes active'),
  syncEveryHours: everyHours.optional(),
  actingAs: actingAs.optional(),
  sellsOrShares: z.boolean().optional(),
  purposeId: z.string().uuid().nullable().optional().describe('The purpose people are pushed to this CRM for'),
});

const counts = z.object({
  fetched: z.number(),
  created: z.number(),
  updated: z.number(),
  unchanged: z.number(),
  deleted: z.number(),
  failed: z.number(),
});

export const runView = z.object({
  id: z.string().uuid(),
  mode: z.enum(['initial', 'incremental']),
  state: z.enum(['queued', 'running', 'succeeded', 'failed']),
  changesSince: z.string().nullable(),
  stats: z.record(z.string(), counts).describe('Per external object'),
  failures: z
    .array(
      z.object({
        object: z.string(),
        externalId: z.string(),
        reason: z.string(),
        stored: z.boolean().optional().describe('true: the record was stored without the values the reason names'),
      }),
    )
    .describe('The first 100 failures'),
  reconcile: z.boolean().nullable().describe('The run checks every link against a complete listing (null until it starts)'),
  fullResync: z.boolean(),
  failuresTotal: z.number().int().describe('Every failure of the run, counted past the first 100 listed'),
  requests: z.number(),
  rateLimited: z.number(),
  error: z.string().nullable(),
  requestedBy: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  heldDeletions: z
    .array(z.object({ object: z.string(), linked: z.number().int(), unseen: z.number().int(), reason: z.string() }))
    .describe(
      'Deletions this run did not apply because the export looked incomplete (a CSV drop whose file is missing, or lost more than LAWFUL_SYNC_MAX_SHRINK of its records): review, then sync with allowMassDeletion if they are right',
    ),
  allowMassDeletion: z.boolean(),
});

export const disconnectQuery = z.object({
  abandonOwedErasures: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe('Disconnect although erasures are still owed to this CRM (they are then listed on the certificate as not carried out)'),
});

export const syncNowInput = z
  .object({
    allowMassDeletion: z
      .boolean()
      .default(false)
      .describe('Apply deletions even if the listing lost more than LAWFUL_SYNC_MAX_SHRINK of its records (after reviewing heldDeletions)'),
    fullResync: z
      .boolean()
      .default(false)
      .describe('List everything again as the first sync did, and delete here what the other CRM no longer has'),
  })
  .default({ allowMassDeletion: false, fullResync: false });

export const purgeCertificate = z.object({
  startedAt: z.string(),
  finishedAt: z.string().nullable().describe('null while the purge is running'),
  credentialsDeleted: z.boolean().describe("Lawful CRM's copy of the credentials was deleted"),
  credentialsRevoked: z.boolean().describe('The vendor revoked the token when asked'),
  credentialsRevocation: z.string().describe('What happened at the vendor'),
  objects: z.record(
    z.string(),
    z.object({
      recordType: z.string().optional(),
      before: z.number(),
      deleted: z.number(),
      unlinked: z.number(),
      after: z.number().describe('What remains here: links, and records whose provenance still names this connection'),
    }),
  ),
  kept: z
    .array(z.object({ recordType: z.enum(['contact', 'lead']), count: z.number(), reason: z.string() }))
    .describe('Records kept with this connection as their source, and why'),
  owedErasuresAbandoned: z
    .number()
    .optional()
    .describe('Erasures owed to this CRM that were never carried out there: the disconnect was confirmed with them outstanding'),
  convertedLeads: z.number().optional().describe('Contacts converted here from leads of this connection, counted when the purge began'),
});

export const integrationView = z.object({
  id: z.string().uuid(),
  kind: z.enum(['hubspot', 'salesforce', 'pipedrive', 'csv']),
  label: z.string(),
  baseUrl: z.string(),
  credentialsKind: z.enum(['api_key', 'oauth2']).nullable(),
  objects: z.array(z.string()),
  syncEveryHours: z.number(),
  actingAs: z.enum(['controller', 'processor']),
  sellsOrShares: z.boolean(),
  purposeId: z.string().uuid().nullable().describe('The purpose people are pushed for; null: people cannot be pushed'),
  status: z.enum(['active', 'needs_reconnect', 'disconnecting', 'disconnected']),
  statusReason: z.string().nullable(),
  connectedBy: z.string().uuid(),
  syncedUntil: z.string().nullable(),
  nextSyncAt: z.string().nullable(),
  records: z.record(z.string(), z.number()).describe('Linked records per external object'),
  openReviews: z.number(),
  lastRun: runView.nullable(),
  purgeCertificate: purgeCertificate.nullable(),
  createdAt: z.string(),
  disconnectedAt: z.string().nullable(),
});

export const runListQuery = pageQuery;

export const reviewView = z.object({
  id: z.string().uuid(),
  integrationId: z.string().uuid(),
  object: z.string(),
  externalId: z.string(),
  recordType: z.enum(['account', 'contact']),
  recordId: z.string().uuid(),
  candidateIds: z.array(z.string().uuid()),
  rule: z.enum(['domain', 'name', 'fuzzy_name', 'email']),
  explanation: z.string(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.enum(['merged', 'kept_separate']).nullable(),
  mergedInto: z.string().uuid().nullable(),
});

export const reviewListQuery = pageQuery.extend({
  integrationId: z.string().uuid().optional(),
  status: z.enum(['open', 'resolved']).default('open'),
});

export const reviewResolution = z.discriminatedUnion('resolution', [
  z.object({
    resolution: z.literal('merged'),
    mergeInto: z.string().uuid().describe('One of the candidates: the external object is linked to it and the separate copy removed'),
  }),
  z.object({ resolution: z.literal('kept_separate') }),
]);

export const pushInput = z.object({
  record: z.object({ type: z.enum(['account', 'contact', 'lead', 'opportunity']), id: z.string().uuid() }),
  purposeId: z
    .string()
    .uuid()
    .optional()
    .describe("Optional: when given it must be the integration's declared purpose, which is the one the consent gate checks"),
  force: z.boolean().default(false).describe('Overwrite a record that changed in the CRM since the last sync'),
});

export const pushResult = z.object({
  integrationId: z.string().uuid(),
  object: z.string(),
  externalId: z.string(),
  action: z.enum(['created', 'updated']),
  externalUpdatedAt: z.string().nullable(),
});

export const linkListQuery = z.object({
  recordType: z.enum(['account', 'contact', 'lead', 'opportunity']),
  recordId: z.string().uuid(),
});

export const recordLinksView = z.object({
  items: z.array(
    z.object({
      integrationId: z.string().uuid(),
      integrationLabel: z.string(),
      kind: z.string(),
      object: z.string(),
      externalId: z.string(),
      origin: z.enum(['created', 'matched']).describe('created: the CRM brought the record in; matched: linked to a record we had'),
      matchRule: z
        .string()
        .nullable()
        .describe('Which rule linked it: domain, name, fuzzy_name, email, review (a person merged it), pushed'),
      filledFields: z.array(z.string()).describe('Fields of a matched record that only this CRM supplied'),
      syncedAt: z.string(),
    }),
  ),
  pushTargets: z
    .array(z.object({ id: z.string().uuid(), label: z.string(), kind: z.string() }))
    .describe('Active connections this record can be pushed to'),
});
