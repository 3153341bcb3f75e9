import type { Connector, ConnectorSettings, ExternalRecord, ObjectMapping, RecordPage } from '../connector.ts';
import { ConnectorError, ConnectorHttp } from '../http.ts';

/**
 * Pipedrive REST API v1 (https://developers.pipedrive.com/docs/api/v1): offset paging with
 * start/limit and additional_data.pagination; changes since a moment through /recents, where a
 * deleted object reappears with active_flag false; leads are not in /recents, so they are read
 * newest change first until older than the moment, and a deleted lead is an archived one.
 * Timestamps are UTC "YYYY-MM-DD HH:MM:SS". The API token travels in the x-api-token header.
 */

export const PIPEDRIVE_BASE_URL = 'https://api.pipedrive.com';

const MAPPINGS: readonly ObjectMapping[] = [
  { object: 'organizations', recordType: 'account' },
  { object: 'persons', recordType: 'contact' },
  { object: 'leads', recordType: 'lead' },
  { object: 'deals', recordType: 'opportunity' },
  { object: 'activities', recordType: 'task' },
];
const RECENT_ITEM: Record<string, string> = { organizations: 'organization', persons: 'person', deals: 'deal', activities: 'activity' };
const LIMIT = 500;

type Raw = Record<string, any>;
interface ListResponse<T> {
  data: T[] | null;
  additional_data?: { pagination?: { more_items_in_collection?: boolean; next_start?: number } };
}

const toTime = (since: Date) => since.toISOString().slice(0, 19).replace('T', ' ');
const fromTime = (value: string | null | undefined) => (value ? new Date(`${value.replace(' ', 'T')}Z`).toISOString() : null);
const idOf = (ref: unknown) => (ref === null || ref === undefined ? null : typeof ref === 'object' ? String((ref as { value: unknown }).value) : String(ref));
const values = (list: unknown) => (Array.isArray(list) ? list.map((entry) => (typeof entry === 'object' && entry ? (entry as { value?: string }).value : entry)).filter((v): v is string => typeof v === 'string' && v.trim() !== '') : []);

function fieldsIn(object: string, o: Raw): Record<string, unknown> {
  switch (object) {
    case 'organizations':
      return { name: o.name ?? null, domain: o.website ?? null, country: o.address_country ?? null };
    case 'persons':
      return { firstName: o.first_name ?? null, lastName: o.last_name ?? null, emails: values(o.email), phones: values(o.phone), jobTitle: o.job_title ?? null, accountRef: idOf(o.org_id) };
    case 'leads':
      return { companyName: o.title ?? null, status: undefined };
    case 'deals':
      return {
        name: o.title ?? null,
        amount: o.value === null || o.value === undefined ? null : String(o.value),
        currency: o.currency ?? null,
        stage: o.status === 'won' ? 'closed_won' : o.status === 'lost' ? 'closed_lost' : 'prospecting',
        expectedCloseDate: o.expected_close_date ?? null,
        accountRef: idOf(o.org_id),
      };
    case 'activities':
      return { title: o.subject ?? null, dueAt: o.due_date ? `${o.due_date}T${o.due_time || '00:00'}:00Z` : null, done: Boolean(o.done) };
  }
  throw new Error(`Pipedrive has no object "${object}" here`);
}

function fieldsOut(object: string, f: Record<string, any>): Raw {
  switch (object) {
    case 'organizations':
      return { name: f.name, ...(f.country ? { address_country: f.country } : {}) };
    case 'persons':
      return {
        name: [f.firstName, f.lastName].filter(Boolean).join(' ') || f.emails?.[0],
        first_name: f.firstName ?? null,
        last_name: f.lastName ?? null,
        email: (f.emails ?? []).map((value: string, i: number) => ({ value, primary: i === 0 })),
        phone: (f.phones ?? []).map((value: string, i: number) => ({ value, primary: i === 0 })),
        ...(f.accountRef ? { org_id: Number(f.accountRef) } : {}),
      };
    case 'leads':
      return { title: f.companyName ?? ([f.firstName, f.lastName].filter(Boolean).join(' ') || f.email) };
    case 'deals':
      return { title: f.name, value: f.amount === null ? null : Number(f.amount), currency: f.currency, status: f.stage === 'closed_won' ? 'won' : f.stage === 'closed_lost' ? 'lost' : 'open', ...(f.accountRef ? { org_id: Number(f.accountRef) } : {}) };
    case 'activities':
      return { subject: f.title, done: f.done ? 1 : 0, ...(f.dueAt ? { due_date: f.dueAt.slice(0, 10), due_time: f.dueAt.slice(11, 16) } : {}) };
  }
  throw new Error(`Pipedrive has no object "${object}" here`);
}

const toRecord = (object: string) => (o: Raw): ExternalRecord => ({ id: String(o.id), updatedAt: fromTime(o.update_time), fields: fieldsIn(object, o) });
const nextStart = (page: ListResponse<unknown>) => (page.additional_data?.pagination?.more_items_in_collection ? String(page.additional_data.pagination.next_start) : null);

/** Pipedrive v1: organizations, persons, leads, deals and activities. */
export function pipedriveConnector(settings: ConnectorSettings): Connector {
  const http = new ConnectorHttp(settings.baseUrl, settings.credentials, {
    onCredentials: settings.onCredentials,
    apiKeyHeaders: (token) => ({ 'x-api-token': token }),
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
  });
  const list = <T>(path: string, query: Record<string, string>) => http.json<ListResponse<T>>('GET', `${path}?${new URLSearchParams(query)}`);

  /** Leads, newest change first, down to the moment (archived: the deleted ones). */
  async function leadsSince(since: Date, cursor: string | null, archived: boolean) {
    const page = await list<Raw>('/v1/leads', { start: cursor ?? '0', limit: String(LIMIT), sort: 'update_time DESC', archived_status: archived ? 'archived' : 'not_archived' });
    const recent = (page.data ?? []).filter((o) => Date.parse(fromTime(o.update_time)!) >= since.getTime());
    const reachedOlder = recent.length < (page.data ?? []).length;
    return { recent, next: reachedOlder ? null : nextStart(page) };
  }

  return {
    kind: 'pipedrive',
    mappings: MAPPINGS,
    stats: http.stats,
    async listAll(object, cursor) {
      const page = await list<Raw>(`/v1/${object}`, { start: cursor ?? '0', limit: String(LIMIT), ...(object === 'leads' ? { archived_status: 'not_archived' } : {}) });
      return { records: (page.data ?? []).map(toRecord(object)), next: nextStart(page) };
    },
    async listChanged(object, since, cursor): Promise<RecordPage> {
      if (object === 'leads') {
        const { recent, next } = await leadsSince(since, cursor, false);
        return { records: recent.map(toRecord(object)), next };
      }
      const page = await list<{ item: string; id: number; data: Raw }>('/v1/recents', { since_timestamp: toTime(since), items: RECENT_ITEM[object]!, start: cursor ?? '0', limit: String(LIMIT) });
      const entries = page.data ?? [];
      return {
        records: entries.filter((e) => e.data.active_flag !== false).map((e) => toRecord(object)(e.data)),
        deletedIds: entries.filter((e) => e.data.active_flag === false).map((e) => String(e.id)),
        next: nextStart(page),
      };
    },
    async listDeleted(object, since, cursor) {
      // Deletions of the other objects came with their changes, from /recents.
      if (object !== 'leads') return { ids: [], next: null };
      const { recent, next } = await leadsSince(since, cursor, true);
      return { ids: recent.map((o) => String(o.id)), next };
    },
    async get(object, id) {
      try {
        const found = await http.json<{ data: Raw }>('GET', `/v1/${object}/${encodeURIComponent(id)}`);
        return toRecord(object)(found.data);
      } catch (error) {
        if (error instanceof ConnectorError && error.status === 404) return null;
        throw error;
      }
    },
    async create(object, fields) {
      return toRecord(object)((await http.json<{ data: Raw }>('POST', `/v1/${object}`, fieldsOut(object, fields))).data);
    },
    async update(object, id, fields) {
      return toRecord(object)((await http.json<{ data: Raw }>(object === 'leads' ? 'PATCH' : 'PUT', `/v1/${object}/${encodeURIComponent(id)}`, fieldsOut(object, fields))).data);
    },
    async remove(object, id) {
      try {
        await http.json('DELETE', `/v1/${object}/${encodeURIComponent(id)}`);
      } catch (error) {
        if (!(error instanceof ConnectorError && error.status === 404)) throw error;
      }
    },
  };
}
