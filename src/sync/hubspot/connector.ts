import type { Connector, ConnectorSettings, ExternalRecord, ObjectMapping } from '../connector.ts';
import { ConnectorError, ConnectorHttp } from '../http.ts';
import { HubSpotClient, type DealStage, type HubSpotObject, type HubSpotObjectType } from './client.ts';

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
  contacts: ['firstname', 'lastname', 'email', 'phone', 'jobtitle', 'country', 'associatedcompanyid', 'hs_merged_object_ids'],
  deals: ['dealname', 'amount', 'dealstage', 'closedate', 'deal_currency_code'],
  tasks: ['hs_task_subject', 'hs_timestamp', 'hs_task_status'],
};

/**
 * A stage of any pipeline, ours: by its label when it is one of the default pipeline's, else by
 * the stage's own metadata (closed with probability 1 is won, closed otherwise lost, open stages
 * by probability), so a custom pipeline is not collapsed into one stage.
 */
export function stageOf(stage: DealStage): string {
  const byLabel: Record<string, string> = {
    'appointment scheduled': 'prospecting',
    'qualified to buy': 'qualification',
    'presentation scheduled': 'proposal',
    'decision maker bought-in': 'negotiation',
    'contract sent': 'negotiation',
    'closed won': 'closed_won',
    'closed lost': 'closed_lost',
  };
  const known = byLabel[stage.label.trim().toLowerCase()];
  if (known) return known;
  const probability = Number(stage.metadata.probability ?? NaN);
  if (stage.metadata.isClosed === 'true') return probability >= 1 ? 'closed_won' : 'closed_lost';
  if (Number.isNaN(probability) || probability < 0.2) return 'prospecting';
  if (probability < 0.4) return 'qualification';
  if (probability < 0.7) return 'proposal';
  return 'negotiation';
}

const blankToNull = (value: string | null | undefined) => (value === undefined || value === null || value.trim() === '' ? null : value);

/** What the portal says once per run: its currency, and every pipeline stage mapped to ours. */
interface Portal {
  currency: string | null;
  stages: Map<string, string>;
}

function fieldsIn(type: HubSpotObjectType, p: Record<string, string | null>, portal: Portal): Record<string, unknown> {
  switch (type) {
    case 'companies':
      return {
        name: blankToNull(p.name),
        domain: blankToNull(p.domain),
        industry: blankToNull(p.industry),
        country: blankToNull(p.country),
      };
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
        currency: blankToNull(p.deal_currency_code) ?? portal.currency,
        stage: p.dealstage ? (STAGE_IN[p.dealstage] ?? portal.stages.get(p.dealstage) ?? 'prospecting') : null,
        expectedCloseDate: blankToNull(p.closedate)?.slice(0, 10) ?? null,
      };
    case 'tasks':
      return { title: blankToNull(p.hs_task_subject), dueAt: blankToNull(p.hs_timestamp), done: p.hs_task_status === 'COMPLETED' };
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a vendor record's fields, named by the mapping: checked by the vendor's SDK types where they are built, by fields.ts where they are read
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
      // HubSpot requires hs_timestamp on a task (its due date); one without a due date is due now.
      return {
        hs_task_subject: f.title ?? null,
        hs_timestamp: f.dueAt ?? new Date().toISOString(),
        hs_task_status: f.done ? 'COMPLETED' : 'NOT_STARTED',
      };
  }
}

function asType(object: string): HubSpotObjectType {
  if (!(object in PROPERTIES)) throw new Error(`HubSpot has no object "${object}" here`);
  return object as HubSpotObjectType;
}

const toRecord =
  (type: HubSpotObjectType, portal: Portal) =>
  (object: HubSpotObject): ExternalRecord => ({
    id: object.id,
    updatedAt: object.updatedAt ?? null,
    fields: fieldsIn(type, object.properties, portal),
  });

/** Contacts merged into the ones on the page: gone as themselves in HubSpot (hs_merged_object_ids, ";"-separated). */
const mergedAway = (type: HubSpotObjectType, objects: HubSpotObject[]) =>
  type === 'contacts'
    ? objects.flatMap((o) =>
        (o.properties.hs_merged_object_ids ?? '')
          .split(';')
          .map((id) => id.trim())
          .filter((id) => id && id !== o.id),
      )
    : [];

/** HubSpot CRM v3: companies, contacts, deals and tasks. */
export function hubspotConnector(settings: ConnectorSettings): Connector {
  const http = new ConnectorHttp(settings.baseUrl, settings.credentials, {
    onCredentials: settings.onCredentials,
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
  });
  const client = new HubSpotClient(http);
  let portalRead: Promise<Portal> | null = null;
  const emptyPortal: Portal = { currency: null, stages: new Map() };
  /** Read once per run, and only for deals: a deal without a currency is in the portal's, a custom pipeline's stages are mapped by their metadata. */
  const portal = (type: HubSpotObjectType, objects: HubSpotObject[]): Promise<Portal> => {
    if (type !== 'deals') return Promise.resolve(emptyPortal);
    const needed = objects.some(
      (o) => !blankToNull(o.properties.deal_currency_code) || (o.properties.dealstage && !STAGE_IN[o.properties.dealstage]),
    );
    if (!needed && !portalRead) return Promise.resolve(emptyPortal);
    return (portalRead ??= (async () => {
      const [details, pipelines] = await Promise.all([client.accountDetails(), client.dealPipelines()]);
      return {
        currency: details.companyCurrency ?? null,
        stages: new Map(pipelines.flatMap((pipeline) => pipeline.stages.map((stage) => [stage.id, stageOf(stage)] as const))),
      };
    })());
  };
  /** What a deal or a task is tied to is kept in associations (v4), not in its properties. */
  const associations = async (type: HubSpotObjectType, ids: string[]): Promise<(id: string) => Record<string, unknown>> => {
    if (type === 'deals') {
      const [companies, contacts] = await Promise.all([
        client.associated('deals', 'companies', ids),
        client.associated('deals', 'contacts', ids),
      ]);
      return (id) => ({ accountRef: companies.get(id)?.[0] ?? null, contactRefs: contacts.get(id) ?? [] });
    }
    if (type === 'tasks') {
      const [contacts, deals, companies] = await Promise.all([
        client.associated('tasks', 'contacts', ids),
        client.associated('tasks', 'deals', ids),
        client.associated('tasks', 'companies', ids),
      ]);
      // A task is kept on one record here: the person it is about first, else the deal, else the company.
      return (id) => {
        const candidates = [
          ['contact', contacts],
          ['opportunity', deals],
          ['account', companies],
        ] as const;
        const found = candidates.map(([type, map]) => ({ type, ref: map.get(id)?.[0] })).find((candidate) => candidate.ref);
        return { about: found ?? null };
      };
    }
    return () => ({});
  };
  const records = async (type: HubSpotObjectType, objects: HubSpotObject[]) => {
    const [mapped, tied] = await Promise.all([
      portal(type, objects).then((found) => objects.map(toRecord(type, found))),
      associations(
        type,
        objects.map((o) => o.id),
      ),
    ]);
    return mapped.map((record) => ({ ...record, fields: { ...record.fields, ...tied(record.id) } }));
  };
  return {
    kind: 'hubspot',
    mappings: MAPPINGS,
    stats: http.stats,
    async listAll(object, cursor) {
      const type = asType(object);
      const page = await client.listPage(type, PROPERTIES[type], cursor);
      return { records: await records(type, page.results), deletedIds: mergedAway(type, page.results), next: page.next };
    },
    async listChanged(object, since, cursor) {
      const type = asType(object);
      const page = await client.modifiedPage(type, PROPERTIES[type], since, cursor);
      return { records: await records(type, page.results), deletedIds: mergedAway(type, page.results), next: page.next };
    },
    // A contact deleted with HubSpot's GDPR delete leaves no archived trace: the reconciliation lists every id.
    async listIds(object, cursor) {
      const page = await client.listPage(asType(object), [], cursor);
      return { ids: page.results.map((o) => o.id), next: page.next };
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
        const found = await client.get(type, id, PROPERTIES[type]);
        return (await records(type, [found]))[0]!;
      } catch (error) {
        if (error instanceof ConnectorError && error.status === 404) return null;
        throw error;
      }
    },
    async create(object, fields) {
      const type = asType(object);
      const created = await client.create(type, fieldsOut(type, fields));
      if (type === 'deals' && typeof fields.accountRef === 'string') await client.associateDealCompany(created.id, fields.accountRef);
      return (await records(type, [created]))[0]!;
    },
    async update(object, id, fields) {
      const type = asType(object);
      const updated = await client.update(type, id, fieldsOut(type, fields));
      if (type === 'deals' && typeof fields.accountRef === 'string') await client.associateDealCompany(id, fields.accountRef);
      return (await records(type, [updated]))[0]!;
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
      return {
        method: 'gdpr_delete',
        permanent: true,
        note: "HubSpot's GDPR delete: the contact is deleted permanently and cannot be restored",
      };
    },
    async findByEmail(email, objects) {
      if (!objects.includes('contacts')) return [];
      const found = await client.contactsWithEmail(email, PROPERTIES.contacts);
      return (await records('contacts', found)).map((record) => ({ object: 'contacts', record }));
    },
    async optOut(object, id) {
      if (asType(object) !== 'contacts') return { answer: `HubSpot keeps no marketing preference on ${object}` };
      const email = (await client.get('contacts', id, ['email'])).properties.email;
      if (!email) return { answer: 'HubSpot holds no e-mail address for the contact: it cannot be mailed, nothing to unsubscribe' };
      const types = await client.unsubscribeEverywhere(email);
      return {
        answer: types.length
          ? `unsubscribed in HubSpot from ${types.length} e-mail subscription type(s): ${types.join(', ')}`
          : 'subscribed to no e-mail type in HubSpot: nothing to unsubscribe',
      };
    },
  };
}
