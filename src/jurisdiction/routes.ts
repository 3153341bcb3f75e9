import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { JURISDICTIONS, PROFILES } from './profiles.ts';
import { profileView } from './schema.ts';

export function jurisdictionRoutes(fastify: FastifyInstance, _app: AppContext): void {
  const r = fastify.withTypeProvider<ZodTypeProvider>();
  r.get('/jurisdictions', {
    config: { access: 'workspace.read' },
    schema: {
      tags: ['workspace'],
      summary:
        'The jurisdiction profiles: rights, deadlines, verification, marketing and sale regimes, breach clocks, with legal references',
      response: { 200: z.object({ items: z.array(profileView) }) },
    },
    handler: async () => ({ items: JURISDICTIONS.map((key) => ({ ...PROFILES[key], rights: [...PROFILES[key].rights] })) }),
  });
}
