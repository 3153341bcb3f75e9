import type { AppContext } from '../app-context.ts';
import { withTenant, type Tx } from '../db/tenant.ts';
import type { ConnectorKind } from '../db/types-sync.ts';
import { conflict, unprocessable } from '../http/errors.ts';
import type { Connector, ConnectorSettings } from './connector.ts';
import { csvConnector, dropFolder } from './csv/connector.ts';
import { checkDestination, DestinationRefused, workspaceDropRoot } from './destinations.ts';
import type { Credentials } from './http.ts';
import { HUBSPOT_BASE_URL, hubspotConnector } from './hubspot/connector.ts';
import { PIPEDRIVE_BASE_URL, pipedriveConnector } from './pipedrive/connector.ts';
import { SALESFORCE_BASE_URL, salesforceConnector } from './salesforce/connector.ts';
import { httpUrl } from './schema.ts';
import type { IntegrationRow } from './stores.ts';

/** The connectors, and the public API each talks to unless the integration names another root. */
const CONNECTORS: Partial<Record<ConnectorKind, { build: (settings: ConnectorSettings) => Connector; baseUrl: string }>> = {
  hubspot: { build: hubspotConnector, baseUrl: HUBSPOT_BASE_URL },
  pipedrive: { build: pipedriveConnector, baseUrl: PIPEDRIVE_BASE_URL },
  salesforce: { build: salesforceConnector, baseUrl: SALESFORCE_BASE_URL },
  csv: { build: csvConnector, baseUrl: '' },
};

const CREDENTIALS_FIELD = 'integrations.credentials';

export function connectorEntry(kind: ConnectorKind) {
  const entry = CONNECTORS[kind];
  if (!entry) throw unprocessable(`There is no ${kind} connector.`, { field: 'kind' });
  return entry;
}

/** An http(s) API root the installation lets this connector call, or for a CSV drop a folder inside the workspace's own drop root. */
export async function checkedBaseUrl(app: AppContext, tenantId: string, kind: ConnectorKind, value: string): Promise<string> {
  if (kind === 'csv') {
    if (!value) throw unprocessable('baseUrl must name the drop folder.', { field: 'baseUrl' });
    try {
      dropFolder(value, workspaceDropRoot(app.config, tenantId));
    } catch (error) {
      throw unprocessable((error as Error).message, { field: 'baseUrl' });
    }
    return value;
  }
  const parsed = httpUrl.safeParse(value);
  if (!parsed.success) throw unprocessable(`baseUrl ${parsed.error.issues[0]!.message}`, { field: 'baseUrl' });
  await refuseDestination(app, kind, parsed.data, 'baseUrl');
  return parsed.data;
}

export async function refuseDestination(app: AppContext, kind: ConnectorKind, url: string, field: string): Promise<void> {
  try {
    await checkDestination(app.config, kind, url, field);
  } catch (error) {
    if (error instanceof DestinationRefused) throw unprocessable(error.message, { field });
    throw error;
  }
}

/** OAuth credentials carry the token endpoint the refresh posts the client secret to: the same hosts apply. */
export async function checkedCredentials(app: AppContext, kind: ConnectorKind, credentials: Credentials | undefined): Promise<void> {
  if (credentials?.kind === 'oauth2') await refuseDestination(app, kind, credentials.tokenUrl, 'credentials.tokenUrl');
}

/** The objects a connector syncs, in its order. */
export function objectsOf(kind: ConnectorKind): string[] {
  return connectorEntry(kind)
    .build({
      baseUrl: kind === 'csv' ? '.' : 'http://localhost',
      credentials: { kind: 'api_key', token: 'unused' },
      onCredentials: async () => {},
    })
    .mappings.map((m) => m.object);
}

export async function sealCredentials(
  app: AppContext,
  tx: Tx,
  integration: { tenant_id: string; id: string },
  credentials: Credentials,
): Promise<string> {
  return app.keys.encryptField(tx, integration.tenant_id, integration.id, CREDENTIALS_FIELD, JSON.stringify(credentials));
}

/** An integration's stored credentials, opened; null once disconnected. */
export async function openCredentials(
  app: AppContext,
  tx: Tx,
  row: Pick<IntegrationRow, 'tenant_id' | 'credentials_enc'>,
): Promise<Credentials | null> {
  if (!row.credentials_enc) return null;
  return JSON.parse(await app.keys.decryptField(tx, row.tenant_id, CREDENTIALS_FIELD, row.credentials_enc)) as Credentials;
}

/** The connector of an integration, with its credentials opened; rotated credentials are stored sealed again. */
export async function connectorOf(
  app: AppContext,
  tx: Tx,
  integration: IntegrationRow,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<Connector> {
  if (integration.kind === 'csv') {
    if (integration.status === 'disconnecting' || integration.status === 'disconnected')
      throw conflict('The integration was disconnected.');
    const dropRoot = workspaceDropRoot(app.config, integration.tenant_id);
    return csvConnector({
      baseUrl: integration.base_url,
      dropRoot,
      credentials: { kind: 'api_key', token: 'none' },
      onCredentials: async () => {},
    });
  }
  const credentials = await openCredentials(app, tx, integration);
  if (!credentials) throw conflict('The integration has no credentials (it was disconnected).');
  // Checked again at every run: the installation's allowed hosts may have changed since.
  for (const [field, url] of [
    ['baseUrl', integration.base_url],
    ...(credentials.kind === 'oauth2' ? [['credentials.tokenUrl', credentials.tokenUrl]] : []),
    ...(credentials.kind === 'oauth2' && credentials.apiRoot ? [['credentials.apiRoot', credentials.apiRoot]] : []),
  ] as const) {
    try {
      await checkDestination(app.config, integration.kind, url, field);
    } catch (error) {
      if (error instanceof DestinationRefused) throw conflict(`The integration's address is not allowed: ${error.message}.`);
      throw error;
    }
  }
  return connectorEntry(integration.kind).build({
    baseUrl: integration.base_url,
    credentials,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    acceptApiRoot: async (root) => {
      try {
        await checkDestination(app.config, integration.kind, root, 'instance_url');
        return true;
      } catch (error) {
        if (error instanceof DestinationRefused) return false;
        throw error;
      }
    },
    onCredentials: async (rotated) => {
      await withTenant(app.db, integration.tenant_id, async (inner) => {
        await inner
          .updateTable('integrations')
          .set({ credentials_enc: await sealCredentials(app, inner, integration, rotated) })
          .where('tenant_id', '=', integration.tenant_id)
          .where('id', '=', integration.id)
          .where('status', '=', 'active')
          .execute();
      });
    },
  });
}
