import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { withTenant, withUser } from '../db/tenant.ts';
import { hitPublicLimits } from '../http/public-limits.ts';
import type { Visitor } from './submit.ts';
import { currentState, recordConsentEvent } from '../consent/ledger.ts';
import type { PersonRef } from '../crm/people.ts';
import { verifyLink } from '../consent/links.ts';
import { GPC_SOURCE, recordSaleSharingChoice } from '../consent/sale-sharing.ts';
import { BANNER_SCRIPT } from './cookie-banner-script.ts';
import { webOrigin, webUrl } from '../shared/fields.ts';

export const cookieBannerInput = z.object({
  text: z.string().trim().min(1).max(2000).describe('What the banner says about cookies'),
  policyUrl: webUrl,
  allowedOrigins: z
    .array(webOrigin)
    .max(20)
    .default([])
    .describe("Your sites' origins (https://www.example.org): only their pages may send banner choices with the visitor's cookie"),
});

export const cookieBannerView = z.object({
  text: z.string(),
  policyUrl: z.string(),
  allowedOrigins: z.array(z.string()),
  categories: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      purposeId: z.string().uuid(),
      sellsOrShares: z.boolean().describe('Refused under Global Privacy Control'),
    }),
  ),
  scriptUrl: z.string(),
});

export const cookieChoiceInput = z.object({
  workspace: z.string().min(1).max(48),
  choices: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/), z.boolean()).describe('Accepted (true) or rejected (false) per category'),
  visitor: z.string().max(1000).optional().describe('The visitor token a form submission returned, when not sent as a cookie'),
  globalPrivacyControl: z.boolean().optional().describe('navigator.globalPrivacyControl, as the banner script reads it'),
});

const DEFAULT_TEXT = 'We use cookies that are strictly necessary for this site. With your consent we also use the categories below.';

async function categoriesOf(tx: Parameters<Parameters<typeof withTenant>[2]>[0], tenantId: string) {
  const rows = await tx
    .selectFrom('purposes')
    .select(['id', 'name', 'cookie_category', 'sells_or_shares'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('cookie_category', 'is not', null)
    .orderBy('cookie_category')
    .execute();
  return rows.map((row) => ({ key: row.cookie_category!, label: row.name, purposeId: row.id, sellsOrShares: row.sells_or_shares }));
}

export async function workspaceIdBySlug(app: AppContext, slug: string): Promise<string | null> {
  const { rows } = await withUser(app.db, null, (tx) => sql<{ id: string | null }>`select workspace_id_by_slug(${slug}) as id`.execute(tx));
  return rows[0]?.id ?? null;
}

export function getCookieBanner(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx) => {
    const tenantId = caller.auth.tenantId;
    const row = await tx.selectFrom('cookie_banners').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    const workspace = await tx.selectFrom('tenants').select('slug').where('id', '=', tenantId).executeTakeFirstOrThrow();
    return {
      text: row?.text ?? DEFAULT_TEXT,
      policyUrl: row?.policy_url ?? `${app.config.publicUrl}/privacy/${workspace.slug}`,
      allowedOrigins: row?.allowed_origins ?? [],
      categories: await categoriesOf(tx, tenantId),
      scriptUrl: `${app.config.publicUrl}/f/cookie-banner.js?workspace=${workspace.slug}`,
    };
  });
}

export async function setCookieBanner(app: AppContext, caller: Caller, input: z.infer<typeof cookieBannerInput>) {
  await asCaller(app, caller, async (tx, audit) => {
    await tx
      .insertInto('cookie_banners')
      .values({ tenant_id: caller.auth.tenantId, text: input.text, policy_url: input.policyUrl, allowed_origins: input.allowedOrigins })
      .onConflict((c) =>
        c
          .column('tenant_id')
          .doUpdateSet({ text: input.text, policy_url: input.policyUrl, allowed_origins: input.allowedOrigins, updated_at: new Date() }),
      )
      .execute();
    await audit({
      action: 'cookie_banner.update',
      objectType: 'cookie_banner',
      objectId: null,
      fields: ['text', 'policyUrl', 'allowedOrigins'],
    });
  });
  return getCookieBanner(app, caller);
}

/** The banner script of a workspace, with its wording and categories baked in. */
export async function cookieBannerScript(app: AppContext, slug: string): Promise<string | null> {
  const tenantId = await workspaceIdBySlug(app, slug);
  if (!tenantId) return null;
  const config = await withTenant(app.db, tenantId, async (tx) => {
    const row = await tx.selectFrom('cookie_banners').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
    return {
      workspace: slug,
      // The slug in the URL lets the CORS preflight, which carries no body, be answered per workspace.
      endpoint: `${app.config.publicUrl}/f/cookie-consent?workspace=${encodeURIComponent(slug)}`,
      text: row?.text ?? DEFAULT_TEXT,
      policyUrl: row?.policy_url && /^https?:\/\//i.test(row.policy_url) ? row.policy_url : `${app.config.publicUrl}/privacy/${slug}`,
      categories: (await categoriesOf(tx, tenantId)).map(({ key, label, sellsOrShares }) => ({ key, label, sellsOrShares })),
    };
  });
  return BANNER_SCRIPT.replace('__CONFIG__', JSON.stringify(config).replace(/</g, '\\u003c'));
}

/**
 * Whether a page of this origin may send choices with the visitor's cookie: the installation's
 * own pages, and the sites the workspace listed. A request without Origin is not a cross-site
 * browser request (browsers always send it on a cross-origin POST).
 */
export async function originAllowed(app: AppContext, slug: string, origin: string | undefined): Promise<boolean> {
  if (origin === undefined || origin === new URL(app.config.publicUrl).origin) return true;
  const tenantId = await workspaceIdBySlug(app, slug);
  if (!tenantId) return false;
  return withTenant(app.db, tenantId, async (tx) => {
    const row = await tx.selectFrom('cookie_banners').select('allowed_origins').where('tenant_id', '=', tenantId).executeTakeFirst();
    return (row?.allowed_origins ?? []).includes(origin);
  });
}

/**
 * A choice made in the banner. For a known visitor (the token a form submission set) each
 * category becomes a consent event: given when accepted, withdrawn when rejected after having
 * been given. Unknown visitors' choices stay in their browser only. A Global Privacy Control
 * signal (header or script) rejects the categories whose purpose sells or shares, whatever was
 * clicked, and for a known visitor is recorded as their opt-out of sale and sharing.
 */
export async function recordCookieChoice(
  app: AppContext,
  input: z.infer<typeof cookieChoiceInput>,
  visitorToken: string | undefined,
  visitor: Visitor,
): Promise<{ recorded: number }> {
  await hitPublicLimits(app.db, [{ key: `cookies:${visitor.ip}`, max: 60, windowSeconds: 600 }]);
  const tenantId = await workspaceIdBySlug(app, input.workspace);
  const categories = Object.keys(input.choices);
  const gpc = Boolean(visitor.gpc || input.globalPrivacyControl);
  if (!tenantId || !visitorToken || (categories.length === 0 && !gpc)) return { recorded: 0 };
  const check = verifyLink(app.keys, 'visitor', visitorToken, 3);
  if (!check.ok || check.values[0] !== tenantId) return { recorded: 0 };
  const person: PersonRef = { type: check.values[1] as PersonRef['type'], id: check.values[2]! };
  return withTenant(app.db, tenantId, async (tx) => {
    const table = person.type === 'contact' ? 'contacts' : 'leads';
    const exists = await tx.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', '=', person.id).executeTakeFirst();
    if (!exists) return { recorded: 0 };
    const banner = await tx.selectFrom('cookie_banners').select('text').where('tenant_id', '=', tenantId).executeTakeFirst();
    const purposes =
      categories.length === 0
        ? []
        : await tx
            .selectFrom('purposes')
            .selectAll()
            .where('tenant_id', '=', tenantId)
            .where('status', '=', 'active')
            .where('cookie_category', 'in', categories)
            .execute();
    let recorded = 0;
    if (
      gpc &&
      (await recordSaleSharingChoice(app, tx, tenantId, {
        person,
        optedOut: true,
        method: 'cookie_banner',
        source: GPC_SOURCE,
        ip: visitor.ip,
        userAgent: visitor.userAgent,
        actor: { type: 'data_subject', id: person.id },
      }))
    )
      recorded += 1;
    for (const purpose of purposes) {
      const accepted = input.choices[purpose.cookie_category!] && !(gpc && purpose.sells_or_shares);
      const { state } = await currentState(tx, tenantId, person.id, purpose.id);
      const kind = accepted ? (state === 'granted' ? null : 'given') : state === 'granted' || state === 'pending' ? 'withdrawn' : null;
      if (!kind) continue;
      await recordConsentEvent(app, tx, tenantId, {
        person,
        purpose,
        kind,
        method: 'cookie_banner',
        source: `cookie banner: ${purpose.cookie_category}`,
        ip: visitor.ip,
        userAgent: visitor.userAgent,
        text: kind === 'given' ? `${banner?.text ?? DEFAULT_TEXT} [${purpose.name}]` : null,
        actor: { type: 'data_subject', id: person.id },
      });
      recorded += 1;
    }
    if (recorded > 0) {
      await recordAudit(
        tx,
        tenantId,
        { actorType: 'data_subject', actorId: person.id, ip: visitor.ip, userAgent: visitor.userAgent, requestId: visitor.requestId },
        {
          action: 'consent.cookie_choice',
          objectType: person.type,
          objectId: person.id,
          fields: [...categories.map((key) => `cookies:${key}`), ...(gpc ? ['gpc'] : [])],
        },
      );
    }
    return { recorded };
  });
}
