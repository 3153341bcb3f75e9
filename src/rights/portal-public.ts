import type { AppContext } from '../app-context.ts';
import { workspaceIdBySlug } from '../forms/cookie-banner.ts';
import { withTenant } from '../db/tenant.ts';
import { activeSubprocessors, subprocessorChanges } from '../governance/subprocessors.ts';

/** What anyone may read about a workspace's sub-processors, without signing in. */
export async function publicSubprocessors(app: AppContext, slug: string) {
  const tenantId = await workspaceIdBySlug(app, slug);
  if (!tenantId) return null;
  return withTenant(app.db, tenantId, async (tx) => ({
    workspace: (await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow()).name,
    processors: await activeSubprocessors(tx, tenantId),
    changes: await subprocessorChanges(tx, tenantId, new Date(Date.now() - 365 * 86_400_000)),
  }));
}
