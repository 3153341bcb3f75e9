import { z } from 'zod';
import { JURISDICTIONS, MARKETING_EXCEPTIONS } from './profiles.ts';

export const jurisdiction = z
  .enum(JURISDICTIONS)
  .describe('Jurisdiction profile: gdpr (EU/EEA), uk_gdpr, ccpa (California), lgpd (Brazil)');

/** ISO 3166-2 subdivision code without the country part: CA for US-CA, SP for BR-SP. */
export const region = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{1,3}$/, 'must be an ISO 3166-2 subdivision code without the country, e.g. CA for California');

export const marketingExceptionKey = z.enum(MARKETING_EXCEPTIONS);

export const marketingRuleView = z
  .object({
    regime: z.enum(['opt_in', 'opt_out']),
    reference: z.string(),
    softOptIn: z
      .string()
      .nullable()
      .describe('The existing-customer (soft opt-in) rule of this law, with its reference; null where it has none'),
    exceptions: z
      .array(
        z.object({
          key: marketingExceptionKey,
          title: z.string(),
          countries: z.array(z.string()),
          text: z.string(),
          reference: z.string(),
        }),
      )
      .describe('B2B exceptions a workspace may enable (PATCH /api/v1/workspace {marketingExceptions})'),
  })
  .describe('Electronic direct marketing: what a campaign e-mail to a person under this law needs');

const period = z.union([z.object({ months: z.number() }), z.object({ days: z.number() }), z.object({ businessDays: z.number() })]);

export const profileView = z.object({
  key: jurisdiction,
  name: z.string(),
  law: z.string(),
  authority: z.string(),
  rights: z.array(z.object({ right: z.string(), title: z.string(), text: z.string(), reference: z.string() })),
  deadline: z.object({
    response: period,
    extension: period.nullable(),
    reference: z.string(),
    extensionReference: z.string().nullable(),
    byType: z.record(z.string(), z.object({ response: period, reference: z.string() })).optional(),
  }),
  verification: z.object({ text: z.string(), reference: z.string() }),
  marketing: marketingRuleView,
  saleSharing: z.object({ regime: z.enum(['consent', 'opt_out']), reference: z.string() }),
  breach: z.object({
    authority: z.string(),
    within: z.union([z.object({ hours: z.number() }), z.object({ businessDays: z.number() })]).nullable(),
    text: z.string(),
    reference: z.string(),
  }),
});

export const resolvedJurisdictionView = z.object({
  jurisdiction,
  source: z
    .enum(['override', 'residence', 'workspace_default'])
    .describe('Set by staff, derived from country and region, or the workspace default'),
});
