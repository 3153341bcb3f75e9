import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { withTenant } from '../db/tenant.ts';
import type { FormField } from '../db/types-forms.ts';
import { AppError, badRequest, errorAnswer } from '../http/errors.ts';
import { cookieBannerScript, cookieChoiceInput, originAllowed, recordCookieChoice } from './cookie-banner.ts';
import { consentsOfVersion, loadForm, parseFormPublicId } from './service.ts';
import { checkConfirmation, confirmSubmission, submitForm, type Submission, type Visitor } from './submit.ts';
import { SUPPRESSION_LIFTED } from '../consent/preferences.ts';
import { hasGpcHeader } from '../consent/sale-sharing.ts';
import { html, page, type SafeHtml } from '../shared/html.ts';

export const VISITOR_COOKIE = 'lawful_visitor';
const HONEYPOT = 'website';
const INPUT_TYPES: Record<string, string> = { email: 'email', phone: 'tel' };

/** CORS for the endpoints pages on the workspace's own sites call (with the visitor cookie). */
function allowOrigin(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  if (origin)
    reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
}

/** Answers a CORS preflight: allowed origins get the headers, others nothing (the browser then refuses). */
function preflight(request: FastifyRequest, reply: FastifyReply, allowed: boolean) {
  reply.header('vary', 'Origin');
  if (allowed) allowOrigin(request, reply);
  return reply
    .header('access-control-allow-methods', 'POST')
    .header('access-control-allow-headers', 'content-type')
    .header('access-control-max-age', '600')
    .code(204)
    .send();
}

export function visitorOf(request: FastifyRequest): Visitor {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null, requestId: request.id, gpc: hasGpcHeader(request.headers) };
}

/** An embedding page may pass navigator.globalPrivacyControl along, as the JSON field or form field globalPrivacyControl. */
const GPC_FIELD = 'globalPrivacyControl';
const gpcField = (value: unknown) => value === true || value === 'true' || value === '1';

/** JSON {fields, consents, website} from an embedding page, or the hosted page's urlencoded post. */
function submissionOf(body: unknown): Submission {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (raw.fields && typeof raw.fields === 'object') {
    return {
      values: raw.fields as Record<string, unknown>,
      consents: Array.isArray(raw.consents) ? raw.consents.filter((c): c is string => typeof c === 'string') : [],
      honeypot: typeof raw[HONEYPOT] === 'string' ? (raw[HONEYPOT] as string) : '',
      gpc: gpcField(raw[GPC_FIELD]),
    };
  }
  const values: Record<string, unknown> = {};
  const consents: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === HONEYPOT || key === GPC_FIELD) continue;
    if (key.startsWith('consent_')) {
      if (value === 'on' || value === 'true' || value === true) consents.push(key.slice('consent_'.length));
    } else {
      values[key] = value;
    }
  }
  return { values, consents, honeypot: typeof raw[HONEYPOT] === 'string' ? (raw[HONEYPOT] as string) : '', gpc: gpcField(raw[GPC_FIELD]) };
}

function wantsHtml(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

async function renderForm(
  app: AppContext,
  publicId: string,
  errors: string[] = [],
  values: Record<string, unknown> = {},
): Promise<string | null> {
  const ids = parseFormPublicId(publicId);
  if (!ids) return null;
  return withTenant(app.db, ids.tenantId, async (tx) => {
    const loaded = await loadForm(tx, ids.tenantId, ids.formId).catch(() => null);
    if (!loaded || loaded.form.status !== 'live') return null;
    const { version } = loaded;
    const fields = (version.fields as unknown as FormField[]).map((field) => {
      const value = typeof values[field.key] === 'string' ? (values[field.key] as string) : '';
      return html`<label for="f-${field.key}">${field.label}${field.required && ' *'}</label>
<input id="f-${field.key}" name="${field.key}" type="${INPUT_TYPES[field.key] ?? 'text'}" value="${value}"${field.required && html` required`}>
`;
    });
    const consents = (await consentsOfVersion(tx, ids.tenantId, version)).map(
      (consent) =>
        html`<label class="consent"><input type="checkbox" name="consent_${consent.purposeId}" data-purpose="${consent.purposeId}"> <span>${consent.text}</span></label>
`,
    );
    const errorList = errors.length > 0 && html`<ul class="error">${errors.map((error) => html`<li>${error}</li>`)}</ul>`;
    return page(
      version.title,
      html`<h1>${version.title}</h1>
${version.intro && html`<p>${version.intro}</p>`}${errorList}
<form method="post" action="/f/${publicId}">
${fields}<div class="hp" aria-hidden="true"><label for="f-website">Leave this empty</label><input id="f-website" name="${HONEYPOT}" type="text" tabindex="-1" autocomplete="off"></div>
${consents}<p class="muted">How we use your data: ${policyLink(version.policy_url)} (version ${version.policy_version}).</p>
<button type="submit">Submit</button>
</form>`,
    );
  });
}

/** A link to the privacy policy; a URL stored before only http(s) was accepted is shown, never linked. */
function policyLink(url: string): SafeHtml {
  return /^https?:\/\//i.test(url) ? html`<a href="${url}">privacy policy</a>` : html`privacy policy: ${url}`;
}

function confirmationPage(
  status: 'confirmed' | 'invalid' | 'expired' | 'used',
  purposes: string[] = [],
  liftedSuppressions = 0,
): { code: number; body: string } {
  switch (status) {
    case 'confirmed': {
      const lifted = liftedSuppressions > 0 && html`<p role="status">${SUPPRESSION_LIFTED}</p>`;
      return {
        code: 200,
        body: page(
          'Confirmed',
          html`<h1>Thank you, confirmed</h1><p>Your consent is recorded${purposes.length > 0 && html` for: ${purposes.join(', ')}`}.</p>${lifted}`,
        ),
      };
    }
    case 'used':
      return { code: 409, body: page('Already confirmed', html`<h1>Already confirmed</h1><p>This link has been used.</p>`) };
    case 'expired':
      return {
        code: 410,
        body: page('Link expired', html`<h1>This link has expired</h1><p>Fill in the form again to receive a new one.</p>`),
      };
    default:
      return { code: 400, body: page('Invalid link', html`<h1>This link is not valid</h1>`) };
  }
}

export function formPublicRoutes(fastify: FastifyInstance, app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['public forms'];
  const publicIdParam = z.object({ publicId: z.string().min(1).max(100) });

  r.get('/f/cookie-banner.js', {
    config: { access: 'public' },
    schema: {
      tags,
      summary: 'The cookie banner script of a workspace, for its landing pages',
      querystring: z.object({ workspace: z.string().min(1).max(48) }),
    },
    handler: async (request, reply) => {
      const script = await cookieBannerScript(app, request.query.workspace);
      if (!script) return reply.code(404).send(errorAnswer('not_found', 'No such workspace'));
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('cache-control', 'public, max-age=300')
        .send(script);
    },
  });
  // The banner and embedded forms run on the workspace's own sites: they post cross-origin.
  r.options('/f/:publicId', {
    config: { access: 'public' },
    schema: { hide: true },
    handler: async (request, reply) => preflight(request, reply, true),
  });
  const bannerQuery = z.object({ workspace: z.string().min(1).max(48).optional() });
  r.options('/f/cookie-consent', {
    config: { access: 'public' },
    schema: { hide: true, querystring: bannerQuery },
    handler: async (request, reply) =>
      preflight(
        request,
        reply,
        Boolean(request.query.workspace) && (await originAllowed(app, request.query.workspace!, request.headers.origin)),
      ),
  });
  r.post('/f/cookie-consent', {
    config: { access: 'public', forDataSubject: true },
    schema: {
      tags,
      summary:
        "Record a cookie-banner choice (as consent events when the visitor is known). Credentialed requests are accepted only from the workspace's allowed origins. A Global Privacy Control signal rejects the categories that sell or share and opts the known visitor out of sale and sharing",
      querystring: bannerQuery,
      body: cookieChoiceInput,
      response: { 200: z.object({ recorded: z.number() }) },
    },
    handler: async (request, reply) => {
      if (request.query.workspace && request.query.workspace !== request.body.workspace)
        throw badRequest('The workspace in the URL and in the body differ.', { field: 'workspace' });
      if (!(await originAllowed(app, request.body.workspace, request.headers.origin))) {
        throw new AppError(
          403,
          'origin_not_allowed',
          `Pages of ${request.headers.origin} may not send cookie choices for this workspace: an administrator adds the site to the cookie banner's allowed origins.`,
          { origin: request.headers.origin },
        );
      }
      allowOrigin(request, reply);
      return recordCookieChoice(app, request.body, request.cookies[VISITOR_COOKIE] ?? request.body.visitor, visitorOf(request));
    },
  });

  r.get('/f/:publicId', {
    config: { access: 'public' },
    schema: { tags, summary: 'The hosted form page', params: publicIdParam },
    handler: async (request, reply) => {
      const form = await renderForm(app, request.params.publicId);
      if (!form)
        return reply
          .code(404)
          .type('text/html')
          .send(page('Not found', html`<h1>This form does not exist or is closed.</h1>`));
      return reply.type('text/html').send(form);
    },
  });

  r.post('/f/:publicId', {
    config: { access: 'public', forDataSubject: true },
    schema: {
      tags,
      summary:
        'Submit a form: JSON {fields: {email, ...}, consents: [purposeId], website: "", globalPrivacyControl?: true} or the hosted page\'s form post; Sec-GPC: 1 opts the person out of sale and sharing',
      params: publicIdParam,
    },
    handler: async (request, reply) => {
      allowOrigin(request, reply);
      const submission = submissionOf(request.body);
      try {
        const result = await submitForm(app, request.params.publicId, submission, visitorOf(request));
        if (result.visitorToken) setVisitorCookie(app, reply, result.visitorToken);
        if (wantsHtml(request)) {
          const note = result.confirmationRequired && html`<p>We have sent you an email: follow the link in it to confirm.</p>`;
          return reply.type('text/html').send(page('Thank you', html`<h1>${result.message}</h1>${note}`));
        }
        return reply
          .code(202)
          .send({ status: 'accepted' as const, confirmationRequired: result.confirmationRequired, message: result.message });
      } catch (error) {
        if (wantsHtml(request) && error instanceof AppError && error.code === 'validation_error') {
          const issues = (error.details as { issues: Array<{ path: string; message: string }> }).issues;
          const form = await renderForm(
            app,
            request.params.publicId,
            issues.map((i) => `${i.path}: ${i.message}`),
            submission.values,
          );
          return reply
            .code(400)
            .type('text/html')
            .send(form ?? page('Invalid', html`<h1>Invalid submission</h1>`));
        }
        throw error;
      }
    },
  });

  const tokenParam = z.object({ token: z.string().min(1).max(1000) });
  r.get('/f/confirm/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: {
      tags,
      summary: 'Double opt-in: the page behind the confirmation link (confirms on the button, not on the visit)',
      params: tokenParam,
    },
    handler: async (request, reply) => {
      const problem = checkConfirmation(app, request.params.token);
      if (problem) {
        const { code, body } = confirmationPage(problem.status);
        return reply.code(code).type('text/html').send(body);
      }
      return reply
        .type('text/html')
        .send(
          page('Confirm', html`<h1>Confirm your subscription</h1><form method="post"><button type="submit">Yes, I confirm</button></form>`),
        );
    },
  });
  r.post('/f/confirm/:token', {
    config: { access: 'public', forDataSubject: true },
    schema: { tags, summary: 'Double opt-in: confirm (single use)', params: tokenParam },
    handler: async (request, reply) => {
      const outcome = await confirmSubmission(app, request.params.token, visitorOf(request));
      const { code, body } =
        outcome.status === 'confirmed'
          ? confirmationPage(outcome.status, outcome.purposes, outcome.liftedSuppressions)
          : confirmationPage(outcome.status);
      return reply.code(code).type('text/html').send(body);
    },
  });
}

/** Remembers a known visitor, so their cookie-banner choices can be recorded as consent events. */
export function setVisitorCookie(app: AppContext, reply: FastifyReply, token: string): void {
  reply.setCookie(VISITOR_COOKIE, token, {
    path: '/f/',
    httpOnly: true,
    secure: app.config.secureCookies,
    sameSite: app.config.secureCookies ? 'none' : 'lax',
    maxAge: 365 * 86400,
  });
}
