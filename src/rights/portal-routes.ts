import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { escapeHtml, page } from '../shared/html.ts';
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

const doNotSellLink = (slug: string) => `<p><a href="/privacy/${e(slug)}/do-not-sell">Do Not Sell or Share My Personal Information</a></p>`;

function doNotSellPage(slug: string, gpc: boolean, error = ''): string {
  return `<h1>Do Not Sell or Share My Personal Information</h1>
<p>Enter your email address and we stop selling or sharing your personal information at once. No sign-in is needed.</p>
${gpc ? '<p role="status">Your browser sends a Global Privacy Control signal; we treat it as this request wherever we can recognise you.</p>' : ''}
${error ? `<p class="error">${e(error)}</p>` : ''}
<form method="post" action="/privacy/${e(slug)}/do-not-sell" aria-label="Do not sell or share">
<label for="email">Email address</label><input id="email" name="email" type="email" required autocomplete="email">
<button type="submit">Do not sell or share my personal information</button>
</form>`;
}

const html = (reply: FastifyReply, title: string, body: string, code = 200) => reply.code(code).type('text/html').send(page(title, body));
const e = (value: unknown) => escapeHtml(typeof value === 'string' ? value : JSON.stringify(value));

function signInPage(slug: string, error = ''): string {
  return `<h1>Your data and your rights</h1>
<p>Enter your email address. We send you a link that opens everything we hold about you, and lets you download it, correct it, restrict it, object or have it erased.</p>
${error ? `<p class="error">${e(error)}</p>` : ''}
<form method="post" action="/privacy/${e(slug)}/link">
<label for="email">Email address</label><input id="email" name="email" type="email" required autocomplete="email">
<button type="submit">Send me a link</button>
</form>
${doNotSellLink(slug)}`;
}

function values(field: { values: Array<{ value: unknown }> }): string {
  return field.values
    .map((v) => (Array.isArray(v.value) ? v.value.join(', ') : typeof v.value === 'object' ? JSON.stringify(v.value) : String(v.value)))
    .map(e)
    .join('<br>');
}

function renderPortal(session: PortalSession, view: Awaited<ReturnType<typeof portalView>>, message?: string): string {
  const { report } = view;
  const slug = session.workspace.slug;
  const offers = (kind: PortalAction['kind']) => portalOffers(view.jurisdiction, kind);
  const profile = PROFILES[view.jurisdiction.jurisdiction];
  // The records of the person's own requests and sign-ins are evidence that they were answered,
  // kept apart from what is held about them (and kept after an erasure).
  const isEvidence = (field: { object: string }) => field.object === 'request' || field.object === 'privacy portal link';
  const held = report.data.filter((field) => field.values.length > 0 && !isEvidence(field));
  const evidence = report.data.filter((field) => field.values.length > 0 && isEvidence(field));
  const evidenceRows = evidence.map((field) => `<tr><td>${e(field.description)}</td><td>${values(field)}</td></tr>`).join('');
  const heldRows = held
    .map((field) => `<tr><td>${e(field.object)}</td><td>${e(field.customField ?? field.description)}</td><td>${values(field)}</td></tr>`)
    .join('');
  const purposes = report.purposes
    .map(
      (p) =>
        `<tr><td><strong>${e(p.name)}</strong><br><span class="muted">${e(p.description)}</span></td><td>${e(BASIS_LABEL[p.legalBasis] ?? p.legalBasis)}</td><td>${e(p.state)}</td><td>${e(p.retention || '—')}</td><td>${e(p.recipients.join(', ') || '—')}</td></tr>`,
    )
    .join('');
  const consentRows = view.preferences
    .map((item) =>
      item.control === 'consent'
        ? `<label class="consent"><input type="checkbox" name="consent_${e(item.purposeId)}"${item.state === 'granted' ? ' checked' : ''}> ${e(item.name)} <span class="muted">(${e(item.state)})</span></label>`
        : item.state === 'objected'
          ? `<p>${e(item.name)}: <em>you objected</em></p>`
          : `<label class="consent"><input type="checkbox" name="object_${e(item.purposeId)}"> I object to: ${e(item.name)}</label>`,
    )
    .join('');
  const { context } = report;
  const linked = [
    ...context.accounts.map((a) => `<li>Employer: ${e(a.name)}</li>`),
    ...context.opportunities.map(
      (o) => `<li>Deal: ${e(o.name)} (${e(o.stage.replace('_', ' '))}${o.amount ? `, ${e(o.amount)} ${e(o.currency)}` : ''})</li>`,
    ),
    ...context.leads.map((l) => `<li>Enquiry: ${e(l.companyName ?? '—')}, ${e(l.status)}${l.source ? `, from ${e(l.source)}` : ''}</li>`),
    ...context.customFields.map((f) => `<li>${e(f.label)}: ${e(typeof f.value === 'string' ? f.value : JSON.stringify(f.value))}</li>`),
  ].join('');
  const sources = report.provenance
    .map((p) => `<li>${e(p.type)}: ${e(p.sourceType)}${p.sourceRef ? ` (${e(p.sourceRef)})` : ''}, ${e(p.collectedAt.slice(0, 10))}</li>`)
    .join('');
  const accessLog = report.accessLog
    .slice(-50)
    .map((a) => `<li>${e(a.at.slice(0, 16).replace('T', ' '))} ${e(a.action)} (${e(a.actorType.replace('_', ' '))})</li>`)
    .join('');
  const requests = report.requests
    .map(
      (r) =>
        `<li>${e(r.type)}: ${e(r.status.replace('_', ' '))}, received ${e(r.receivedAt.slice(0, 10))}, due ${e(r.dueAt.slice(0, 10))}</li>`,
    )
    .join('');
  const dpo = report.controller.dpo.map((d) => `${e(d.name)} &lt;<a href="mailto:${e(d.email)}">${e(d.email)}</a>&gt;`).join(', ');
  const base = `/privacy/${e(slug)}/me`;
  return `<h1>Your data at ${e(report.controller.name)}</h1>
<p class="muted">Signed in as ${e(session.email)} for ${SESSION_MINUTES} minutes. <form method="post" action="/privacy/${e(slug)}/sign-out" style="display:inline"><button type="submit">Sign out</button></form></p>
${message ? `<p role="status"><strong>${e(message)}</strong></p>` : ''}
${view.restricted ? '<p class="error">Processing of your data is restricted: we only store it.</p>' : ''}
<h2>What we hold about you</h2>
${report.subject.records.length === 0 ? '<p>We hold no data about this address, apart from the records of your requests and sign-ins below.</p>' : ''}
${held.length ? `<table aria-label="Data held"><tr><th>Object</th><th>Field</th><th>Value</th></tr>${heldRows}</table>` : ''}
${evidence.length ? `<h3>Records of your requests</h3><p class="muted">Kept as evidence that we answered them, for three years after each request closed unless we told you otherwise; then only their type, dates and outcome remain.</p><table aria-label="Records of your requests"><tr><th>What</th><th>Value</th></tr>${evidenceRows}</table>` : ''}
<p><a href="${base}/export.zip">Download everything (zip with JSON and CSV)</a></p>
<h2>Why we hold it</h2>
${purposes ? `<table aria-label="Purposes"><tr><th>Purpose</th><th>Legal basis</th><th>For you</th><th>Kept for</th><th>Shared with</th></tr>${purposes}</table>` : '<p>As we hold no data about you, no purpose or legal basis applies to you.</p>'}
${view.preferences.length && report.subject.records.length ? `<h2>Your consents</h2><form method="post" action="${base}/consents" aria-label="Your consents">${consentRows}<button type="submit">Save my choices</button></form>` : ''}
${linked ? `<h3>What your records are linked to</h3><ul aria-label="Linked records">${linked}</ul>` : ''}
<h2>Where it came from</h2><ul>${sources || '<li>—</li>'}</ul>
<h2>Who received it</h2><p>${e(report.recipients.join(', ') || 'No one outside our team.')}</p>
${report.disclosures.length ? `<ul aria-label="Disclosures">${report.disclosures.map((d) => `<li>${e(d.recipient)}: ${e(d.how)}, last on ${e(d.at.slice(0, 10))}</li>`).join('')}</ul>` : ''}
<h2>Who looked at your record</h2><ul>${accessLog || '<li>—</li>'}</ul>
<h2>Your requests</h2><ul>${requests || '<li>—</li>'}</ul>
<h2>Your rights</h2>
<p class="muted">Under ${e(profile.name)}: ${e(profile.law)}.</p>
<ul aria-label="Your rights">${report.rights.map((r) => `<li data-right="${e(r.right)}"><strong>${e(r.title)}</strong> (${e(r.article)}): ${e(r.text)}</li>`).join('')}</ul>
${view.gpcHonoured ? '<p role="status">Your browser sent a Global Privacy Control signal: we recorded it as your opt-out of sale and sharing.</p>' : ''}
${dpo ? `<p>Data protection officer: ${dpo}</p>` : ''}
${doNotSellLink(slug)}
${
  report.subject.records.length
    ? `${
        offers('rectify')
          ? `
<h3>Correct your data</h3>
<form method="post" action="${base}/rectify" aria-label="Correct your data">
<label for="field">Field</label><select id="field" name="field"><option value="firstName">First name</option><option value="lastName">Last name</option><option value="jobTitle">Job title</option><option value="phone">Phone</option></select>
<label for="value">Correct value</label><input id="value" name="value" required maxlength="200">
<button type="submit">Correct</button></form>`
          : ''
      }${
        offers('object')
          ? `
<h3>Stop direct marketing</h3>
<form method="post" action="${base}/object" aria-label="Object to direct marketing"><button type="submit">I object to direct marketing</button></form>`
          : ''
      }${
        offers('sale_sharing')
          ? `
<h3>Sale and sharing of your personal information</h3>
<form method="post" action="${base}/sale-sharing" aria-label="Sale and sharing">${
              view.saleOptedOut
                ? '<p>You opted out: we do not sell or share your personal information.</p><input type="hidden" name="optedOut" value="no"><button type="submit">Opt back in</button>'
                : '<input type="hidden" name="optedOut" value="yes"><button type="submit">Do not sell or share my personal information</button>'
            }</form>`
          : ''
      }${
        offers('limit')
          ? `
<h3>Limit the use of my sensitive personal information</h3>
<form method="post" action="${base}/limit" aria-label="Limit sensitive information"><label for="limit-details">What should we limit (optional)</label><input id="limit-details" name="details" maxlength="1000"><button type="submit">Limit the use of my sensitive personal information</button></form>`
          : ''
      }${
        offers('restrict')
          ? `
<h3>${e(profile.rights.find((r) => r.right === 'restriction')!.title)}</h3>
<form method="post" action="${base}/restrict" aria-label="Restrict processing"><label for="reason">Why</label><input id="reason" name="reason" required maxlength="1000"><button type="submit">Restrict</button></form>`
          : ''
      }${
        offers('erase')
          ? `
<h3>Erase my data</h3>
<form method="post" action="${base}/erase" aria-label="Erase my data"><label for="details">Anything we should know (optional)</label><input id="details" name="details" maxlength="1000"><button type="submit">Erase my data</button></form>`
          : ''
      }`
    : ''
}`;
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
      return html(reply, 'Your data', signInPage(request.params.slug));
    },
  });

  r.get('/privacy/:slug/subprocessors', {
    config: { access: 'public' },
    schema: { tags, summary: "The workspace's public list of sub-processors and its recent changes", params: slugParam },
    handler: async (request, reply) => {
      const listing = await publicSubprocessors(app, request.params.slug);
      if (!listing) return html(reply, 'Not found', '<h1>No such workspace</h1>', 404);
      const rows = listing.processors
        .map(
          (p) =>
            `<tr><td>${e(p.name)}</td><td>${e(p.service)}</td><td>${e(p.data_categories.join(', '))}</td><td>${e(p.country)}</td><td>${e(SAFEGUARD_LABEL[p.safeguard] ?? p.safeguard)}${p.scc_module ? ` (module ${p.scc_module}, ${e(p.scc_version)})` : ''}</td></tr>`,
        )
        .join('');
      const changes = listing.changes
        .map((c) => `<li>${e(new Date(c.changed_at).toISOString().slice(0, 10))}: ${e(c.name)} ${e(c.change)}</li>`)
        .join('');
      return html(
        reply,
        'Sub-processors',
        `<h1>Sub-processors of ${e(listing.workspace)}</h1><table aria-label="Sub-processors"><tr><th>Company</th><th>Service</th><th>Data</th><th>Country</th><th>Safeguard</th></tr>${rows}</table><h2>Changes in the last 12 months</h2><ul>${changes || '<li>None.</li>'}</ul>`,
      );
    },
  });

  r.post('/privacy/:slug/link', {
    config: { access: 'public' },
    schema: { tags, summary: 'Send a single-use sign-in link (the answer never reveals whether the address is known)', params: slugParam },
    handler: async (request, reply) => {
      const parsed = EMAIL.safeParse((request.body as Record<string, unknown> | null)?.email);
      if (!parsed.success) return html(reply, 'Your data', signInPage(request.params.slug, 'Enter a valid email address.'), 400);
      await requestPortalLink(app, request.params.slug, parsed.data, visitorOf(request));
      return html(
        reply,
        'Check your inbox',
        `<h1>Check your inbox</h1><p>We have sent a link to ${e(parsed.data)}. It works once, for 15 minutes.</p>`,
      );
    },
  });

  r.get('/privacy/:slug/do-not-sell', {
    config: { access: 'public' },
    schema: { tags, summary: 'Do Not Sell or Share My Personal Information: the opt-out page (no sign-in needed)', params: slugParam },
    handler: async (request, reply) =>
      html(reply, 'Do Not Sell or Share', doNotSellPage(request.params.slug, hasGpcHeader(request.headers))),
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
        return html(
          reply,
          'Do Not Sell or Share',
          doNotSellPage(request.params.slug, hasGpcHeader(request.headers), 'Enter a valid email address.'),
          400,
        );
      await publicOptOut(app, request.params.slug, parsed.data, visitorOf(request));
      return html(
        reply,
        'Opt-out recorded',
        '<h1>Your choice is recorded</h1><p>We do not sell or share the personal information we hold under this address.</p>',
      );
    },
  });

  r.get('/privacy/:slug/open/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'The page behind the sign-in link (signs in on the button, not on the visit)', params: tokenParams },
    handler: async (_request, reply) =>
      html(reply, 'Your data', '<h1>Your data</h1><form method="post"><button type="submit">Continue</button></form>'),
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
        const [code, text] = pages[outcome.reason];
        return html(reply, 'Link', `<h1>${text}</h1><p><a href="/privacy/${e(request.params.slug)}">Ask for a new link</a></p>`, code);
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
      return html(reply, 'Your data', renderPortal(current, await portalView(app, current, visitorOf(request))));
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
          return html(reply, 'Your data', renderPortal(current, await portalView(app, current, visitor), action), 400);
        let message: string;
        try {
          message = await portalAct(app, current, visitor, action);
        } catch (error) {
          if (error instanceof PortalActionRefused)
            return html(reply, 'Your data', renderPortal(current, await portalView(app, current, visitor), error.message), 403);
          throw error;
        }
        return html(reply, 'Done', `<h1>${e(message)}</h1><p><a href="/privacy/${e(request.params.slug)}/me">Back to your data</a></p>`);
      },
    });
  }
}
