import type { Connector, ConnectorSettings, ExternalRecord, ObjectMapping } from '../connector.ts';
import { ConnectorError, ConnectorHttp } from '../http.ts';

/**
 * Salesforce REST API (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta): SOQL
 * queries return 2,000 records a batch and the rest behind nextRecordsUrl; changes are those with
 * SystemModstamp at or after a moment; deletions come from the sobject's deleted resource, which
 * reaches 30 days back at most (a connection idle for longer needs a new initial sync to notice
 * older deletions). Base URL: the org's instance URL.
 */

export const SALESFORCE_BASE_URL = 'https://login.salesforce.com';
const API = '/services/data/v59.0';
const DELETED_WINDOW_MS = 29 * 86_400_000;

const MAPPINGS: readonly ObjectMapping[] = [
  { object: 'Account', recordType: 'account' },
  { object: 'Contact', recordType: 'contact' },
  { object: 'Lead', recordType: 'lead' },
  { object: 'Opportunity', recordType: 'opportunity' },
  { object: 'Task', recordType: 'task' },
];

const FIELDS: Record<string, string[]> = {
  Account: ['Id', 'Name', 'Website', 'Industry', 'BillingCountry', 'SystemModstamp'],
  Contact: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'Title', 'AccountId', 'MailingCountry', 'SystemModstamp'],
  Lead: ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'Title', 'Company', 'Website', 'Country', 'SystemModstamp'],
  Opportunity: ['Id', 'Name', 'Amount', 'StageName', 'CloseDate', 'AccountId', 'SystemModstamp'],
  Task: ['Id', 'Subject', 'ActivityDate', 'Status', 'SystemModstamp'],
};

/** The standard sales process's stages ↔ ours. */
const STAGE_IN: Record<string, string> = {
  Prospecting: 'prospecting',
  Qualification: 'qualification',
  'Needs Analysis': 'qualification',
  'Value Proposition': 'proposal',
  'Id. Decision Makers': 'proposal',
  'Perception Analysis': 'proposal',
  'Proposal/Price Quote': 'proposal',
  'Negotiation/Review': 'negotiation',
  'Closed Won': 'closed_won',
  'Closed Lost': 'closed_lost',
};
const STAGE_OUT: Record<string, string> = { prospecting: 'Prospecting', qualification: 'Qualification', proposal: 'Proposal/Price Quote', negotiation: 'Negotiation/Review', closed_won: 'Closed Won', closed_lost: 'Closed Lost' };

type Raw = Record<string, any>;
interface QueryResponse {
  records: Raw[];
  done: boolean;
  nextRecordsUrl?: string;
}

function fieldsIn(object: string, r: Raw): Record<string, unknown> {
  switch (object) {
    case 'Account':
      return { name: r.Name, domain: r.Website, industry: r.Industry, country: r.BillingCountry };
    case 'Contact':
      return { firstName: r.FirstName, lastName: r.LastName, emails: r.Email ? [r.Email] : [], phones: r.Phone ? [r.Phone] : [], jobTitle: r.Title, country: r.MailingCountry, accountRef: r.AccountId };
    case 'Lead':
      return { firstName: r.FirstName, lastName: r.LastName, email: r.Email, phone: r.Phone, jobTitle: r.Title, companyName: r.Company, companyDomain: r.Website, country: r.Country };
    case 'Opportunity':
      return { name: r.Name, amount: r.Amount === null || r.Amount === undefined ? null : String(r.Amount), stage: STAGE_IN[r.StageName] ?? 'prospecting', expectedCloseDate: r.CloseDate, accountRef: r.AccountId };
    case 'Task':
      return { title: r.Subject, dueAt: r.ActivityDate ? `${r.ActivityDate}T00:00:00Z` : null, done: r.Status === 'Completed' };
  }
  throw new Error(`Salesforce has no object "${object}" here`);
}

function fieldsOut(object: string, f: Record<string, any>): Raw {
  switch (object) {
    case 'Account':
      return { Name: f.name, Website: f.domain ?? null, Industry: f.industry ?? null, BillingCountry: f.country ?? null };
    case 'Contact':
      return { FirstName: f.firstName ?? null, LastName: f.lastName ?? f.emails?.[0] ?? '(unknown)', Email: f.emails?.[0] ?? null, Phone: f.phones?.[0] ?? null, Title: f.jobTitle ?? null, MailingCountry: f.country ?? null, ...(f.accountRef ? { AccountId: f.accountRef } : {}) };
    case 'Lead':
      return { FirstName: f.firstName ?? null, LastName: f.lastName ?? f.email ?? '(unknown)', Email: f.email ?? null, Phone: f.phone ?? null, Title: f.jobTitle ?? null, Company: f.companyName ?? '(none)', Website: f.companyDomain ?? null, Country: f.country ?? null };
    case 'Opportunity':
      return { Name: f.name, Amount: f.amount === null ? null : Number(f.amount), StageName: STAGE_OUT[f.stage] ?? 'Prospecting', CloseDate: f.expectedCloseDate ?? new Date().toISOString().slice(0, 10), ...(f.accountRef ? { AccountId: f.accountRef } : {}) };
    case 'Task':
      return { Subject: f.title, ActivityDate: f.dueAt ? f.dueAt.slice(0, 10) : null, Status: f.done ? 'Completed' : 'Not Started' };
  }
  throw new Error(`Salesforce has no object "${object}" here`);
}

const toRecord = (object: string) => (r: Raw): ExternalRecord => ({ id: r.Id, updatedAt: r.SystemModstamp ? new Date(r.SystemModstamp).toISOString() : null, fields: fieldsIn(object, r) });
const soql = (object: string, since: Date | null) =>
  `SELECT ${FIELDS[object]!.join(', ')} FROM ${object}${since ? ` WHERE SystemModstamp >= ${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}` : ''} ORDER BY ${since ? 'SystemModstamp, Id' : 'Id'}`;

/** Salesforce: Account, Contact, Lead, Opportunity, Task. */
export function salesforceConnector(settings: ConnectorSettings): Connector {
  const http = new ConnectorHttp(settings.baseUrl, settings.credentials, { onCredentials: settings.onCredentials, ...(settings.sleep ? { sleep: settings.sleep } : {}) });
  const query = async (object: string, since: Date | null, cursor: string | null) => {
    // The cursor is the nextRecordsUrl of the previous batch: a path on the instance.
    const page = await http.json<QueryResponse>('GET', cursor ?? `${API}/query?${new URLSearchParams({ q: soql(object, since) })}`);
    return { records: page.records.map(toRecord(object)), next: page.done ? null : (page.nextRecordsUrl ?? null) };
  };
  const get = async (object: string, id: string) => {
    try {
      return toRecord(object)(await http.json<Raw>('GET', `${API}/sobjects/${object}/${encodeURIComponent(id)}?fields=${FIELDS[object]!.join(',')}`));
    } catch (error) {
      if (error instanceof ConnectorError && error.status === 404) return null;
      throw error;
    }
  };
  return {
    kind: 'salesforce',
    mappings: MAPPINGS,
    stats: http.stats,
    listAll: (object, cursor) => query(object, null, cursor),
    listChanged: (object, since, cursor) => query(object, since, cursor),
    async listDeleted(object, since) {
      const start = new Date(Math.max(since.getTime(), Date.now() - DELETED_WINDOW_MS));
      const page = await http.json<{ deletedRecords: Array<{ id: string }> }>('GET', `${API}/sobjects/${object}/deleted/?${new URLSearchParams({ start: start.toISOString(), end: new Date().toISOString() })}`);
      return { ids: page.deletedRecords.map((r) => r.id), next: null };
    },
    get,
    async create(object, fields) {
      const created = await http.json<{ id: string }>('POST', `${API}/sobjects/${object}`, fieldsOut(object, fields));
      return (await get(object, created.id)) ?? { id: created.id, updatedAt: null, fields };
    },
    async update(object, id, fields) {
      await http.json('PATCH', `${API}/sobjects/${object}/${encodeURIComponent(id)}`, fieldsOut(object, fields));
      return (await get(object, id)) ?? { id, updatedAt: null, fields };
    },
    async remove(object, id) {
      try {
        await http.json('DELETE', `${API}/sobjects/${object}/${encodeURIComponent(id)}`);
      } catch (error) {
        if (!(error instanceof ConnectorError && error.status === 404)) throw error;
      }
    },
  };
}
