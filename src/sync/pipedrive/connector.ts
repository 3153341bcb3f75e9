import { v1, v2 } from 'pipedrive';
import { connectorAdapter } from '../axios-adapter.ts';
import type { Connector, ConnectorSettings, ExternalRecord, ObjectMapping, RecordPage } from '../connector.ts';
import { ConnectorError, ConnectorHttp } from '../http.ts';

/**
 * Pipedrive through its official SDK (npm "pipedrive", https://developers.pipedrive.com/docs/api/v1
 * and /v2): organizations, persons, deals and activities on API v2 (cursor paging, updated_since,
 * ISO 8601 times); leads on v1, which v2 has no listing of. The SDK builds the requests and types
 * the answers; they travel through the connector's HTTP layer (src/sync/axios-adapter.ts).
 *
 * Deletions, from what the API really says:
 * - deals: v2 lists deleted deals (status=deleted, is_deleted true) for the 30 days Pipedrive keeps them;
 * - persons, organizations, activities: v2 lists only live ones, so the v1 /recents feed is read,
 *   where a deleted object comes back with active_flag false;
 * - leads: a deleted lead is gone at once (no flag, no feed). Every run lists every lead, live
 *   and archived (/leads/archived), and the engine deletes the links of those no longer listed;
 *   an archived lead is a live lead, never a deletion.
 */

export const PIPEDRIVE_BASE_URL = 'https://api.pipedrive.com';

const MAPPINGS: readonly ObjectMapping[] = [
  { object: 'organizations', recordType: 'account' },
  { object: 'persons', recordType: 'contact' },
  { object: 'leads', recordType: 'lead' },
  { object: 'deals', recordType: 'opportunity' },
  { object: 'activities', recordType: 'task' },
];
const RECENT_ITEM = { organizations: 'organization', persons: 'person', activities: 'activity' } as const;
const LIMIT = 500;

/** Pipedrive v1 still writes "YYYY-MM-DD HH:MM:SS" (UTC) in /recents; v2 and leads write ISO 8601. */
const v1Time = (since: Date) => since.toISOString().slice(0, 19).replace('T', ' ');
const isoTime = (value: string | null | undefined) =>
  value ? new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`).toISOString() : null;
const values = (list: Array<{ value?: string }> | undefined) =>
  (list ?? []).map((entry) => entry.value).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
const ref = (id: number | null | undefined) => (id === null || id === undefined ? null : String(id));
const numeric = (id: unknown) => (id === null || id === undefined ? undefined : Number(id));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a vendor record's fields, named by the mapping: checked by the vendor's SDK types where they are built, by fields.ts where they are read
type Fields = Record<string, any>;

/** What an activity is about: its person first, else its lead, its deal, its organization. */
function activitySubject(o: v2.ActivityItem): { type: string; ref: string } | null {
  const candidates = [
    ['contact', ref(o.person_id)],
    ['lead', o.lead_id ?? null],
    ['opportunity', ref(o.deal_id)],
    ['account', ref(o.org_id)],
  ] as const;
  const found = candidates.find(([, id]) => id);
  return found ? { type: found[0], ref: found[1]! } : null;
}

const read = {
  organizations: (o: v2.OrganizationItem) => ({ name: o.name ?? null, domain: o.website ?? null, country: o.address?.country ?? null }),
  persons: (o: v2.Person) => ({
    firstName: o.first_name ?? null,
    lastName: o.last_name ?? null,
    emails: values(o.emails),
    phones: values(o.phones),
    jobTitle: o.job_title ?? null,
    accountRef: ref(o.org_id),
  }),
  leads: (o: v1.Lead) => ({ companyName: o.title ?? null }),
  deals: (o: v2.Deal) => ({
    name: o.title ?? null,
    amount: o.value === null || o.value === undefined ? null : String(o.value),
    currency: o.currency ?? null,
    stage: o.status === 'won' ? 'closed_won' : o.status === 'lost' ? 'closed_lost' : 'prospecting',
    expectedCloseDate: o.expected_close_date ?? null,
    accountRef: ref(o.org_id),
    contactRefs: o.person_id ? [String(o.person_id)] : [],
  }),
  activities: (o: v2.ActivityItem) => ({
    title: o.subject ?? null,
    dueAt: o.due_date ? `${o.due_date}T${(o.due_time || '00:00').slice(0, 5)}:00Z` : null,
    done: Boolean(o.done),
    about: activitySubject(o),
  }),
};

const write = {
  organizations: (f: Fields): v2.AddOrganizationRequest => ({
    name: f.name,
    ...(f.domain ? { website: f.domain } : {}),
    ...(f.country ? { address: { country: f.country } } : {}),
  }),
  persons: (f: Fields): v2.AddPersonRequest => ({
    name: [f.firstName, f.lastName].filter(Boolean).join(' ') || f.emails?.[0],
    emails: (f.emails ?? []).map((value: string, i: number) => ({ value, primary: i === 0, label: 'work' })),
    phones: (f.phones ?? []).map((value: string, i: number) => ({ value, primary: i === 0, label: 'work' })),
    ...(f.jobTitle ? { job_title: f.jobTitle } : {}),
    ...(f.accountRef ? { org_id: numeric(f.accountRef) } : {}),
  }),
  leads: (f: Fields): v1.AddLeadRequest => ({ title: f.companyName ?? ([f.firstName, f.lastName].filter(Boolean).join(' ') || f.email) }),
  deals: (f: Fields): v2.AddDealRequest => ({
    title: f.name,
    ...(f.amount !== null && f.amount !== undefined ? { value: Number(f.amount) } : {}),
    ...(f.currency ? { currency: f.currency } : {}),
    status: f.stage === 'closed_won' ? 'won' : f.stage === 'closed_lost' ? 'lost' : 'open',
    ...(f.expectedCloseDate ? { expected_close_date: f.expectedCloseDate } : {}),
    ...(f.accountRef ? { org_id: numeric(f.accountRef) } : {}),
  }),
  activities: (f: Fields): v2.AddActivityRequest => ({
    subject: f.title,
    done: Boolean(f.done),
    ...(f.dueAt ? { due_date: f.dueAt.slice(0, 10), due_time: f.dueAt.slice(11, 16) } : {}),
  }),
};

type Objects = keyof typeof read;
function objectOf(object: string): Objects {
  if (!(object in read)) throw new Error(`Pipedrive has no object "${object}" here`);
  return object as Objects;
}

function toRecord(object: Objects, o: { id?: number | string; update_time?: string }): ExternalRecord {
  return { id: String(o.id), updatedAt: isoTime(o.update_time), fields: read[object](o as never) };
}

/** Pipedrive: organizations, persons, leads, deals and activities. */
export function pipedriveConnector(settings: ConnectorSettings): Connector {
  const http = new ConnectorHttp(settings.baseUrl, settings.credentials, {
    onCredentials: settings.onCredentials,
    apiKeyHeaders: (token) => ({ 'x-api-token': token }),
    clientAuthentication: 'basic',
    ...(settings.acceptApiRoot ? { acceptApiRoot: settings.acceptApiRoot } : {}),
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
  });
  const adapter = connectorAdapter(http);
  // Built per call: a refreshed token may name another api_domain.
  const configuration = (version: 'v1' | 'v2') => {
    const Configuration = version === 'v1' ? v1.Configuration : v2.Configuration;
    const config = new Configuration({ basePath: `${http.root.replace(/\/+$/, '')}/api/${version}` });
    config.baseOptions = { adapter };
    return config;
  };
  const v2Api = {
    organizations: () => new v2.OrganizationsApi(configuration('v2')),
    persons: () => new v2.PersonsApi(configuration('v2')),
    deals: () => new v2.DealsApi(configuration('v2')),
    activities: () => new v2.ActivitiesApi(configuration('v2')),
  };
  const leadsApi = () => new v1.LeadsApi(configuration('v1'));

  /** One v2 page of an object: everything (by id), or changed since a moment (oldest change first). */
  async function v2Page(object: Exclude<Objects, 'leads'>, cursor: string | null, since: Date | null, status?: 'deleted') {
    const query = {
      limit: LIMIT,
      ...(cursor ? { cursor } : {}),
      ...(since
        ? { updated_since: since.toISOString(), sort_by: 'update_time' as const, sort_direction: 'asc' as const }
        : { sort_by: 'id' as const }),
    };
    const page =
      object === 'organizations'
        ? await v2Api.organizations().getOrganizations(query)
        : object === 'persons'
          ? await v2Api.persons().getPersons(query)
          : object === 'deals'
            ? await v2Api.deals().getDeals({ ...query, ...(status ? { status } : {}) })
            : await v2Api.activities().getActivities(query);
    return {
      items: (page.data ?? []) as Array<{ id?: number; update_time?: string; is_deleted?: boolean }>,
      next: page.additional_data?.next_cursor ?? null,
    };
  }

  /** Every lead, live ones first, then the archived ones: cursor "live:<start>" or "archived:<start>". */
  async function leadsPage(cursor: string | null): Promise<RecordPage> {
    const [list, startText] = (cursor ?? 'live:0').split(':') as ['live' | 'archived', string];
    const start = Number(startText);
    const request = { start, limit: LIMIT, sort: 'id' as const };
    const page = list === 'live' ? await leadsApi().getLeads(request) : await leadsApi().getArchivedLeads(request);
    const more = page.additional_data?.more_items_in_collection === true;
    const next = more ? `${list}:${start + LIMIT}` : list === 'live' ? 'archived:0' : null;
    return { records: (page.data ?? []).map((lead) => toRecord('leads', lead)), next };
  }

  async function missing<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConnectorError && (error.status === 404 || error.status === 410)) return null;
      throw error;
    }
  }

  return {
    kind: 'pipedrive',
    mappings: MAPPINGS,
    stats: http.stats,
    snapshotObjects: ['leads'],
    async listAll(name, cursor) {
      const object = objectOf(name);
      if (object === 'leads') return leadsPage(cursor);
      const page = await v2Page(object, cursor, null);
      return { records: page.items.map((o) => toRecord(object, o)), next: page.next };
    },
    async listChanged(name, since, cursor): Promise<RecordPage> {
      const object = objectOf(name);
      if (object === 'leads') return leadsPage(cursor);
      const page = await v2Page(object, cursor, since);
      return { records: page.items.filter((o) => !o.is_deleted).map((o) => toRecord(object, o)), next: page.next };
    },
    async listDeleted(name, since, cursor) {
      const object = objectOf(name);
      if (object === 'leads') return { ids: [], next: null };
      if (object === 'deals') {
        const page = await v2Page('deals', cursor, since, 'deleted');
        return { ids: page.items.filter((o) => o.is_deleted).map((o) => String(o.id)), next: page.next };
      }
      const start = Number(cursor ?? 0);
      const page = await new v1.RecentsApi(configuration('v1')).getRecents({
        since_timestamp: v1Time(since),
        items: RECENT_ITEM[object],
        start,
        limit: LIMIT,
      });
      const entries = (page.data ?? []) as Array<{ id?: number; data?: { active_flag?: boolean } }>;
      const more = page.additional_data?.pagination?.more_items_in_collection === true;
      return {
        ids: entries.filter((entry) => entry.data?.active_flag === false).map((entry) => String(entry.id)),
        next: more ? String(start + LIMIT) : null,
      };
    },
    async get(name, id) {
      const object = objectOf(name);
      const found =
        object === 'leads'
          ? await missing(() => leadsApi().getLead({ id }))
          : object === 'organizations'
            ? await missing(() => v2Api.organizations().getOrganization({ id: Number(id) }))
            : object === 'persons'
              ? await missing(() => v2Api.persons().getPerson({ id: Number(id) }))
              : object === 'deals'
                ? await missing(() => v2Api.deals().getDeal({ id: Number(id) }))
                : await missing(() => v2Api.activities().getActivity({ id: Number(id) }));
      const data = found?.data as { id?: number | string; is_deleted?: boolean } | undefined;
      return data && !data.is_deleted ? toRecord(object, data) : null;
    },
    async create(name, fields) {
      const object = objectOf(name);
      const created =
        object === 'leads'
          ? await leadsApi().addLead({ AddLeadRequest: write.leads(fields) })
          : object === 'organizations'
            ? await v2Api.organizations().addOrganization({ AddOrganizationRequest: write.organizations(fields) })
            : object === 'persons'
              ? await v2Api.persons().addPerson({ AddPersonRequest: write.persons(fields) })
              : object === 'deals'
                ? await v2Api.deals().addDeal({ AddDealRequest: write.deals(fields) })
                : await v2Api.activities().addActivity({ AddActivityRequest: write.activities(fields) });
      return toRecord(object, created.data as { id?: number });
    },
    async update(name, id, fields) {
      const object = objectOf(name);
      const updated =
        object === 'leads'
          ? await leadsApi().updateLead({ id, UpdateLeadRequest: write.leads(fields) })
          : object === 'organizations'
            ? await v2Api.organizations().updateOrganization({ id: Number(id), UpdateOrganizationRequest: write.organizations(fields) })
            : object === 'persons'
              ? await v2Api.persons().updatePerson({ id: Number(id), UpdatePersonRequest: write.persons(fields) })
              : object === 'deals'
                ? await v2Api.deals().updateDeal({ id: Number(id), UpdateDealRequest: write.deals(fields) })
                : await v2Api.activities().updateActivity({ id: Number(id), AddActivityRequest: write.activities(fields) });
      return toRecord(object, updated.data as { id?: number });
    },
    async remove(name, id) {
      const object = objectOf(name);
      await missing<unknown>(() =>
        object === 'leads'
          ? leadsApi().deleteLead({ id })
          : object === 'organizations'
            ? v2Api.organizations().deleteOrganization({ id: Number(id) })
            : object === 'persons'
              ? v2Api.persons().deletePerson({ id: Number(id) })
              : object === 'deals'
                ? v2Api.deals().deleteDeal({ id: Number(id) })
                : v2Api.activities().deleteActivity({ id: Number(id) }),
      );
    },
    async erase(object, id) {
      await this.remove(object, id);
      return object === 'leads'
        ? { method: 'delete', permanent: true, note: 'deleted in Pipedrive (a lead is gone at once)' }
        : {
            method: 'delete',
            permanent: false,
            note: 'deleted in Pipedrive; Pipedrive keeps it restorable for 30 days, then deletes it permanently',
          };
    },
    // Leads carry no address of their own in Pipedrive: a person is found by theirs (persons search, exact match on e-mail).
    async findByEmail(email, objects) {
      if (!objects.includes('persons')) return [];
      const found = await v2Api.persons().searchPersons({ term: email, fields: 'email', exact_match: true });
      const ids = (found.data?.items ?? []).map((entry) => entry.item?.id).filter((id): id is number => typeof id === 'number');
      const records = await Promise.all(ids.map((id) => this.get('persons', String(id))));
      return records.filter((record): record is ExternalRecord => record !== null).map((record) => ({ object: 'persons', record }));
    },
    /**
     * Pipedrive keeps the marketing status on the person (Campaigns: "unsubscribed" from all
     * marketing communications); a lead's is its person's. Pipedrive allows the change once.
     */
    async optOut(name, id) {
      const object = objectOf(name);
      if (object !== 'persons' && object !== 'leads') return { answer: `Pipedrive keeps no marketing status on ${object}` };
      const personId = object === 'persons' ? Number(id) : (await missing(() => leadsApi().getLead({ id })))?.data?.person_id;
      if (!personId) return { answer: 'the lead names no person in Pipedrive: there is no marketing status to set' };
      await v2Api.persons().updatePerson({ id: personId, UpdatePersonRequest: { marketing_status: 'unsubscribed' } });
      return { answer: `marketing status set to "unsubscribed" on the ${object === 'leads' ? "lead's person" : 'person'} in Pipedrive` };
    },
  };
}
