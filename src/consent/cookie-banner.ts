import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { withTenant, withUser } from '../db/tenant.ts';
import { hitPublicLimits } from '../http/public-limits.ts';
import type { Visitor } from './form-submit.ts';
import { currentState, recordConsentEvent, type PersonRef } from './ledger.ts';
import { verifyLink } from './links.ts';
import { GPC_SOURCE, recordSaleSharingChoice } from './sale-sharing.ts';

export const cookieBannerInput = z.object({
  text: z.string().trim().min(1).max(2000).describe('What the banner says about cookies'),
  policyUrl: z.string().url().max(2000),
});

export const cookieBannerView = cookieBannerInput.extend({
  categories: z.array(z.object({ key: z.string(), label: z.string(), purposeId: z.string().uuid() })),
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
    .select(['id', 'name', 'cookie_category'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('cookie_category', 'is not', null)
    .orderBy('cookie_category')
    .execute();
  return rows.map((row) => ({ key: row.cookie_category!, label: row.name, purposeId: row.id }));
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
      categories: await categoriesOf(tx, tenantId),
      scriptUrl: `${app.config.publicUrl}/f/cookie-banner.js?workspace=${workspace.slug}`,
    };
  });
}

export async function setCookieBanner(app: AppContext, caller: Caller, input: z.infer<typeof cookieBannerInput>) {
  await asCaller(app, caller, async (tx, audit) => {
    await tx
      .insertInto('cookie_banners')
      .values({ tenant_id: caller.auth.tenantId, text: input.text, policy_url: input.policyUrl })
      .onConflict((c) => c.column('tenant_id').doUpdateSet({ text: input.text, policy_url: input.policyUrl, updated_at: new Date() }))
      .execute();
    await audit({ action: 'cookie_banner.update', objectType: 'cookie_banner', objectId: null, fields: ['text', 'policyUrl'] });
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
      endpoint: `${app.config.publicUrl}/f/cookie-consent`,
      text: row?.text ?? DEFAULT_TEXT,
      policyUrl: row?.policy_url ?? `${app.config.publicUrl}/privacy/${slug}`,
      categories: (await categoriesOf(tx, tenantId)).map(({ key, label }) => ({ key, label })),
    };
  });
  return BANNER_SCRIPT.replace('__CONFIG__', JSON.stringify(config).replace(/</g, '\\u003c'));
}

/**
 * A choice made in the banner. For a known visitor (the token a form submission set) each
 * category becomes a consent event: given when accepted, withdrawn when rejected after having
 * been given. Unknown visitors' choices stay in their browser only. A Global Privacy Control
 * signal (header or script) rejects every category and, for a known visitor, is recorded as
 * their opt-out of sale and sharing.
 */
export async function recordCookieChoice(app: AppContext, input: z.infer<typeof cookieChoiceInput>, visitorToken: string | undefined, visitor: Visitor): Promise<{ recorded: number }> {
  await hitPublicLimits(app.db, [{ key: `cookies:${visitor.ip}`, max: 60, windowSeconds: 600 }]);
  const tenantId = await workspaceIdBySlug(app, input.workspace);
  const categories = Object.keys(input.choices);
  if (!tenantId || !visitorToken || categories.length === 0) return { recorded: 0 };
  const check = verifyLink(app.keys, 'visitor', visitorToken, 3);
  if (!check.ok || check.values[0] !== tenantId) return { recorded: 0 };
  const person: PersonRef = { type: check.values[1] as PersonRef['type'], id: check.values[2]! };
  const gpc = Boolean(visitor.gpc || input.globalPrivacyControl);
  return withTenant(app.db, tenantId, async (tx) => {
    const table = person.type === 'contact' ? 'contacts' : 'leads';
    const exists = await tx.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', '=', person.id).executeTakeFirst();
    if (!exists) return { recorded: 0 };
    const banner = await tx.selectFrom('cookie_banners').select('text').where('tenant_id', '=', tenantId).executeTakeFirst();
    const purposes = await tx.selectFrom('purposes').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'active').where('cookie_category', 'in', categories).execute();
    let recorded = 0;
    if (gpc && (await recordSaleSharingChoice(app, tx, tenantId, { person, optedOut: true, method: 'cookie_banner', source: GPC_SOURCE, ip: visitor.ip, userAgent: visitor.userAgent, actor: { type: 'data_subject', id: person.id } }))) recorded += 1;
    for (const purpose of purposes) {
      const accepted = !gpc && input.choices[purpose.cookie_category!];
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
      await recordAudit(tx, tenantId, { actorType: 'data_subject', actorId: person.id, ip: visitor.ip, userAgent: visitor.userAgent, requestId: visitor.requestId }, { action: 'consent.cookie_choice', objectType: person.type, objectId: person.id, fields: [...categories.map((key) => `cookies:${key}`), ...(gpc ? ['gpc'] : [])] });
    }
    return { recorded };
  });
}

/** The banner: no cookie is set before a choice, nothing is pre-ticked, rejecting is one click. */
const BANNER_SCRIPT = `(function () {
  var config = __CONFIG__;
  var storageKey = 'lawful_cookie_choices:' + config.workspace;
  function send(choices) {
    try { localStorage.setItem(storageKey, JSON.stringify(choices)); } catch (e) {}
    window.dispatchEvent(new CustomEvent('lawful:cookie-consent', { detail: choices }));
    var body = { workspace: config.workspace, choices: choices };
    if (window.lawfulVisitor) body.visitor = window.lawfulVisitor;
    if (navigator.globalPrivacyControl === true) body.globalPrivacyControl = true;
    fetch(config.endpoint, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(function () {});
  }
  function show() {
    var bar = document.createElement('div');
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-label', 'Cookie choices');
    bar.style.cssText = 'position:fixed;left:0;right:0;bottom:0;background:#fff;border-top:1px solid #ccd;padding:1rem;font:14px system-ui,sans-serif;z-index:2147483647';
    var text = document.createElement('p');
    text.textContent = config.text + ' ';
    var link = document.createElement('a');
    link.href = config.policyUrl; link.textContent = 'Privacy policy';
    text.appendChild(link);
    bar.appendChild(text);
    var boxes = {};
    config.categories.forEach(function (category) {
      var label = document.createElement('label');
      label.style.marginRight = '1rem';
      var box = document.createElement('input');
      box.type = 'checkbox'; box.name = category.key;
      boxes[category.key] = box;
      label.appendChild(box);
      label.appendChild(document.createTextNode(' ' + category.label));
      bar.appendChild(label);
    });
    function choose(all) {
      var choices = {};
      config.categories.forEach(function (category) { choices[category.key] = all === undefined ? boxes[category.key].checked : all; });
      send(choices);
      bar.remove();
    }
    [['Reject all', false], ['Save choices', undefined], ['Accept all', true]].forEach(function (b) {
      var button = document.createElement('button');
      button.textContent = b[0];
      button.style.marginRight = '.5rem';
      button.addEventListener('click', function () { choose(b[1]); });
      bar.appendChild(button);
    });
    document.body.appendChild(bar);
  }
  window.lawfulCookieChoices = function () { try { return JSON.parse(localStorage.getItem(storageKey) || 'null'); } catch (e) { return null; } };
  window.lawfulShowCookieBanner = show;
  // A Global Privacy Control signal is the visitor's answer already: every category rejected, no banner.
  function honourGpc() {
    var choices = {};
    config.categories.forEach(function (category) { choices[category.key] = false; });
    send(choices);
  }
  if (!window.lawfulCookieChoices()) {
    if (navigator.globalPrivacyControl === true) honourGpc();
    else if (document.body) show(); else document.addEventListener('DOMContentLoaded', show);
  }
})();
`;
