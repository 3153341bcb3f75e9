import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { AppContext } from './app-context.ts';
import { auditRoutes } from './audit/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { emailLinkRoutes } from './campaigns/public-routes.ts';
import { campaignRoutes } from './campaigns/routes.ts';
import { formPublicRoutes } from './forms/public-routes.ts';
import { formRoutes } from './forms/routes.ts';
import * as formSchemas from './forms/schema.ts';
import { consentRoutes } from './consent/routes.ts';
import { crmRoutes } from './crm/routes.ts';
import { viewRoutes } from './views/routes.ts';
import { bulkRoutes } from './bulk/routes.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { timelineRoutes } from './timeline/routes.ts';
import { noticeRoutes } from './notices/routes.ts';
import { transferRoutes } from './transfer/routes.ts';
import { governanceRoutes } from './governance/routes.ts';
import { createHttpServer, serveWebApp } from './http/app.ts';
import { jurisdictionRoutes } from './jurisdiction/routes.ts';
import { memberRoutes } from './members/routes.ts';
import { retentionRoutes } from './retention/routes.ts';
import { portalRoutes } from './rights/portal-routes.ts';
import { rightsRoutes } from './rights/routes.ts';
import { syncRoutes } from './sync/routes.ts';
import { workspaceRoutes } from './workspace/routes.ts';

import * as auditSchemas from './audit/schema.ts';
import * as authSchemas from './auth/schema.ts';
import * as campaignSchemas from './campaigns/schema.ts';
import * as consentSchemas from './consent/schema.ts';
import * as crmSchemas from './crm/schema.ts';
import * as viewSchemas from './views/schema.ts';
import * as bulkSchemas from './bulk/schema.ts';
import * as dashboardSchemas from './dashboard/schema.ts';
import * as timelineSchemas from './timeline/schema.ts';
import * as noticeSchemas from './notices/schema.ts';
import * as jurisdictionSchemas from './jurisdiction/schema.ts';
import * as memberSchemas from './members/schema.ts';
import * as rightsSchemas from './rights/schema.ts';
import * as syncSchemas from './sync/schema.ts';
import * as transferSchemas from './transfer/schema.ts';
import * as workspaceSchemas from './workspace/schema.ts';
import { errorBody } from './http/errors.ts';
import { nameSchemas } from './shared/openapi.ts';

type Routes = (fastify: FastifyInstance, app: AppContext) => void;

// Before any route is registered: a route's schema is named if it is registered when the route is.
for (const schemas of [
  auditSchemas,
  authSchemas,
  campaignSchemas,
  consentSchemas,
  crmSchemas,
  formSchemas,
  jurisdictionSchemas,
  memberSchemas,
  rightsSchemas,
  syncSchemas,
  transferSchemas,
  workspaceSchemas,
  viewSchemas,
  bulkSchemas,
  dashboardSchemas,
  timelineSchemas,
  noticeSchemas,
])
  nameSchemas(schemas);
nameSchemas({ errorSchema: errorBody });

/** The API's modules, each a plugin under /api/v1. */
const API: Routes[] = [
  authRoutes,
  memberRoutes,
  workspaceRoutes,
  jurisdictionRoutes,
  auditRoutes,
  crmRoutes,
  viewRoutes,
  bulkRoutes,
  dashboardRoutes,
  timelineRoutes,
  transferRoutes,
  consentRoutes,
  formRoutes,
  campaignRoutes,
  rightsRoutes,
  noticeRoutes,
  retentionRoutes,
  governanceRoutes,
  syncRoutes,
];

/** The pages a data subject opens from a link: forms, e-mail links, the privacy portal. */
const PUBLIC_PAGES: Routes[] = [formPublicRoutes, emailLinkRoutes, portalRoutes];

/**
 * The composition root of the HTTP side: the server (src/http), every module's routes, then the
 * web app. Modules know nothing of each other's routes, nor of the prefix they are served under.
 */
export async function buildApp(app: AppContext, options: { logger?: FastifyServerOptions['logger'] } = {}): Promise<FastifyInstance> {
  const fastify = await createHttpServer(app, options);
  await fastify.register(
    async (api) => {
      for (const routes of API) routes(api, app);
    },
    { prefix: '/api/v1' },
  );
  for (const routes of PUBLIC_PAGES) routes(fastify, app);
  await serveWebApp(fastify);
  return fastify;
}
