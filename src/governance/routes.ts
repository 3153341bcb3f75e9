import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { complianceRoutes } from './routes/compliance.ts';
import { dpiaRoutes } from './routes/dpias.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { registerRoutes } from './routes/register.ts';
import { subprocessorRoutes } from './routes/subprocessors.ts';
import { trainingRoutes } from './routes/training.ts';

/** Accountability (Art. 5(2), 24): one route file per sub-domain. */
export function governanceRoutes(fastify: FastifyInstance, app: AppContext): void {
  for (const routes of [incidentRoutes, subprocessorRoutes, registerRoutes, dpiaRoutes, trainingRoutes, complianceRoutes])
    routes(fastify, app);
}
