import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { JobInfoV2 } from 'jsforce/lib/api/bulk2.js';
import type { QueryResult } from 'jsforce/lib/query.js';
import type { DeletedResult, Record as SalesforceReply, SaveResult } from 'jsforce/lib/types/index.js';
import { FakeApi, type FakeAnswer } from './json-server.ts';
import { FakeAuthorizations } from './oauth-codes.ts';

/**
 * A local stand-in for the Salesforce REST API (v59.0), as documented:
 *   GET    /services/data/v59.0/query?q=SOQL            SELECT … FROM … [WHERE SystemModstamp >= … | WHERE Email = '…']
 *                                                       ORDER BY …; 2,000 records a batch, the rest
 *                                                       behind nextRecordsUrl (a query locator)
 *   GET    /services/data/v59.0/query/{locator}-{n}      the next batch
 *   GET    /services/data/v59.0/sobjects/{type}/deleted/?start&end   deletions kept in the Recycle Bin (15 days)
 *   GET/PATCH/DELETE /services/data/v59.0/sobjects/{type}/{id}, POST /services/data/v59.0/sobjects/{type}
 *   GET    /services/data/v59.0/sobjects/Opportunity/describe   its fields (CurrencyIsoCode in multi-currency orgs)
 *   GET    /services/data/v59.0/query?q=SELECT DefaultCurrencyIsoCode FROM Organization
 *   Bulk API 2.0 ingest jobs, for hardDelete (records skip the Recycle Bin; needs the "Bulk API
 *   Hard Delete" permission, else the job is refused): POST /jobs/ingest, PUT /jobs/ingest/{id}/batches
 *   (CSV), PATCH /jobs/ingest/{id} {state: UploadComplete}, GET /jobs/ingest/{id},
 *   GET /jobs/ingest/{id}/successfulResults | failedResults | unprocessedrecords (CSV)
 *   POST   /services/oauth2/token                        refresh-token grant
 *   POST   /services/oauth2/revoke                       token revocation (RFC 7009)
 * Errors are arrays of {message, errorCode}: 401 INVALID_SESSION_ID, 403 REQUEST_LIMIT_EXCEEDED
 * (the concurrent-request limit), 400 INVALID_REPLICATION_DATE, 404 NOT_FOUND.
 * Replies are typed with jsforce's own types of them (QueryResult, SaveResult, DeletedResult,
 * JobInfoV2): jsforce has no runtime models, so the type check is where a drift shows.
 */

export const SALESFORCE_TYPES = ['Account', 'Contact', 'Lead', 'Opportunity', 'Task'] as const;
export type SalesforceType = (typeof SALESFORCE_TYPES)[number];
const PREFIX: Record<SalesforceType, string> = { Account: '001', Contact: '003', Lead: '00Q', Opportunity: '006', Task: '00T' };
const BATCH = 2000;
const API = '/services/data/v59.0';

export interface SalesforceRecord {
  Id: string;
  SystemModstamp: string;
  IsDeleted: boolean;
  [field: string]: unknown;
}

export class FakeSalesforce extends FakeApi {
  readonly records: Record<SalesforceType, Map<string, SalesforceRecord>> = {
    Account: new Map(),
    Contact: new Map(),
    Lead: new Map(),
    Opportunity: new Map(),
    Task: new Map(),
  };
  readonly deletedAt = new Map<string, string>();
  readonly clientId = 'sf-client';
  readonly clientSecret = 'sf-secret';
  private readonly accessTokens = new Set<string>();
  private readonly refreshTokens = new Set<string>();
  private readonly locators = new Map<string, SalesforceRecord[]>();
  /** The next this many requests are refused with REQUEST_LIMIT_EXCEEDED. */
  limitNext = 0;
  private next = 1;
  private clock = 0;

  issueTokens(): { accessToken: string; refreshToken: string } {
    const accessToken = `00D!${crypto.randomBytes(12).toString('hex')}`;
    const refreshToken = `5Aep${crypto.randomBytes(12).toString('hex')}`;
    this.accessTokens.add(accessToken);
    this.refreshTokens.add(refreshToken);
    return { accessToken, refreshToken };
  }

  /** Credentials of a connection that has just authorised this org, as an integration takes them. */
  oauthCredentials() {
    return {
      kind: 'oauth2' as const,
      ...this.issueTokens(),
      tokenUrl: `${this.url}/services/oauth2/token`,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
    };
  }

  /** The consent screen (Web Server Flow with PKCE). */
  readonly authorizations = new FakeAuthorizations(true);
  /** Multiple currencies enabled: Opportunity has CurrencyIsoCode; otherwise every amount is in orgCurrency. */
  multiCurrency = false;
  orgCurrency = 'USD';

  /** The connected user has the "Bulk API Hard Delete" permission (off by default in Salesforce profiles). */
  allowHardDelete = true;
  readonly ingestJobs = new Map<string, { info: JobInfoV2; csv: string; done: string[]; failed: Array<{ id: string; error: string }> }>();
  /** Records removed for good by a hardDelete job: never in the Recycle Bin, never listed as deleted. */
  readonly hardDeleted = new Set<string>();

  /** The instance_url the next token responses name (an org moved), else this server's own URL. */
  instanceUrl: string | null = null;

  /** The Recycle Bin emptied early: deleted records are gone for good, the deleted resource lists them no more. */
  emptyRecycleBin(): void {
    for (const records of Object.values(this.records)) for (const [id, record] of records) if (record.IsDeleted) records.delete(id);
    this.deletedAt.clear();
  }

  expireSessions(): void {
    this.accessTokens.clear();
  }

  private now(): string {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return new Date(this.clock).toISOString().replace('Z', '+0000');
  }

  seed(type: SalesforceType, fields: Record<string, unknown>, at?: Date): SalesforceRecord {
    const Id = `${PREFIX[type]}${String(this.next++).padStart(12, '0')}AAA`;
    const record: SalesforceRecord = {
      ...fields,
      Id,
      SystemModstamp: at ? at.toISOString().replace('Z', '+0000') : this.now(),
      IsDeleted: false,
    };
    this.records[type].set(Id, record);
    return record;
  }

  modify(type: SalesforceType, id: string, fields: Record<string, unknown>): void {
    const record = this.records[type].get(id);
    if (!record || record.IsDeleted) throw new Error(`no live ${type} ${id}`);
    Object.assign(record, fields, { SystemModstamp: this.now() });
  }

  /** Deleted records go to the recycle bin (IsDeleted), and are listed by the deleted resource. */
  remove(type: SalesforceType, id: string): void {
    const record = this.records[type].get(id);
    if (!record || record.IsDeleted) throw new Error(`no live ${type} ${id}`);
    record.IsDeleted = true;
    record.SystemModstamp = this.now();
    this.deletedAt.set(id, record.SystemModstamp);
  }

  live(type: SalesforceType): SalesforceRecord[] {
    return [...this.records[type].values()].filter((r) => !r.IsDeleted);
  }

  private batch(all: SalesforceRecord[], fields: string[], locator: string, offset: number): QueryResult<SalesforceReply> {
    const page = all.slice(offset, offset + BATCH).map((r) => ({
      attributes: { type: 'sobject', url: `${API}/sobjects/x/${r.Id}` },
      ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])),
    }));
    const done = offset + BATCH >= all.length;
    return { totalSize: all.length, done, records: page, ...(done ? {} : { nextRecordsUrl: `${API}/query/${locator}-${offset + BATCH}` }) };
  }

  /** Bulk API 2.0 ingest, hardDelete only: the job runs as soon as its upload is complete. */
  private ingestJob(method: string, id: string | undefined, part: string | undefined, raw: string): FakeAnswer {
    const error = (status: number, errorCode: string, message: string) => ({ status, body: [{ message, errorCode }] });
    if (method === 'POST' && !id) {
      const options = JSON.parse(raw || '{}') as { object?: string; operation?: string };
      if (options.operation !== 'hardDelete')
        return error(400, 'INVALIDJOB', `this fake runs hardDelete jobs only, not ${options.operation}`);
      if (!this.allowHardDelete) return error(400, 'FEATURENOTENABLED', 'Hard delete requires the "Bulk API Hard Delete" permission.');
      if (!SALESFORCE_TYPES.includes(options.object as SalesforceType))
        return error(400, 'INVALIDENTITY', `Entity '${options.object}' is not supported by the Bulk API.`);
      const now = new Date().toISOString();
      const jobId = `750${crypto.randomBytes(6).toString('hex')}`;
      const info: JobInfoV2 = {
        id: jobId,
        object: options.object!,
        operation: 'hardDelete',
        state: 'Open',
        createdById: '005000000000001',
        createdDate: now,
        systemModstamp: now,
        apiVersion: 59,
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
        concurrencyMode: 'Parallel',
        contentType: 'CSV',
        contentUrl: `services/data/v59.0/jobs/ingest/${jobId}/batches`,
        jobType: 'V2Ingest',
        numberRecordsProcessed: 0,
        numberRecordsFailed: 0,
        retries: 0,
        totalProcessingTime: 0,
        apexProcessingTime: 0,
        apiActiveProcessingTime: 0,
      };
      this.ingestJobs.set(jobId, { info, csv: '', done: [], failed: [] });
      return { status: 200, body: info };
    }
    const job = id ? this.ingestJobs.get(id) : undefined;
    if (!job) return error(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (method === 'PUT' && part === 'batches') {
      if (job.info.state !== 'Open') return error(409, 'INVALIDJOBSTATE', 'the job is not open');
      job.csv += raw;
      return { status: 201 };
    }
    if (method === 'PATCH' && !part) {
      const { state } = JSON.parse(raw || '{}') as { state?: string };
      if (state !== 'UploadComplete' || job.info.state !== 'Open') return error(400, 'INVALIDJOBSTATE', `cannot move the job to ${state}`);
      const [header, ...lines] = job.csv.split(/\r?\n/).filter(Boolean);
      if (header?.trim() !== 'Id') return error(400, 'INVALIDJOB', 'a hardDelete upload has one column, Id');
      const store = this.records[job.info.object as SalesforceType];
      for (const recordId of lines.map((line) => line.trim().replace(/^"|"$/g, ''))) {
        if (store.delete(recordId)) {
          this.deletedAt.delete(recordId);
          this.hardDeleted.add(recordId);
          job.done.push(recordId);
        } else job.failed.push({ id: recordId, error: 'ENTITY_IS_DELETED:entity is deleted:--' });
      }
      job.info = {
        ...job.info,
        state: 'JobComplete',
        numberRecordsProcessed: job.done.length + job.failed.length,
        numberRecordsFailed: job.failed.length,
      };
      return { status: 200, body: job.info };
    }
    if (method === 'GET' && !part) return { status: 200, body: job.info };
    const csv = (text: string) => ({ status: 200, text, headers: { 'content-type': 'text/csv' } });
    if (method === 'GET' && part === 'successfulResults')
      return csv(`"sf__Id","sf__Created","Id"\n${job.done.map((done) => `"${done}","false","${done}"\n`).join('')}`);
    if (method === 'GET' && part === 'failedResults')
      return csv(`"sf__Id","sf__Error","Id"\n${job.failed.map((failed) => `"","${failed.error}","${failed.id}"\n`).join('')}`);
    if (method === 'GET' && part === 'unprocessedrecords') return csv('"Id"\n');
    if (method === 'DELETE' && !part) {
      this.ingestJobs.delete(job.info.id);
      return { status: 204 };
    }
    return error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed`);
  }

  protected handle(method: string, url: URL, headers: IncomingHttpHeaders, raw: string): FakeAnswer {
    const error = (status: number, errorCode: string, message: string) => ({ status, body: [{ message, errorCode }] });
    if (method === 'POST' && url.pathname === '/services/oauth2/revoke') {
      // RFC 7009 as Salesforce implements it: 200, or 400 unsupported_token_type for an unknown token.
      if (!this.refreshTokens.delete(new URLSearchParams(raw).get('token') ?? ''))
        return { status: 400, body: { error: 'unsupported_token_type', error_description: 'this token type is not supported' } };
      return { status: 200 };
    }
    if (
      method === 'POST' &&
      url.pathname === '/services/oauth2/token' &&
      new URLSearchParams(raw).get('grant_type') === 'authorization_code'
    ) {
      const form = new URLSearchParams(raw);
      if (form.get('client_secret') !== this.clientSecret || !this.authorizations.redeem(form, this.clientId))
        return { status: 400, body: { error: 'invalid_grant', error_description: 'authentication failure' } };
      const tokens = this.issueTokens();
      return {
        status: 200,
        body: {
          access_token: tokens.accessToken,
          refresh_token: tokens.refreshToken,
          instance_url: this.instanceUrl ?? this.url,
          id: `${this.url}/id/00D/005`,
          token_type: 'Bearer',
          issued_at: String(Date.now()),
          signature: 'x',
        },
      };
    }
    if (method === 'POST' && url.pathname === '/services/oauth2/token') {
      const form = new URLSearchParams(raw);
      if (
        form.get('client_id') !== this.clientId ||
        form.get('client_secret') !== this.clientSecret ||
        !this.refreshTokens.has(form.get('refresh_token') ?? '')
      ) {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'expired access/refresh token' } };
      }
      const accessToken = `00D!${crypto.randomBytes(12).toString('hex')}`;
      this.accessTokens.add(accessToken);
      return {
        status: 200,
        body: {
          access_token: accessToken,
          instance_url: this.instanceUrl ?? this.url,
          token_type: 'Bearer',
          issued_at: String(Date.now()),
        },
      };
    }
    const token = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    if (!token || !this.accessTokens.has(token)) return error(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (this.limitNext > 0) {
      this.limitNext -= 1;
      return error(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
    }
    if (method === 'GET' && url.pathname === `${API}/sobjects/Opportunity/describe`) {
      // The describe result, reduced to what matters here: CurrencyIsoCode exists only in a multi-currency org.
      const fields = [
        'Id',
        'Name',
        'Amount',
        'StageName',
        'CloseDate',
        'AccountId',
        'SystemModstamp',
        ...(this.multiCurrency ? ['CurrencyIsoCode'] : []),
      ];
      return {
        status: 200,
        body: { name: 'Opportunity', fields: fields.map((name) => ({ name, type: name === 'Id' ? 'id' : 'string' })) },
      };
    }
    if (method === 'GET' && url.pathname === `${API}/query`) {
      const soql = url.searchParams.get('q') ?? '';
      if (/^SELECT DefaultCurrencyIsoCode FROM Organization$/i.test(soql.trim())) {
        return {
          status: 200,
          body: {
            totalSize: 1,
            done: true,
            records: [
              {
                attributes: { type: 'Organization', url: `${API}/sobjects/Organization/00D000000000001` },
                DefaultCurrencyIsoCode: this.orgCurrency,
              },
            ],
          } satisfies QueryResult<SalesforceReply>,
        };
      }
      if (!this.multiCurrency && /\bCurrencyIsoCode\b/.test(soql))
        return error(400, 'INVALID_FIELD', "No such column 'CurrencyIsoCode' on entity 'Opportunity'");
      const byEmail = /^SELECT (.+) FROM (Contact|Lead) WHERE Email = '((?:[^'\\]|\\.)*)' ORDER BY Id$/i.exec(soql.trim());
      if (byEmail) {
        // SOQL compares text case-insensitively; the literal's escapes are undone first.
        const email = byEmail[3]!.replace(/\\(.)/g, '$1').toLowerCase();
        const fields = byEmail[1]!.split(',').map((f) => f.trim());
        const all = [...this.records[byEmail[2] as SalesforceType].values()]
          .filter((r) => !r.IsDeleted && String(r.Email ?? '').toLowerCase() === email)
          .sort((a, b) => a.Id.localeCompare(b.Id));
        return { status: 200, body: this.batch(all, fields, `01g${crypto.randomBytes(6).toString('hex')}`, 0) };
      }
      const parsed = /^SELECT (.+) FROM (\w+)(?: WHERE SystemModstamp >= (\S+))? ORDER BY (Id|SystemModstamp, Id)$/i.exec(soql.trim());
      if (!parsed || !SALESFORCE_TYPES.includes(parsed[2] as SalesforceType))
        return error(400, 'MALFORMED_QUERY', `unexpected query: ${soql}`);
      const fields = parsed[1]!.split(',').map((f) => f.trim());
      const since = parsed[3] ? Date.parse(parsed[3]) : -Infinity;
      const all = [...this.records[parsed[2] as SalesforceType].values()]
        .filter((r) => !r.IsDeleted && Date.parse(r.SystemModstamp) >= since)
        .sort(
          parsed[4] === 'Id'
            ? (a, b) => a.Id.localeCompare(b.Id)
            : (a, b) => Date.parse(a.SystemModstamp) - Date.parse(b.SystemModstamp) || a.Id.localeCompare(b.Id),
        );
      const locator = `01g${crypto.randomBytes(6).toString('hex')}`;
      this.locators.set(locator, all);
      (all as unknown as { fields: string[] }).fields = fields;
      return { status: 200, body: this.batch(all, fields, locator, 0) };
    }
    const more = new RegExp(`^${API}/query/(\\w+)-(\\d+)$`).exec(url.pathname);
    if (method === 'GET' && more) {
      const all = this.locators.get(more[1]!);
      if (!all) return error(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return { status: 200, body: this.batch(all, (all as unknown as { fields: string[] }).fields, more[1]!, Number(more[2])) };
    }
    const deleted = new RegExp(`^${API}/sobjects/(\\w+)/deleted/?$`).exec(url.pathname);
    if (method === 'GET' && deleted) {
      const start = Date.parse(url.searchParams.get('start') ?? '');
      const end = Date.parse(url.searchParams.get('end') ?? '');
      if (Number.isNaN(start) || Number.isNaN(end) || start < Date.now() - 15 * 86_400_000)
        return error(400, 'INVALID_REPLICATION_DATE', 'start date is before the Recycle Bin was last purged');
      const deletedRecords = [...(this.records[deleted[1] as SalesforceType]?.values() ?? [])]
        .filter((r) => r.IsDeleted && Date.parse(this.deletedAt.get(r.Id)!) >= start && Date.parse(this.deletedAt.get(r.Id)!) <= end)
        .map((r) => ({ id: r.Id, deletedDate: this.deletedAt.get(r.Id)! }));
      return {
        status: 200,
        body: {
          deletedRecords,
          earliestDateAvailable: new Date(Date.now() - 15 * 86_400_000).toISOString(),
          latestDateCovered: new Date(end).toISOString(),
        } satisfies DeletedResult,
      };
    }
    const ingest = new RegExp(`^${API}/jobs/ingest(?:/(\\w+)(?:/(batches|successfulResults|failedResults|unprocessedrecords))?)?/?$`).exec(
      url.pathname,
    );
    if (ingest) return this.ingestJob(method, ingest[1], ingest[2], raw);
    const one = new RegExp(`^${API}/sobjects/(\\w+)(?:/(\\w+))?$`).exec(url.pathname);
    const type = one?.[1] as SalesforceType | undefined;
    if (!one || !type || !SALESFORCE_TYPES.includes(type)) return error(404, 'NOT_FOUND', 'The requested resource does not exist');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (method === 'POST' && !one[2]) {
      const record = this.seed(type, body);
      return { status: 201, body: { id: record.Id, success: true, errors: [] } satisfies SaveResult };
    }
    const record = one[2] ? this.records[type].get(one[2]) : undefined;
    if (!record || record.IsDeleted) return error(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (method === 'GET') return { status: 200, body: { attributes: { type, url: url.pathname }, ...record } satisfies SalesforceReply };
    if (method === 'PATCH') {
      this.modify(type, record.Id, body);
      return { status: 204 };
    }
    if (method === 'DELETE') {
      this.remove(type, record.Id);
      return { status: 204 };
    }
    return error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed`);
  }
}
