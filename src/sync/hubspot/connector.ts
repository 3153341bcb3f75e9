import type { Connector, ConnectorSettings, ExternalRecord, ObjectMapping } from '../connector.ts';
import { ConnectorError, ConnectorHttp } from '../http.ts';
import { HubSpotClient, type HubSpotObject, type HubSpotObjectType } from './client.ts';

export const HUBSPOT_BASE_URL = 'https://api.hubapi.com';

const MAPPINGS: readonly ObjectMapping[] = [
  { object: 'companies', recordType: 'account' },
  { object: 'contacts', recordType: 'contact' },
  { object: 'deals', recordType: 'opportunity' },
  { object: 'tasks', recordType: 'task' },
];

/** HubSpot's default sales pipeline stages ↔ ours. */
const STAGE_IN: Record<string, string> = {
  appointmentscheduled: 'prospecting',
  qualifiedtobuy: 'qualification',
  presentationscheduled: 'proposal',
  decisionmakerboughtin: 'negotiation',
  contractsent: 'negotiation',
  closedwon: 'closed_won',
  closedlost: 'closed_lost',
};
const STAGE_OUT: Record<string, string> = {
  prospecting: 'appointmentscheduled',
  qualification: 'qualifiedtobuy',
  proposal: 'presentationscheduled',
  negotiation: 'contractsent',
  closed_won: 'closedwon',
  closed_lost: 'closedlost',
};

const PROPERTIES: Record<HubSpotObjectType, string[]> = {
  companies: ['name', 'domain', 'industry', 'country'],
  contacts: ['firstname', 'lastname', 'email', 'phone', 'jobtitle', 'country', 'associatedcompanyid'],
  deals: ['dealname', 'amount', 'dealstage', 'closedate', 'deal_currency_code'],
  tasks: ['hs_task_subject', 'hs_timestamp', 'hs_task_status'],
};

const blankToNull = (value: string | null | undefined) => (value === undefined || value === null || value.trim() === '' ? null : value);

function fieldsIn(type: HubSpotObjectType, p: Record<string, string | null>): Record<string, unknown> {
  switch (type) {
    case 'companies':
      return { name: blankToNull(p.name), domain: blankToNull(p.domain), industry: blankToNull(p.industry), country: blankToNull(p.country) };
    case 'contacts':
      return {
        firstName: blankToNull(p.firstname),
        lastName: blankToNull(p.lastname),
        emails: blankToNull(p.email) ? [p.email] : [],
        phones: blankToNull(p.phone) ? [p.phone] : [],
        jobTitle: blankToNull(p.jobtitle),
        country: blankToNull(p.country),
        accountRef: blankToNull(p.associatedcompanyid),
      };
    case 'deals':
      return {
        name: blankToNull(p.dealname),
        amount: blankToNull(p.amount),
        currency: blankToNull(p.deal_currency_code),
        stage: p.dealstage ? (STAGE_IN[p.dealstage] ?? 'prospecting') : null,
        expectedCloseDate: blankToNull(p.closedate)?.slice(0, 10) ?? null,
      };
    case 'tasks':
      return { title: blankToNull(p.hs_task_subject), dueAt: blankToNull(p.hs_timestamp), done: p.hs_task_status === 'COMPLETED' };
  }
}

function fieldsOut(type: HubSpotObjectType, f: Record<string, any>): Record<string, string | null> {
  switch (type) {
    case 'companies':
      return { name: f.name ?? null, domain: f.domain ?? null, industry: f.industry ?? null, country: f.country ?? null };
    case 'contacts':
      return {
        firstname: f.firstName ?? null,
        lastname: f.lastName ?? null,
        email: f.emails?.[0] ?? null,
        phone: f.phones?.[0] ?? null,
        jobtitle: f.jobTitle ?? null,
        country: f.country ?? null,
        ...(f.accountRef ? { associatedcompanyid: f.accountRef } : {}),
      };
    case 'deals':
      return {
        dealname: f.name ?? null,
        amount: f.amount ?? null,
        deal_currency_code: f.currency ?? null,
        dealstage: f.stage ? (STAGE_OUT[f.stage] ?? null) : null,
        closedate: f.expectedCloseDate ?? null,
      };
    case 'tasks':
      return { hs_task_subject: f.title ?? null, hs_timestamp: f.dueAt ?? null, hs_task_status: f.done ? 'COMPLETED' : 'NOT_STARTED' };
  }
}

function asType(object: string): HubSpotObjectType {
  if (!(object in PROPERTIES)) throw new Error(`HubSpot has no object "${object}" here`);
  return object as HubSpotObjectType;
}

const toRecord = (type: HubSpotObjectType) => (object: HubSpotObject): ExternalRecord => ({
  id: object.id,
  updatedAt: object.updatedAt ?? null,
  fields: fieldsIn(type, object.properties),
});

/** HubSpot CRM v3: companies, contacts, deals and tasks. */
export function hubspotConnector(settings: ConnectorSettings): Connector {
  const http = new ConnectorHttp(settings.baseUrl, settings.credentials, { onCredentials: settings.onCredentials, ...(settings.sleep ? { sleep: settings.sleep } : {}) });
  const client = new HubSpotClient(http);
  return {
    kind: 'hubspot',
    mappings: MAPPINGS,
    stats: http.stats,
    async listAll(object, cursor) {
      const type = asType(object);
      const page = await client.listPage(type, PROPERTIES[type], cursor);
      return { records: page.results.map(toRecord(type)), next: page.next };
    },
    async listChanged(object, since, cursor) {
      const type = asType(object);
      const page = await client.modifiedPage(type, PROPERTIES[type], since, cursor);
      return { records: page.results.map(toRecord(type)), next: page.next };
    },
    // HubSpot keeps deleted objects as archived; those archived since the instant are the deletions.
    async listDeleted(object, since, cursor) {
      const page = await client.listPage(asType(object), [], cursor, true);
      const ids = page.results.filter((o) => !o.archivedAt || Date.parse(o.archivedAt) >= since.getTime()).map((o) => o.id);
      return { ids, next: page.next };
    },
    async get(object, id) {
      const type = asType(object);
      try {
        return toRecord(type)(await client.get(type, id, PROPERTIES[type]));
      } catch (error) {
        if (error instanceof ConnectorError && error.status === 404) return null;
        throw error;
      }
    },
    async create(object, fields) {
      const type = asType(object);
      return toRecord(type)(await client.create(type, fieldsOut(type, fields)));
    },
    async update(object, id, fields) {
      const type = asType(object);
      return toRecord(type)(await client.update(type, id, fieldsOut(type, fields)));
    },
    async remove(object, id) {
      try {
        await client.archive(asType(object), id);
      } catch (error) {
        // Already gone there: the deletion is done.
        if (!(error instanceof ConnectorError && error.status === 404)) throw error;
      }
    },
    async erase(object, id) {
      if (object !== 'contacts') {
        await this.remove(object, id);
        return { method: 'delete', permanent: false, note: 'archived in HubSpot (restorable there for 90 days)' };
      }
      try {
        await client.gdprDelete(id);
      } catch (error) {
        if (!(error instanceof ConnectorError && error.status === 404)) throw error;
      }
      return { method: 'gdpr_delete', permanent: true, note: "HubSpot's GDPR delete: the contact is deleted permanently and cannot be restored" };
    },
  };
}
