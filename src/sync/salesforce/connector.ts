import type { Connection } from 'jsforce/lib/connection.js';
import type { QueryResult } from 'jsforce/lib/query.js';
import type { SaveResult } from 'jsforce/lib/types/index.js';
import type { Connector, ConnectorSettings, ExternalRecord, ObjectMapping } from '../connector.ts';
import { ConnectorError, ConnectorHttp } from '../http.ts';
import { salesforceConnection } from './transport.ts';

/**
 * Salesforce REST API (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta) through
 * jsforce (./transport.ts): SOQL queries return 2,000 records a batch and the rest behind
 * nextRecordsUrl; changes are those with SystemModstamp at or after a moment; deletions come from
 * the sobject's deleted resource within the Recycle Bin's 15 days, and from a reconciliation of
 * every Id beyond that. Base URL: the org's instance URL, and after a token refresh the
 * instance_url the token response names (an org can move to another instance; the new one is
 * stored sealed with the token).
 */

export const SALESFORCE_BASE_URL = 'https://login.salesforce.com';
/**
 * Salesforce keeps deleted records in the Recycle Bin for 15 days (less when it fills up or is
 * emptied), and getDeleted reaches no further: a longer gap, and once a week anyway, is
 * reconciled by listing every Id (src/sync/engine.ts).
 */
const DELETED_WINDOW_DAYS = 15;

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
  Task: ['Id', 'Subject', 'ActivityDate', 'Status', 'WhoId', 'WhatId', 'SystemModstamp'],
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
const STAGE_OUT: Record<string, string> = {
  prospecting: 'Prospecting',
  qualification: 'Qualification',
  proposal: 'Proposal/Price Quote',
  negotiation: 'Negotiation/Review',
  closed_won: 'Closed Won',
  closed_lost: 'Closed Lost',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a vendor record's fields, named by the mapping: checked by the vendor's SDK types where they are built, by fields.ts where they are read
type Raw = Record<string, any>;

/** The objects a record id names by its first three characters, Salesforce's key prefix. */
const KEY_PREFIX: Record<string, 'account' | 'contact' | 'lead' | 'opportunity'> = {
  '001': 'account',
  '003': 'contact',
  '00Q': 'lead',
  '006': 'opportunity',
};

/** What a Task is about: the person its WhoId names (Contact or Lead) first, else the Account or Opportunity its WhatId names. */
function taskSubject(r: Raw): { type: string; ref: string } | null {
  for (const id of [r.WhoId, r.WhatId]) {
    const type = typeof id === 'string' ? KEY_PREFIX[id.slice(0, 3)] : undefined;
    if (type) return { type, ref: id };
  }
  return null;
}

/** How an org states amounts: per record (multi-currency orgs have CurrencyIsoCode), or all in the org's currency. */
interface CurrencyMode {
  perRecord: boolean;
  orgCurrency: string | null;
}

function fieldsIn(object: string, r: Raw, currency: CurrencyMode): Record<string, unknown> {
  switch (object) {
    case 'Account':
      return { name: r.Name, domain: r.Website, industry: r.Industry, country: r.BillingCountry };
    case 'Contact':
      return {
        firstName: r.FirstName,
        lastName: r.LastName,
        emails: r.Email ? [r.Email] : [],
        phones: r.Phone ? [r.Phone] : [],
        jobTitle: r.Title,
        country: r.MailingCountry,
        accountRef: r.AccountId,
      };
    case 'Lead':
      return {
        firstName: r.FirstName,
        lastName: r.LastName,
        email: r.Email,
        phone: r.Phone,
        jobTitle: r.Title,
        companyName: r.Company,
        companyDomain: r.Website,
        country: r.Country,
      };
    case 'Opportunity':
      return {
        name: r.Name,
        amount: r.Amount === null || r.Amount === undefined ? null : String(r.Amount),
        currency: currency.perRecord ? (r.CurrencyIsoCode ?? null) : currency.orgCurrency,
        stage: STAGE_IN[r.StageName] ?? 'prospecting',
        expectedCloseDate: r.CloseDate,
        accountRef: r.AccountId,
      };
    case 'Task':
      return {
        title: r.Subject,
        dueAt: r.ActivityDate ? `${r.ActivityDate}T00:00:00Z` : null,
        done: r.Status === 'Completed',
        about: taskSubject(r),
      };
  }
  throw new Error(`Salesforce has no object "${object}" here`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a vendor record's fields, named by the mapping: checked by the vendor's SDK types where they are built, by fields.ts where they are read
function fieldsOut(object: string, f: Record<string, any>, currency: CurrencyMode): Raw {
  switch (object) {
    case 'Account':
      return { Name: f.name, Website: f.domain ?? null, Industry: f.industry ?? null, BillingCountry: f.country ?? null };
    case 'Contact':
      return {
        FirstName: f.firstName ?? null,
        LastName: f.lastName ?? f.emails?.[0] ?? '(unknown)',
        Email: f.emails?.[0] ?? null,
        Phone: f.phones?.[0] ?? null,
        Title: f.jobTitle ?? null,
        MailingCountry: f.country ?? null,
        ...(f.accountRef ? { AccountId: f.accountRef } : {}),
      };
    case 'Lead':
      return {
        FirstName: f.firstName ?? null,
        LastName: f.lastName ?? f.email ?? '(unknown)',
        Email: f.email ?? null,
        Phone: f.phone ?? null,
        Title: f.jobTitle ?? null,
        Company: f.companyName ?? '(none)',
        Website: f.companyDomain ?? null,
        Country: f.country ?? null,
      };
    case 'Opportunity':
      return {
        Name: f.name,
        Amount: f.amount === null ? null : Number(f.amount),
        ...(currency.perRecord && f.currency ? { CurrencyIsoCode: f.currency } : {}),
        StageName: STAGE_OUT[f.stage] ?? 'Prospecting',
        CloseDate: f.expectedCloseDate ?? new Date().toISOString().slice(0, 10),
        ...(f.accountRef ? { AccountId: f.accountRef } : {}),
      };
    case 'Task':
      return { Subject: f.title, ActivityDate: f.dueAt ? f.dueAt.slice(0, 10) : null, Status: f.done ? 'Completed' : 'Not Started' };
  }
  throw new Error(`Salesforce has no object "${object}" here`);
}

const toRecord =
  (object: string, currency: CurrencyMode) =>
  (r: Raw): ExternalRecord => ({
    id: r.Id,
    updatedAt: r.SystemModstamp ? new Date(r.SystemModstamp).toISOString() : null,
    fields: fieldsIn(object, r, currency),
  });
const fieldsOf = (object: string, currency: CurrencyMode) => [
  ...FIELDS[object]!,
  ...(object === 'Opportunity' && currency.perRecord ? ['CurrencyIsoCode'] : []),
];
const soql = (object: string, since: Date | null, currency: CurrencyMode) =>
  `SELECT ${fieldsOf(object, currency).join(', ')} FROM ${object}${since ? ` WHERE SystemModstamp >= ${since.toISOString().replace(/\.\d{3}Z$/, 'Z')}` : ''} ORDER BY ${since ? 'SystemModstamp, Id' : 'Id'}`;

/** A SOQL string literal's content: quotes and backslashes escaped (SOQL reference, "Quoted String Escape Sequences"). */
const soqlString = (value: string) => value.replace(/[\\']/g, '\\$&');

/** Salesforce: Account, Contact, Lead, Opportunity, Task, through jsforce. */
export function salesforceConnector(settings: ConnectorSettings): Connector {
  const http = new ConnectorHttp(settings.baseUrl, settings.credentials, {
    onCredentials: settings.onCredentials,
    ...(settings.acceptApiRoot ? { acceptApiRoot: settings.acceptApiRoot } : {}),
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
  });
  const connection = salesforceConnection(http);
  let currencyMode: Promise<CurrencyMode> | null = null;
  /**
   * Read once per run: CurrencyIsoCode exists on Opportunity only when the org has multiple
   * currencies enabled (selecting it elsewhere is INVALID_FIELD); otherwise every amount is in
   * the org's DefaultCurrencyIsoCode.
   */
  const currency = () =>
    (currencyMode ??= (async () => {
      const described = await connection.sobject('Opportunity').describe();
      if (described.fields.some((field) => field.name === 'CurrencyIsoCode')) return { perRecord: true, orgCurrency: null };
      const org = await firstBatch<{ DefaultCurrencyIsoCode?: string }>(
        connection,
        'SELECT DefaultCurrencyIsoCode FROM Organization',
        null,
      );
      return { perRecord: false, orgCurrency: org.records[0]?.DefaultCurrencyIsoCode ?? null };
    })());
  const modeFor = async (object: string): Promise<CurrencyMode> =>
    object === 'Opportunity' ? currency() : { perRecord: false, orgCurrency: null };
  const query = async (object: string, since: Date | null, cursor: string | null) => {
    const mode = await modeFor(object);
    const page = await firstBatch<Raw>(connection, soql(object, since, mode), cursor);
    return { records: page.records.map(toRecord(object, mode)), next: page.done ? null : (page.nextRecordsUrl ?? null) };
  };
  const get = async (object: string, id: string) => {
    const mode = await modeFor(object);
    try {
      return toRecord(object, mode)(await connection.sobject(object).retrieve(id, { fields: fieldsOf(object, mode) }));
    } catch (error) {
      if (error instanceof ConnectorError && error.status === 404) return null;
      throw error;
    }
  };
  return {
    kind: 'salesforce',
    mappings: MAPPINGS,
    stats: http.stats,
    deletionWindowDays: DELETED_WINDOW_DAYS,
    listAll: (object, cursor) => query(object, null, cursor),
    async listIds(object, cursor) {
      const page = await firstBatch<Raw>(connection, `SELECT Id FROM ${object} ORDER BY Id`, cursor);
      return { ids: page.records.map((r) => String(r.Id)), next: page.done ? null : (page.nextRecordsUrl ?? null) };
    },
    listChanged: (object, since, cursor) => query(object, since, cursor),
    async listDeleted(object, since) {
      // Older deletions are the reconciliation's to find: asking further back is refused (INVALID_REPLICATION_DATE).
      const start = new Date(Math.max(since.getTime(), Date.now() - DELETED_WINDOW_DAYS * 86_400_000 + 60_000));
      // jsforce sends whole seconds: the end is rounded up, or a deletion in this second waits for the next run.
      const page = await connection.sobject(object).deleted(start, new Date(Math.ceil(Date.now() / 1000) * 1000));
      return { ids: page.deletedRecords.map((r) => r.id), next: null };
    },
    get,
    async create(object, fields) {
      const created = saved(await connection.sobject(object).create(fieldsOut(object, fields, await modeFor(object))));
      return (await get(object, created)) ?? { id: created, updatedAt: null, fields };
    },
    async update(object, id, fields) {
      saved(await connection.sobject(object).update({ Id: id, ...fieldsOut(object, fields, await modeFor(object)) }));
      return (await get(object, id)) ?? { id, updatedAt: null, fields };
    },
    async remove(object, id) {
      try {
        await connection.sobject(object).destroy(id);
      } catch (error) {
        if (!(error instanceof ConnectorError && error.status === 404)) throw error;
      }
    },
    /**
     * Permanently, with a Bulk API 2.0 hardDelete job (the record skips the Recycle Bin); that
     * needs the "Bulk API Hard Delete" permission, which Salesforce profiles lack by default.
     * Without it, the record is deleted the ordinary way and the receipt says it is not yet
     * permanent.
     */
    async erase(object, id) {
      const hardDeleted = await hardDelete(connection, object, id);
      if (hardDeleted.done)
        return {
          method: 'hard_delete',
          permanent: true,
          note: 'hard-deleted in Salesforce (Bulk API 2.0): it skipped the Recycle Bin and cannot be restored',
        };
      await this.remove(object, id);
      return {
        method: 'delete',
        permanent: false,
        note: `hard delete refused (${hardDeleted.reason}); deleted in Salesforce instead: it stays in the Recycle Bin for up to ${DELETED_WINDOW_DAYS} days, then Salesforce removes it for good`,
      };
    },
    async findByEmail(email, objects) {
      const found: Array<{ object: string; record: ExternalRecord }> = [];
      for (const object of ['Contact', 'Lead'].filter((candidate) => objects.includes(candidate))) {
        const mode = await modeFor(object);
        const text = `SELECT ${fieldsOf(object, mode).join(', ')} FROM ${object} WHERE Email = '${soqlString(email)}' ORDER BY Id`;
        const page = await firstBatch<Raw>(connection, text, null);
        found.push(...page.records.map((raw) => ({ object, record: toRecord(object, mode)(raw) })));
      }
      return found;
    },
    // Contact and Lead carry the standard opt-out fields "Email Opt Out" and "Do Not Call".
    async optOut(object, id) {
      if (object !== 'Contact' && object !== 'Lead') return { answer: `Salesforce keeps no marketing preference on ${object}` };
      saved(await connection.sobject(object).update({ Id: id, HasOptedOutOfEmail: true, DoNotCall: true }));
      return { answer: `HasOptedOutOfEmail and DoNotCall set on the ${object} in Salesforce` };
    },
  };
}

/** A Bulk API 2.0 hardDelete of one record: done, or why not (the job refused, or the record failed). */
async function hardDelete(connection: Connection, object: string, id: string): Promise<{ done: true } | { done: false; reason: string }> {
  try {
    const job = connection.bulk2.createJob({ object, operation: 'hardDelete' });
    await job.open();
    await job.uploadData([{ Id: id }]);
    await job.close();
    await job.poll(1000, 120_000);
    const results = await job.getAllResults();
    // The finished job keeps its results, the erased record's id among them, for 7 days: not here.
    await job.delete();
    if (results.successfulResults.some((result) => result.sf__Id === id)) return { done: true };
    return { done: false, reason: String(results.failedResults[0]?.sf__Error ?? 'not processed') };
  } catch (error) {
    if (error instanceof ConnectorError && error.category === 'rejected') return { done: false, reason: error.message };
    throw error;
  }
}

/** One batch of a SOQL query (2,000 records at most), or the batch behind a previous one's nextRecordsUrl. */
async function firstBatch<R extends Raw>(connection: Connection, soqlText: string, locator: string | null): Promise<QueryResult<R>> {
  const query = locator ? connection.queryMore<R>(locator) : connection.query<R>(soqlText, { autoFetch: false });
  return (await query) as QueryResult<R>;
}

/** The id of what a save created or changed; a refusal Salesforce reports in the result is thrown. */
function saved(result: SaveResult): string {
  if (!result.success)
    throw new ConnectorError(
      `Salesforce refused the save: ${result.errors.map((error) => `${error.errorCode}: ${error.message}`).join('; ')}`,
      400,
      'rejected',
    );
  return result.id;
}
