import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { html, joinHtml, page, type SafeHtml } from '../shared/html.ts';
import { errorAnswer } from '../http/errors.ts';
import { BASIS_LABEL, SAFEGUARD_LABEL } from './portal-text.ts';
import { publicSubprocessors } from './portal-public.ts';
import { hasGpcHeader } from '../consent/sale-sharing.ts';
import { PROFILES } from '../jurisdiction/profiles.ts';
import {
  openPortalLink,
  portalAct,
  PortalActionRefused,
  portalOffers,
  portalSignOut,
  portalDownload,
  portalSession,
  portalView,
  publicOptOut,
  requestPortalLink,
  SESSION_MINUTES,
  type PortalAction,
  type PortalSession,
  type PortalVisitor,
} from './portal.ts';

const COOKIE = 'lawful_portal';
const slugParam = z.object({ slug: z.string().min(1).max(48) });
const tokenParams = slugParam.extend({ token: z.string().min(1).max(300) });
const EMAIL = z.string().trim().max(254).email();

function visitorOf(request: FastifyRequest): PortalVisitor {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id, gpc: hasGpcHeader(request.headers) };
}

const doNotSellLink = (slug: string) =>
  html`<p><a href="/privacy/${slug}/do-not-sell">Do Not Sell or Share My Personal Information</a></p>`;

function doNotSellPage(slug: string, gpc: boolean, error = ''): SafeHtml {
  return html`<h1>Do Not Sell or Share My Personal Information</h1>
<p>Enter your email address and we stop selling or sharing your personal information at once. No sign-in is needed.</p>
${gpc && html`<p role="status">Your browser sends a Global Privacy Control signal; we treat it as this request wherever we can recognise you.</p>`}
${error && html`<p class="error">${error}</p>`}
<form method="post" action="/privacy/${slug}/do-not-sell" aria-label="Do not sell or share">
<label for="email">Email address</label><input id="email" name="email" type="email" required autocomplete="email">
<button type="submit">Do not sell or share my personal information</button>
</form>`;
}

const send = (reply: FastifyReply, title: string, body: SafeHtml, code = 200) => reply.code(code).type('text/html').send(page(title, body));
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

function signInPage(slug: string, error = ''): SafeHtml {
  return html`<h1>Your data and your rights</h1>
<p>Enter your email address. We send you a link that opens everything we hold about you, and lets you download it, correct it, restrict it, object or have it erased.</p>
${error && html`<p class="error">${error}</p>`}
<form method="post" action="/privacy/${slug}/link">
<label for="email">Email address</label><input id="email" name="email" type="email" required autocomplete="email">
<button type="submit">Send me a link</button>
</form>
${doNotSellLink(slug)}`;
}

function values(field: { values: Array<{ value: unknown }> }): SafeHtml {
  return joinHtml(
    field.values.map(
      (v) => html`${Array.isArray(v.value) ? v.value.join(', ') : typeof v.value === 'object' ? JSON.stringify(v.value) : String(v.value)}`,
    ),
    html`<br>`,
  );
}

const NONE = html`<li>—</li>`;

/** The forms for the rights the person's jurisdiction gives them (shown when we hold records on them). */
function rightForms(view: Awaited<ReturnType<typeof portalView>>, base: string): SafeHtml {
  const offers = (kind: PortalAction['kind']) => portalOffers(view.jurisdiction, kind);
  // Only the laws that give the right of restriction (GDPR Art. 18) name it; CCPA and LGPD have none.
  const restriction = PROFILES[view.jurisdiction.jurisdiction].rights.find((r) => r.right === 'restriction');
  const rectify = html`
<h3>Correct your data</h3>
<form method="post" action="${base}/rectify" aria-label="Correct your data">
<label for="field">Field</label><select id="field" name="field"><option value="firstName">First name</option><option value="lastName">Last name</option><option value="jobTitle">Job title</option><option value="phone">Phone</option></select>
<label for="value">Correct value</label><input id="value" name="value" required maxlength="200">
<button type="submit">Correct</button></form>`;
  const object = html`
<h3>Stop direct marketing</h3>
<form method="post" action="${base}/object" aria-label="Object to direct marketing"><button type="submit">I object to direct marketing</button></form>`;
  const saleSharing = html`
<h3>Sale and sharing of your personal information</h3>
<form method="post" action="${base}/sale-sharing" aria-label="Sale and sharing">${
    view.saleOptedOut
      ? html`<p>You opted out: we do not sell or share your personal information.</p><input type="hidden" name="optedOut" value="no"><button type="submit">Opt back in</button>`
      : html`<input type="hidden" name="optedOut" value="yes"><button type="submit">Do not sell or share my personal information</button>`
  }</form>`;
  const limit = html`
<h3>Limit the use of my sensitive personal information</h3>
<form method="post" action="${base}/limit" aria-label="Limit sensitive information"><label for="limit-details">What should we limit (optional)</label><input id="limit-details" name="details" maxlength="1000"><button type="submit">Limit the use of my sensitive personal information</button></form>`;
  const restrict = html`
<h3>${restriction?.title}</h3>
<form method="post" action="${base}/restrict" aria-label="Restrict processing"><label for="reason">Why</label><input id="reason" name="reason" required maxlength="1000"><button type="submit">Restrict</button></form>`;
  const erase = html`
<h3>Erase my data</h3>
<form method="post" action="${base}/erase" aria-label="Erase my data"><label for="details">Anything we should know (optional)</label><input id="details" name="details" maxlength="1000"><button type="submit">Erase my data</button></form>`;
  return html`${offers('rectify') && rectify}${offers('object') && object}${offers('sale_sharing') && saleSharing}${offers('limit') && limit}${offers('restrict') && restriction && restrict}${offers('erase') && erase}`;
}

function renderPortal(session: PortalSession, view: Awaited<ReturnType<typeof portalView>>, message?: string): SafeHtml {
  const { report } = view;
  const slug = session.workspace.slug;
  const profile = PROFILES[view.jurisdiction.jurisdiction];
  // The records of the person's own requests and sign-ins are evidence that they were answered,
  // kept apart from what is held about them (and kept after an erasure).
  const isEvidence = (field: { object: string }) => field.object === 'request' || field.object === 'privacy portal link';
  const held = report.data.filter((field) => field.values.length > 0 && !isEvidence(field));
  const evidence = report.data.filter((field) => field.values.length > 0 && isEvidence(field));
  const evidenceRows = evidence.map((field) => html`<tr><td>${field.description}</td><td>${values(field)}</td></tr>`);
  const heldRows = held.map(
    (field) => html`<tr><td>${field.object}</td><td>${field.customField ?? field.description}</td><td>${values(field)}</td></tr>`,
  );
  const purposes = report.purposes.map(
    (p) =>
      html`<tr><td><strong>${p.name}</strong><br><span class="muted">${p.description}</span></td><td>${BASIS_LABEL[p.legalBasis] ?? p.legalBasis}</td><td>${p.state}</td><td>${p.retention || '—'}</td><td>${p.recipients.join(', ') || '—'}</td></tr>`,
  );
  const consentRows = view.preferences.map((item) =>
    item.control === 'consent'
      ? html`<label class="consent"><input type="checkbox" name="consent_${item.purposeId}"${item.state === 'granted' && html` checked`}> ${item.name} <span class="muted">(${item.state})</span></label>`
      : item.state === 'objected'
        ? html`<p>${item.name}: <em>you objected</em></p>`
        : html`<label class="consent"><input type="checkbox" name="object_${item.purposeId}"> I object to: ${item.name}</label>`,
  );
  const { context } = report;
  const linked = [
    ...context.accounts.map((a) => html`<li>Employer: ${a.name}</li>`),
    ...context.opportunities.map(
      (o) => html`<li>Deal: ${o.name} (${o.stage.replace('_', ' ')}${o.amount ? html`, ${text(o.amount)} ${o.currency}` : null})</li>`,
    ),
    ...context.leads.map((l) => html`<li>Enquiry: ${l.companyName ?? '—'}, ${l.status}${l.source && html`, from ${l.source}`}</li>`),
    ...context.customFields.map((f) => html`<li>${f.label}: ${text(f.value)}</li>`),
  ];
  const sources = report.provenance.map((p) => html`<li>${p.type}: ${p.source}, ${p.collectedAt.slice(0, 10)}</li>`);
  const notices = report.notices.map(
    (n) =>
      html`<li>${n.source}, obtained ${n.obtainedAt.slice(0, 10)}: ${
        n.state === 'sent'
          ? `we told you on ${n.sentAt!.slice(0, 10)}${n.sentVia === 'campaign' ? ', in our e-mail of that day' : ', by e-mail'}`
          : n.state === 'exempt'
            ? 'we recorded why we did not write to you about it (Art. 14(5))'
            : 'we have not written to you about it yet'
      }</li>`,
  );
  const accessLog = report.accessLog
    .slice(-50)
    .map((a) => html`<li>${a.at.slice(0, 16).replace('T', ' ')} ${a.action} (${a.actorType.replace('_', ' ')})</li>`);
  const requests = report.requests.map(
    (r) =>
      html`<li>${r.type}: ${r.status.replace('_', ' ')}, received ${r.receivedAt.slice(0, 10)}, due ${r.dueAt.slice(0, 10)}${
        r.recipientsInformed.length > 0 &&
        html`<br><span class="muted">Passed on to: ${joinHtml(
          r.recipientsInformed.map(
            (i) => html`${i.recipient} (${i.state === 'done' ? `done ${i.at?.slice(0, 10) ?? ''}`.trim() : 'not yet confirmed'})`,
          ),
          html`, `,
        )}</span>`
      }</li>`,
  );
  const dpo = joinHtml(
    report.controller.dpo.map((d) => html`${d.name} &lt;<a href="mailto:${d.email}">${d.email}</a>&gt;`),
    html`, `,
  );
  const base = `/privacy/${slug}/me`;
  const holdsRecords = report.subject.records.length > 0;
  return html`<h1>Your data at ${report.controller.name}</h1>
<p class="muted">Signed in as ${session.email} for ${SESSION_MINUTES} minutes. <form method="post" action="/privacy/${slug}/sign-out" style="display:inline"><button type="submit">Sign out</button></form></p>
${message && html`<p role="status"><strong>${message}</strong></p>`}
${view.restricted && html`<p class="error">Processing of your data is restricted: we only store it.</p>`}
<h2>What we hold about you</h2>
${!holdsRecords && html`<p>We hold no data about this address, apart from the records of your requests and sign-ins below.</p>`}
${held.length > 0 && html`<table aria-label="Data held"><tr><th>Object</th><th>Field</th><th>Value</th></tr>${heldRows}</table>`}
${evidence.length > 0 && html`<h3>Records of your requests</h3><p class="muted">Kept as evidence that we answered them, for three years after each request closed unless we told you otherwise; then only their type, dates and outcome remain.</p><table aria-label="Records of your requests"><tr><th>What</th><th>Value</th></tr>${evidenceRows}</table>`}
<p><a href="${base}/export.zip">Download everything (zip with JSON and CSV)</a></p>
<h2>Why we hold it</h2>
${
  purposes.length > 0
    ? html`<table aria-label="Purposes"><tr><th>Purpose</th><th>Legal basis</th><th>For you</th><th>Kept for</th><th>Shared with</th></tr>${purposes}</table>`
    : html`<p>As we hold no data about you, no purpose or legal basis applies to you.</p>`
}
${view.preferences.length > 0 && holdsRecords && html`<h2>Your consents</h2><form method="post" action="${base}/consents" aria-label="Your consents">${consentRows}<button type="submit">Save my choices</button></form>`}
${linked.length > 0 && html`<h3>What your records are linked to</h3><ul aria-label="Linked records">${linked}</ul>`}
<h2>Where it came from</h2><ul>${sources.length > 0 ? sources : NONE}</ul>
${notices.length > 0 && html`<h3>What we told you about it</h3><ul aria-label="Notices">${notices}</ul>`}
<h2>Who received it</h2><p>${report.recipients.join(', ') || 'No one outside our team.'}</p>
${report.disclosures.length > 0 && html`<ul aria-label="Disclosures">${report.disclosures.map((d) => html`<li>${d.recipient}: ${d.how}, last on ${d.at.slice(0, 10)}</li>`)}</ul>`}
<h2>Who looked at your record</h2><ul>${accessLog.length > 0 ? accessLog : NONE}</ul>
<h2>Your requests</h2><ul>${requests.length > 0 ? requests : NONE}</ul>
<h2>Your rights</h2>
<p class="muted">Under ${profile.name}: ${profile.law}.</p>
<ul aria-label="Your rights">${report.rights.map((r) => html`<li data-right="${r.right}"><strong>${r.title}</strong> (${r.article}): ${r.text}</li>`)}</ul>
${view.gpcHonoured && html`<p role="status">Your browser sent a Global Privacy Control signal: we recorded it as your opt-out of sale and sharing.</p>`}
${report.controller.dpo.length > 0 && html`<p>Data protection officer: ${dpo}</p>`}
${doNotSellLink(slug)}
${holdsRecords && rightForms(view, base)}`;
}

export function portalRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['privacy portal'];
  const session = (request: FastifyRequest, slug: string) => portalSession(app, slug, request.cookies[COOKIE]);

  r.get('/privacy/:slug', {
    config: { access: 'public' },
    schema: { tags, summary: 'Privacy portal: sign in with a link sent by email', params: slugParam },
    handler: async (request, reply) => {
      if (await session(request, request.params.slug)) return reply.redirect(`/privacy/${encodeURIComponent(request.params.slug)}/me`, 303);
      return send(reply, 'Your data', signInPage(request.params.slug));
    },
  });

  r.get('/privacy/:slug/subprocessors', {
    config: { access: 'public' },
    schema: { tags, summary: "The workspace's public list of sub-processors and its recent changes", params: slugParam },
    handler: async (request, reply) => {
      const listing = await publicSubprocessors(app, request.params.slug);
      if (!listing) return send(reply, 'Not found', html`<h1>No such workspace</h1>`, 404);
      const rows = listing.processors.map(
        (p) =>
          html`<tr><td>${p.name}</td><td>${p.service}</td><td>${p.data_categories.join(', ')}</td><td>${p.country}</td><td>${SAFEGUARD_LABEL[p.safeguard] ?? p.safeguard}${p.scc_module ? html` (module ${p.scc_module}, ${p.scc_version})` : null}</td></tr>`,
      );
      const changes = listing.changes.map(
        (c) => html`<li>${new Date(c.changed_at).toISOString().slice(0, 10)}: ${c.name} ${c.change}</li>`,
      );
      return send(
        reply,
        'Sub-processors',
        html`<h1>Sub-processors of ${listing.workspace}</h1><table aria-label="Sub-processors"><tr><th>Company</th><th>Service</th><th>Data</th><th>Country</th><th>Safeguard</th></tr>${rows}</table><h2>Changes in the last 12 months</h2><ul>${changes.length > 0 ? changes : html`<li>None.</li>`}</ul>`,
      );
    },
  });

  r.post('/privacy/:slug/link', {
    config: { access: 'public' },
    schema: { tags, summary: 'Send a single-use sign-in link (the answer never reveals whether the address is known)', params: slugParam },
    handler: async (request, reply) => {
      const parsed = EMAIL.safeParse((request.body as Record<string, unknown> | null)?.email);
      if (!parsed.success) return send(reply, 'Your data', signInPage(request.params.slug, 'Enter a valid email address.'), 400);
      await requestPortalLink(app, request.params.slug, parsed.data, visitorOf(request));
      return send(
        reply,
        'Check your inbox',
        html`<h1>Check your inbox</h1><p>We have sent a link to ${parsed.data}. It works once, for 15 minutes.</p>`,
      );
    },
  });

  r.get('/privacy/:slug/do-not-sell', {
    config: { access: 'public' },
    schema: { tags, summary: 'Do Not Sell or Share My Personal Information: the opt-out page (no sign-in needed)', params: slugParam },
    handler: async (request, reply) =>
      send(reply, 'Do Not Sell or Share', doNotSellPage(request.params.slug, hasGpcHeader(request.headers))),
  });

  r.post('/privacy/:slug/do-not-sell', {
    config: { access: 'public', forDataSubject: true },
    schema: {
      tags,
      summary: 'Opt out of sale and sharing for every record holding the address (the answer never reveals whether it is known)',
      params: slugParam,
    },
    handler: async (request, reply) => {
      const parsed = EMAIL.safeParse((request.body as Record<string, unknown> | null)?.email);
      if (!parsed.success)
        return send(
          reply,
          'Do Not Sell or Share',
          doNotSellPage(request.params.slug, hasGpcHeader(request.headers), 'Enter a valid email address.'),
          400,
        );
      await publicOptOut(app, request.params.slug, parsed.data, visitorOf(request));
      return send(
        reply,
        'Opt-out recorded',
        html`<h1>Your choice is recorded</h1><p>We do not sell or share the personal information we hold under this address.</p>`,
      );
    },
  });

  r.get('/privacy/:slug/open/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'The page behind the sign-in link (signs in on the button, not on the visit)', params: tokenParams },
    handler: async (_request, reply) =>
      send(reply, 'Your data', html`<h1>Your data</h1><form method="post"><button type="submit">Continue</button></form>`),
  });

  r.post('/privacy/:slug/open/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'Use the sign-in link (once)', params: tokenParams },
    handler: async (request, reply) => {
      const outcome = await openPortalLink(app, request.params.slug, request.params.token, visitorOf(request));
      if (!outcome.ok) {
        const pages = {
          invalid: [400, 'This link is not valid.'],
          expired: [410, 'This link has expired.'],
          used: [409, 'This link has been used already.'],
        } as const;
        const [code, heading] = pages[outcome.reason];
        return send(reply, 'Link', html`<h1>${heading}</h1><p><a href="/privacy/${request.params.slug}">Ask for a new link</a></p>`, code);
      }
      reply.setCookie(COOKIE, outcome.sessionToken, {
        path: '/privacy/',
        httpOnly: true,
        secure: app.config.secureCookies,
        sameSite: 'lax',
        maxAge: SESSION_MINUTES * 60,
      });
      return reply.redirect(`/privacy/${encodeURIComponent(request.params.slug)}/me`, 303);
    },
  });

  r.post('/privacy/:slug/sign-out', {
    config: { access: 'public' },
    schema: { tags, summary: 'End the portal session', params: slugParam },
    handler: async (request, reply) => {
      const current = await session(request, request.params.slug);
      if (current) await portalSignOut(app, current, visitorOf(request));
      reply.clearCookie(COOKIE, { path: '/privacy/' });
      return reply.redirect(`/privacy/${encodeURIComponent(request.params.slug)}`, 303);
    },
  });

  r.get('/privacy/:slug/me', {
    config: { access: 'public' },
    schema: { tags, summary: 'Everything held about the signed-in person, why, and their rights', params: slugParam },
    handler: async (request, reply) => {
      const current = await session(request, request.params.slug);
      if (!current) return reply.redirect(`/privacy/${encodeURIComponent(request.params.slug)}`, 303);
      return send(reply, 'Your data', renderPortal(current, await portalView(app, current, visitorOf(request))));
    },
  });

  r.get('/privacy/:slug/me/export.zip', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'Portability (Art. 20): report.json (schema AccessReport), data.csv and consents.csv in a zip',
      params: slugParam,
    },
    handler: async (request, reply) => {
      const current = await session(request, request.params.slug);
      if (!current) return reply.code(401).send(errorAnswer('unauthenticated', 'Sign in to the privacy portal first.'));
      const zip = await portalDownload(app, current, visitorOf(request));
      return reply.type('application/zip').header('content-disposition', 'attachment; filename="your-data.zip"').send(zip);
    },
  });

  const actions: Record<string, (body: Record<string, unknown>) => PortalAction | string> = {
    consents: (body) => {
      const pick = (prefix: string) =>
        new Set(
          Object.keys(body)
            .filter((key) => key.startsWith(prefix) && body[key] === 'on')
            .map((key) => key.slice(prefix.length)),
        );
      return { kind: 'consents', wanted: pick('consent_'), objections: pick('object_') };
    },
    rectify: (body) => {
      const field = z.enum(['firstName', 'lastName', 'jobTitle', 'phone']).safeParse(body.field);
      const value = z.string().trim().min(1).max(200).safeParse(body.value);
      return field.success && value.success
        ? { kind: 'rectify', field: field.data, value: value.data }
        : 'Choose a field and give its correct value.';
    },
    erase: (body) => ({
      kind: 'erase',
      details: typeof body.details === 'string' && body.details.trim() ? body.details.trim().slice(0, 1000) : null,
    }),
    restrict: (body) =>
      typeof body.reason === 'string' && body.reason.trim()
        ? { kind: 'restrict', reason: body.reason.trim().slice(0, 1000) }
        : 'Say why processing should be restricted.',
    object: () => ({ kind: 'object' }),
    'sale-sharing': (body) =>
      body.optedOut === 'yes' || body.optedOut === 'no'
        ? { kind: 'sale_sharing', optedOut: body.optedOut === 'yes' }
        : 'Choose whether we may sell or share your personal information.',
    limit: (body) => ({
      kind: 'limit',
      details: typeof body.details === 'string' && body.details.trim() ? body.details.trim().slice(0, 1000) : null,
    }),
  };
  for (const [name, parse] of Object.entries(actions)) {
    r.post(`/privacy/:slug/me/${name}`, {
      config: { access: 'public', forDataSubject: true },
      schema: { tags, summary: `Privacy portal: ${name}`, params: slugParam },
      handler: async (request, reply) => {
        const current = await session(request, request.params.slug);
        if (!current) return reply.redirect(`/privacy/${encodeURIComponent(request.params.slug)}`, 303);
        const action = parse((request.body ?? {}) as Record<string, unknown>);
        const visitor = visitorOf(request);
        if (typeof action === 'string')
          return send(reply, 'Your data', renderPortal(current, await portalView(app, current, visitor), action), 400);
        let message: string;
        try {
          message = await portalAct(app, current, visitor, action);
        } catch (error) {
          if (error instanceof PortalActionRefused)
            return send(reply, 'Your data', renderPortal(current, await portalView(app, current, visitor), error.message), 403);
          throw error;
        }
        return send(reply, 'Done', html`<h1>${message}</h1><p><a href="/privacy/${request.params.slug}/me">Back to your data</a></p>`);
      },
    });
  }
}
