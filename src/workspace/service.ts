import type { Selectable } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import type { Tx } from '../db/tenant.ts';
import type { TenantsTable } from '../db/types.ts';
import type { Jurisdiction, MarketingExceptionKey } from '../jurisdiction/profiles.ts';
import type { workspacePatch, workspaceView } from './schema.ts';

type WorkspaceView = z.infer<typeof workspaceView>;

async function read(app: AppContext, tx: Tx, tenantId: string): Promise<WorkspaceView> {
  const row = await tx.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow();
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    requireAdminTotp: row.require_admin_totp,
    defaultJurisdiction: row.default_jurisdiction as Jurisdiction,
    senderName: row.sender_name,
    senderEmail: row.sender_email,
    postalAddress: row.postal_address,
    marketingExceptions: row.marketing_exceptions as MarketingExceptionKey[],
    mailTransport: app.mailer.transport,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function getWorkspace(app: AppContext, caller: Caller): Promise<WorkspaceView> {
  return asCaller(app, caller, (tx) => read(app, tx, caller.auth.tenantId));
}

export function updateWorkspace(app: AppContext, caller: Caller, patch: z.infer<typeof workspacePatch>): Promise<WorkspaceView> {
  return asCaller(app, caller, async (tx, audit) => {
    const changes: Partial<Selectable<TenantsTable>> = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.requireAdminTotp !== undefined) changes.require_admin_totp = patch.requireAdminTotp;
    if (patch.defaultJurisdiction !== undefined) changes.default_jurisdiction = patch.defaultJurisdiction;
    if (patch.senderName !== undefined) changes.sender_name = patch.senderName;
    if (patch.senderEmail !== undefined) changes.sender_email = patch.senderEmail;
    if (patch.postalAddress !== undefined) changes.postal_address = patch.postalAddress;
    if (patch.marketingExceptions !== undefined) changes.marketing_exceptions = [...new Set(patch.marketingExceptions)];
    await tx.updateTable('tenants').set(changes).where('id', '=', caller.auth.tenantId).execute();
    await audit({ action: 'workspace.update', objectType: 'workspace', objectId: caller.auth.tenantId, fields: Object.keys(patch) });
    return read(app, tx, caller.auth.tenantId);
  });
}
