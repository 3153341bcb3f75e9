import type { z } from 'zod';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import { evaluateGate, recordRefusals } from '../consent/gate.ts';
import { noticesDueAtDisclosure } from '../notices/lifecycle.ts';
import { crmWork } from '../crm/context.ts';
import { iso } from '../shared/dates.ts';
import { isRecordVisible } from '../crm/records.ts';
import { AppError, conflict, notFound, unprocessable } from '../http/errors.ts';
import type { Connector } from './connector.ts';
import { contentHash, fieldsOf } from './record-fields.ts';
import { ConnectorError } from './http.ts';
import { connectorOf } from './connectors.ts';
import { findIntegration } from './integrations.ts';
import type { pushInput, pushResult } from './schema.ts';
import type { IntegrationRow, LinkRow } from './stores.ts';

/**
 * Push: one record of ours created or updated in a connected CRM. A person is pushed for the
 * purpose the integration is declared for, and only when the consent gate allows it (restriction, objection, consent, suppression,
 * processor data, and for a CRM flagged as selling or sharing, the opt-out of sale); a refusal is
 * recorded like any other. An update first reads the external
 * object: changed there since our last sync, it is a conflict for a person to settle, never
 * overwritten silently.
 */

type PushInput = z.infer<typeof pushInput>;
type Prepared = {
  integration: IntegrationRow;
  object: string;
  fields: Record<string, unknown>;
  link: LinkRow | undefined;
  connector: Connector;
};

const upstream = (error: ConnectorError) =>
  error.category === 'auth'
    ? conflict('The CRM refused the stored credentials; reconnect the integration.', { category: error.category })
    : error.category === 'rejected'
      ? unprocessable(`The CRM refused the record: ${error.message}`, { status: error.status })
      : new AppError(502, 'connector_unavailable', `The CRM could not be reached: ${error.message}`, { category: error.category });

export async function pushRecord(
  app: AppContext,
  caller: Caller,
  integrationId: string,
  input: PushInput,
): Promise<z.infer<typeof pushResult>> {
  const { type, id } = input.record;
  const prepared = await crmWork(app, caller, async (work): Promise<Prepared | { refused: string }> => {
    const integration = await findIntegration(work.tx, work.tenantId, integrationId);
    if (integration.status !== 'active')
      throw conflict(`The integration is ${integration.status.replace('_', ' ')}; nothing can be pushed to it.`);
    if (!(await isRecordVisible(work, type, id))) throw notFound('Record');
    const connector = await connectorOf(app, work.tx, integration);
    const mapping = connector.mappings.find((m) => m.recordType === type && integration.objects.includes(m.object));
    if (!mapping) throw unprocessable(`This ${integration.kind} integration does not sync ${type} records.`, { field: 'record' });
    if (type === 'contact' || type === 'lead') {
      // A person goes to a CRM only for the purpose the integration is declared for, never one the caller picks.
      if (!integration.purpose_id) {
        throw unprocessable('This integration declares no purpose, so no person can be pushed to it: a manager sets its purposeId first.', {
          field: 'purposeId',
        });
      }
      if (input.purposeId && input.purposeId !== integration.purpose_id) {
        throw unprocessable('This integration is declared for another purpose: people are pushed to it for that purpose only.', {
          field: 'purposeId',
          declared: integration.purpose_id,
        });
      }
      // Handing personal information to a CRM flagged as a third party that it is sold or shared with is a sale or share, whatever the purpose says.
      const verdicts = await evaluateGate(work.tx, work.tenantId, { id: integration.purpose_id }, [{ type, id }], {
        path: 'connector_push',
        sellsOrShares: integration.sells_or_shares,
      });
      const verdict = verdicts.get(id)!;
      if (!verdict.allowed) {
        await recordRefusals(work.tx, work.tenantId, 'connector_push', integration.id, integration.purpose_id, verdicts);
        await work.audit({ action: 'integration.push_refused', objectType: type, objectId: id, fields: [verdict.reason] });
        return { refused: verdict.reason };
      }
    }
    const link = await work.tx
      .selectFrom('sync_links')
      .selectAll()
      .where('tenant_id', '=', work.tenantId)
      .where('integration_id', '=', integration.id)
      .where('object', '=', mapping.object)
      .where('record_id', '=', id)
      .executeTakeFirst();
    return { integration, object: mapping.object, fields: await fieldsOf(work, integration.id, type, id), link, connector };
  });
  // Refused: recorded above, in its own committed transaction; answered as a refusal.
  if ('refused' in prepared)
    throw unprocessable(`The consent gate refuses this push: ${prepared.refused.replace(/_/g, ' ')}.`, { reason: prepared.refused });

  const { integration, object, fields, link, connector } = prepared;
  let external;
  try {
    if (link) {
      const current = await connector.get(object, link.external_id);
      if (!current)
        throw conflict('The record was deleted in the CRM since the last sync; the next sync removes the link.', {
          externalId: link.external_id,
        });
      const changedThere =
        current.updatedAt && link.external_updated_at && Date.parse(current.updatedAt) > new Date(link.external_updated_at).getTime();
      if (changedThere && !input.force) {
        throw conflict('The record changed in the CRM since the last sync; sync first, or push again with force to overwrite it.', {
          externalId: link.external_id,
          externalUpdatedAt: current.updatedAt,
          lastSyncedVersion: iso(link.external_updated_at),
        });
      }
      external = await connector.update(object, link.external_id, fields);
    } else {
      external = await connector.create(object, fields);
    }
  } catch (error) {
    if (error instanceof ConnectorError) throw upstream(error);
    throw error;
  }

  return crmWork(app, caller, async (work) => {
    const hash = await contentHash(work.sealer, type, external);
    await work.tx
      .insertInto('sync_links')
      .values({
        tenant_id: work.tenantId,
        integration_id: integration.id,
        object,
        external_id: external.id,
        record_type: type,
        record_id: id,
        origin: 'matched',
        match_rule: 'pushed',
        content_hash: hash,
        external_updated_at: external.updatedAt,
      })
      .onConflict((c) =>
        c
          .columns(['tenant_id', 'integration_id', 'object', 'external_id'])
          .doUpdateSet({ content_hash: hash, external_updated_at: external.updatedAt, synced_at: new Date() }),
      )
      .execute();
    // A first disclosure of a person makes their Art. 14 notice due now.
    if (type === 'contact' || type === 'lead') await noticesDueAtDisclosure(work.tx, work.tenantId, [id]);
    // A transfer to the other CRM: which record, which fields (never their values).
    await work.audit({
      action: link ? 'integration.push_update' : 'integration.push_create',
      objectType: type,
      objectId: id,
      fields: [`integration:${integration.id}`, ...Object.keys(fields).filter((k) => fields[k] !== undefined)],
    });
    return {
      integrationId: integration.id,
      object,
      externalId: external.id,
      action: link ? ('updated' as const) : ('created' as const),
      externalUpdatedAt: external.updatedAt,
    };
  });
}
