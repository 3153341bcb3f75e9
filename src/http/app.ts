import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from 'helmet';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { installGuard, sessionFailure, type Access } from '../auth/guard.ts';
import { html, page } from '../shared/html.ts';
import { databaseUnavailable } from '../db/unavailable.ts';
import { AppError, errorAnswer } from './errors.ts';
import { refuseNulCharacters, routedPath } from './text-input.ts';

/** What the route catalogue records of each route; tests walk it to cover every endpoint. */
export interface CatalogueEntry {
  method: string;
  url: string;
  access: Access;
  resource: string | undefined;
  /** The zod schemas the route validates with: the security suite generates hostile input from them. */
  schema: { body?: unknown; querystring?: unknown; params?: unknown };
}

declare module 'fastify' {
  interface FastifyInstance {
    catalogue: CatalogueEntry[];
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    // Never log credentials; URLs are logged without their query string, which may hold search terms.
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'], censor: '[redacted]' },
    serializers: {
      req: (request: { method: string; url: string; id: string }) => ({
        method: request.method,
        url: request.url.split('?')[0],
        id: request.id,
      }),
    },
  };
}

/**
 * The HTTP server without any module's routes: Fastify with its compilers, the route catalogue,
 * security headers, OpenAPI, the guard, error handling and health checks. src/server.ts, the
 * composition root, adds the modules and the web app.
 */
export async function createHttpServer(
  app: AppContext,
  options: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  await app.keys.loadSystemKey(app.db);
  const tls = app.config.tls;
  const fastify = Fastify({
    // With a certificate the server speaks HTTPS only: a plain-HTTP connection is never answered.
    ...(tls ? { https: { cert: fs.readFileSync(tls.certFile), key: fs.readFileSync(tls.keyFile), minVersion: 'TLSv1.2' as const } } : {}),
    logger: options.logger ?? false,
    trustProxy: app.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Signed links in emails carry their token in the path.
    routerOptions: { maxParamLength: 300 },
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    },
  });
  fastify.setValidatorCompiler(validatorCompiler);
  fastify.setSerializerCompiler(serializerCompiler);

  fastify.decorate('catalogue', [] as CatalogueEntry[]);
  fastify.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (route.url.startsWith('/api/') && access === undefined) {
      throw new Error(`Route ${route.method} ${route.url} declares no access rule`);
    }
    for (const method of [route.method].flat()) {
      if (method === 'HEAD' || access === undefined) continue;
      fastify.catalogue.push({
        method,
        url: route.url,
        access,
        resource: route.config?.resource,
        schema: { body: route.schema?.body, querystring: route.schema?.querystring, params: route.schema?.params },
      });
    }
  });

  fastify.addHook('preValidation', refuseNulCharacters);

  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (routedPath(request).startsWith('/api/')) reply.header('cache-control', 'no-store');
    // No page of the product uses these browser features; embedded third-party code may not either.
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()');
  });

  await fastify.register(cookie);
  await fastify.register(formbody, { bodyLimit: 64 * 1024 });
  // Built once: @fastify/helmet built this middleware again for every request (its directives
  // parsed each time, 2 % of a record read's CPU).
  const securityHeaders = helmet({
    // Serving HTTPS itself, the host is pinned to HTTPS for a year; behind a TLS proxy (a public
    // URL in https) helmet's default (180 days) goes out. Over plain HTTP the header would be
    // ignored by browsers and only mislead a scanner or an auditor, so it is not sent.
    hsts: tls ? { maxAge: 31_536_000, includeSubDomains: true } : app.config.publicUrl.startsWith('https://'),
    // Swagger UI needs inline styles; everything else stays on the default strict policy.
    contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
  });
  fastify.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error instanceof Error ? error : undefined)),
  );
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lawful CRM API',
        version: '1',
        description:
          'Errors are JSON `{error, message, details}`. Browser sessions send the CSRF token from ' +
          '`GET /api/v1/auth/session` as `X-CSRF-Token`; integrations use `Authorization: Bearer <API token>`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: '__Host-lawful_session' },
          apiToken: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiToken: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas named in zod's global registry (src/shared/openapi.ts) become components.schemas.
    transformObject: jsonSchemaTransformObject,
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });

  installGuard(fastify, app);
  const storage = { fullAt: 0 };
  installErrorHandling(fastify, storage);

  fastify.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => fastify.swagger());
  fastify.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  fastify.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(app.db.kysely);
    } catch {
      return reply.code(503).send(errorAnswer('not_ready', 'The database does not answer.'));
    }
    // A full disk still answers SELECT 1: what tells is a write refused lately, or the data
    // directory (the embedded database, the mail outbox) close to full.
    const freeBytes = await freeSpace(app.config.dataDir);
    if (Date.now() - storage.fullAt < STORAGE_FULL_REMEMBERED_MS || (freeBytes !== null && freeBytes < MIN_FREE_BYTES)) {
      return reply
        .code(503)
        .send(
          errorAnswer(
            'storage_full',
            'The database or the data directory has no space left to store more; an operator must free disk space.',
            { freeBytes },
          ),
        );
    }
    return { status: 'ready' };
  });

  return fastify;
}

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** The React app (web/, built by `npm run build`): static files, and index.html for the app's own pages. */
export async function serveWebApp(fastify: FastifyInstance): Promise<void> {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    fastify.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain').send('The web app is not built yet: run "npm run build" (npm start does it for you). The API is at /docs.'),
    );
    return;
  }
  await fastify.register(fastifyStatic, {
    root: WEB_DIST,
    prefix: '/',
    wildcard: true,
    index: 'index.html',
    cacheControl: true,
    maxAge: '1h',
  });
  fastify.get('/accept-invitation', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.sendFile('index.html'),
  );
  fastify.get('/confirm-signup', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.sendFile('index.html'),
  );
}

/**
 * Constraint violations that slipped past validation are the client's input, not a crash. The
 * driver's message is never echoed: it can quote the offending values, i.e. personal data.
 */
function databaseClientError(error: unknown): { status: number; code: string; message: string } | null {
  switch ((error as { code?: string }).code) {
    case '23505':
      return { status: 409, code: 'conflict', message: 'A record with these values already exists.' };
    case '23503':
      return { status: 422, code: 'invalid_reference', message: 'The request refers to a record that does not exist.' };
    case '23514':
    case '23502':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22P02':
      return { status: 422, code: 'unprocessable', message: 'A value is out of range or malformed.' };
    default:
      return null;
  }
}

/** How long a refused write keeps /readyz saying the storage is full. */
const STORAGE_FULL_REMEMBERED_MS = 60_000;
/** Below this the data directory counts as full: PostgreSQL stops at the last block, well before 0. */
const MIN_FREE_BYTES = 64 * 1024 * 1024;

async function freeSpace(directory: string): Promise<number | null> {
  try {
    const stats = await fs.promises.statfs(directory);
    return stats.bavail * stats.bsize;
  } catch {
    return null; // no data directory here (a server database and nothing stored locally)
  }
}

function installErrorHandling(fastify: FastifyInstance, storage: { fullAt: number }): void {
  fastify.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorAnswer('not_found', `No route ${request.method} ${request.url.split('?')[0]}`));
  });

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const session = sessionFailure(error);
    if (session) return reply.code(session.status).send({ error: session.code, message: session.message, details: null });
    if (error instanceof AppError && request.routeOptions.config?.forDataSubject && (request.headers.accept ?? '').includes('text/html')) {
      // The person's pages are HTML: a refusal there is a page too.
      return reply
        .code(error.status)
        .type('text/html')
        .send(page('Not available', html`<h1>This page is for the person the link was sent to</h1><p>${error.message}</p>`));
    }
    if ((error instanceof AppError && error.code === 'storage_full') || databaseUnavailable(error)?.code === 'storage_full')
      storage.fullAt = Date.now();
    if (error instanceof AppError) {
      reply.headers(error.headers);
      return reply.code(error.status).send({ error: error.code, message: error.message, details: error.details });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((issue) => ({
        location: error.validationContext ?? 'body',
        path: issue.instancePath.replace(/^\//, '').replaceAll('/', '.'),
        message: issue.message ?? 'is invalid',
      }));
      const summary = issues.map((issue) => `${issue.path || issue.location}: ${issue.message}`).join('; ');
      return reply.code(400).send({ error: 'validation_error', message: `Invalid request: ${summary}`, details: { issues } });
    }
    if (!isResponseSerializationError(error) && error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own client errors: malformed JSON, wrong content type, body too large, ...
      const code = error.statusCode === 413 ? 'payload_too_large' : error.statusCode === 415 ? 'unsupported_media_type' : 'bad_request';
      return reply.code(error.statusCode).send({ error: code, message: error.message, details: { code: error.code ?? null } });
    }
    const unavailable = databaseUnavailable(error);
    if (unavailable) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply
        .code(unavailable.status)
        .header('retry-after', String(unavailable.retryAfterSeconds))
        .send({ error: unavailable.code, message: unavailable.message, details: null });
    }
    const database = databaseClientError(error);
    if (database)
      return reply.code(database.status).send({
        error: database.code,
        message: database.message,
        details: { constraint: (error as { constraint?: string }).constraint ?? null },
      });
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(errorAnswer('internal_error', 'Internal server error', { requestId: request.id }));
  });
}
