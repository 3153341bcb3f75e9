import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { v1, v2 } from 'pipedrive';
import { FakeApi, type FakeAnswer } from './json-server.ts';
import { FakeAuthorizations } from './oauth-codes.ts';

/**
 * A local stand-in for Pipedrive, answering in the shapes of the official SDK's models (npm
 * "pipedrive" 33, generated from Pipedrive's OpenAPI documents): every object and every reply
 * below is typed with the SDK's own model, so a fake that drifts from the vendor's shape fails
 * the type check. The SDK's models are TypeScript interfaces only (it has no runtime
 * deserialiser), so the type check is where a drift shows.
 *
 *   GET    /api/v2/{organizations|persons|deals|activities}?limit&cursor&updated_since&sort_by&sort_direction
 *          cursor paging (additional_data.next_cursor), live objects only; deals?status=deleted
 *          lists the deleted deals (is_deleted true)
 *   GET/PATCH/DELETE /api/v2/{type}/{id}, POST /api/v2/{type}; a deleted object is 404
 *   GET    /api/v2/persons/search?term&fields=email&exact_match=true   persons holding the address
 *   GET    /api/v1/leads?start&limit, /api/v1/leads/archived   leads (v2 has no listing of them);
 *          additional_data {start, limit, more_items_in_collection} as the SDK's GetLeadsResponse
 *   GET/PATCH/DELETE /api/v1/leads/{id}, POST /api/v1/leads   a deleted lead is gone at once
 *   GET    /api/v1/recents?since_timestamp&items&start&limit  changes since "YYYY-MM-DD HH:MM:SS"
 *          UTC; a deleted person, organization or activity comes back with active_flag false
 *   POST   /oauth/token   refresh_token grant, client authenticated by HTTP Basic only
 *   POST   /oauth/revoke  token=…&token_type_hint=refresh_token, client by HTTP Basic
 * The API token travels in x-api-token, an OAuth access token as a bearer token; 401
 * {success: false, error: 'unauthorized access'}; 429 with x-ratelimit-reset (seconds).
 */

export interface PipedriveModels {
  organizations: v2.OrganizationItem;
  persons: v2.Person;
  deals: v2.Deal;
  activities: v2.ActivityItem;
  leads: v1.Lead;
}
export type PipedriveType = keyof PipedriveModels;
type V2Type = Exclude<PipedriveType, 'leads'>;
export const PIPEDRIVE_TYPES: readonly PipedriveType[] = ['organizations', 'persons', 'deals', 'activities', 'leads'];
const RECENT_ITEM: Record<V2Type, string> = { organizations: 'organization', persons: 'person', deals: 'deal', activities: 'activity' };
/** What a seed may set: the model's own fields, nothing else. */
export type PipedriveFields<T extends PipedriveType> = Omit<Partial<PipedriveModels[T]>, 'id' | 'add_time' | 'update_time'>;

const MAX_LIMIT = 500;
const v1Time = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

export class FakePipedrive extends FakeApi {
  readonly objects: { [T in PipedriveType]: Map<string, PipedriveModels[T]> } = {
    organizations: new Map(),
    persons: new Map(),
    deals: new Map(),
    activities: new Map(),
    leads: new Map(),
  };
  readonly tokens = new Set<string>();
  readonly oauthClient = { id: 'pd-client', secret: 'pd-secret' };
  /** The api_domain token responses name (the company's API moved), else this server's own URL. */
  apiDomain: string | null = null;
  private readonly refreshTokens = new Set<string>();
  rateLimitNext = 0;
  /** The consent screen (no PKCE at Pipedrive). */
  readonly authorizations = new FakeAuthorizations(false);
  private nextId = 1;
  private clock = 0;

  issueToken(): string {
    const token = crypto.randomBytes(20).toString('hex');
    this.tokens.add(token);
    return token;
  }

  issueRefreshToken(): string {
    const token = crypto.randomBytes(20).toString('hex');
    this.refreshTokens.add(token);
    return token;
  }

  /** Real time, never going back; one second apart at least, as Pipedrive keeps whole seconds. */
  private now(): string {
    this.clock = Math.max(Date.now(), this.clock + 1000);
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  seed<T extends PipedriveType>(type: T, fields: PipedriveFields<T>, at?: Date): PipedriveModels[T] {
    const time = at ? at.toISOString().replace(/\.\d{3}Z$/, 'Z') : this.now();
    const object =
      type === 'leads'
        ? ({
            id: crypto.randomUUID(),
            title: '',
            owner_id: 1,
            creator_id: 1,
            label_ids: [],
            person_id: null,
            organization_id: null,
            source_name: 'API',
            origin: 'API',
            origin_id: null,
            channel: null,
            channel_id: null,
            source_deal_id: null,
            is_archived: false,
            was_seen: false,
            value: null,
            expected_close_date: null,
            next_activity_id: null,
            visible_to: '3',
            cc_email: 'leads@fake.pipedrivemail.com',
            ...fields,
            add_time: time,
            update_time: time,
          } satisfies v1.Lead)
        : { id: this.nextId++, owner_id: 1, is_deleted: false, visible_to: 3, ...fields, add_time: time, update_time: time };
    this.objects[type].set(String(object.id), object as PipedriveModels[T]);
    return object as PipedriveModels[T];
  }

  modify<T extends PipedriveType>(type: T, id: string | number, fields: PipedriveFields<T>): void {
    const object = this.find(type, String(id));
    if (!object) throw new Error(`no live ${type} ${id}`);
    Object.assign(object, fields, { update_time: this.now() });
  }

  /** Deleting: a lead is gone at once; the other objects are flagged deleted, as Pipedrive keeps them 30 days. */
  remove(type: PipedriveType, id: string | number): void {
    const object = this.find(type, String(id));
    if (!object) throw new Error(`no live ${type} ${id}`);
    if (type === 'leads') this.objects.leads.delete(String(id));
    else Object.assign(object, { is_deleted: true, update_time: this.now() });
  }

  archiveLead(id: string): void {
    this.modify('leads', id, { is_archived: true });
  }

  live<T extends PipedriveType>(type: T): Array<PipedriveModels[T]> {
    return [...this.objects[type].values()].filter((o) => !('is_deleted' in o && o.is_deleted));
  }

  private find<T extends PipedriveType>(type: T, id: string): PipedriveModels[T] | undefined {
    const object = this.objects[type].get(id);
    return object && !('is_deleted' in object && object.is_deleted) ? object : undefined;
  }

  private authorised(headers: IncomingHttpHeaders): boolean {
    const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    return this.tokens.has(String(headers['x-api-token'] ?? bearer ?? ''));
  }

  private clientRefused(headers: IncomingHttpHeaders): FakeAnswer | null {
    const basic = /^Basic (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':') : [];
    if (id !== this.oauthClient.id || secret !== this.oauthClient.secret)
      return {
        status: 401,
        body: { success: false, error: 'Invalid client credentials', error_info: 'client authentication by HTTP Basic' },
      };
    return null;
  }

  /** Pipedrive's revocation endpoint: the client by HTTP Basic; the refresh token stops working. */
  private revoke(headers: IncomingHttpHeaders, raw: string): FakeAnswer {
    const refused = this.clientRefused(headers);
    if (refused) return refused;
    this.refreshTokens.delete(new URLSearchParams(raw).get('token') ?? '');
    return { status: 200, body: { success: true } };
  }

  /** Pipedrive's token endpoint: the client by HTTP Basic only (client_id in the body is refused). */
  private token(headers: IncomingHttpHeaders, raw: string): FakeAnswer {
    const refused = this.clientRefused(headers);
    if (refused) return refused;
    const form = new URLSearchParams(raw);
    if (form.get('grant_type') === 'authorization_code') {
      if (form.has('client_secret') || !this.authorizations.redeem(form, this.oauthClient.id))
        return { status: 400, body: { error: 'invalid_grant' } };
      const answer: v2.TokenResponse = {
        access_token: this.issueToken(),
        refresh_token: this.issueRefreshToken(),
        token_type: 'Bearer',
        expires_in: 3599,
        scope: 'base,deals:full,contacts:full,leads:full,activities:full',
        api_domain: this.apiDomain ?? this.url,
      };
      return { status: 200, body: answer };
    }
    const refresh = form.get('refresh_token') ?? '';
    if (form.get('grant_type') !== 'refresh_token' || !this.refreshTokens.delete(refresh))
      return { status: 400, body: { error: 'invalid_grant' } };
    const answer: v2.TokenResponse = {
      access_token: this.issueToken(),
      refresh_token: this.issueRefreshToken(),
      token_type: 'Bearer',
      expires_in: 3599,
      scope: 'deals:full contacts:full leads:full activities:full',
      api_domain: this.apiDomain ?? this.url,
    };
    return { status: 200, body: answer };
  }

  private v2List(
    type: V2Type,
    url: URL,
  ): v2.GetPersonsResponse | v2.GetOrganizationsResponse | v2.GetDealsResponse | v2.GetActivitiesResponse {
    const since = url.searchParams.get('updated_since');
    const deleted = type === 'deals' && url.searchParams.get('status') === 'deleted';
    let all = [...this.objects[type].values()].filter(
      (o) => Boolean(o.is_deleted) === deleted && (!since || Date.parse(o.update_time!) >= Date.parse(since)),
    );
    const byUpdate = url.searchParams.get('sort_by') === 'update_time';
    all = all.sort((a, b) => (byUpdate ? Date.parse(a.update_time!) - Date.parse(b.update_time!) : 0) || a.id! - b.id!);
    const start = Number(Buffer.from(url.searchParams.get('cursor') ?? '', 'base64url').toString() || 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), MAX_LIMIT);
    const data = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return {
      success: true,
      data: data as never,
      additional_data: more ? { next_cursor: Buffer.from(String(start + limit)).toString('base64url') } : {},
    };
  }

  private leadList(url: URL, archived: boolean): v1.GetLeadsResponse {
    const all = [...this.objects.leads.values()].filter((lead) => lead.is_archived === archived);
    const start = Number(url.searchParams.get('start') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), MAX_LIMIT);
    return {
      success: true,
      data: all.slice(start, start + limit),
      additional_data: { start, limit, more_items_in_collection: start + limit < all.length },
    };
  }

  /** The persons search, exact match on e-mail (Pipedrive compares addresses case-insensitively). */
  private personSearch(url: URL): v2.GetPersonSearchResponse {
    const term = (url.searchParams.get('term') ?? '').toLowerCase();
    const onEmail = url.searchParams.get('fields') === 'email' && url.searchParams.get('exact_match') === 'true';
    const found = [...this.objects.persons.values()].filter(
      (person) => !person.is_deleted && onEmail && (person.emails ?? []).some((email) => (email.value ?? '').toLowerCase() === term),
    );
    return {
      success: true,
      data: {
        items: found.map((person) => ({
          result_score: 1,
          item: {
            id: person.id!,
            type: 'person',
            name: person.name ?? '',
            phones: (person.phones ?? []).map((phone) => phone.value ?? ''),
            emails: (person.emails ?? []).map((email) => email.value ?? ''),
            visible_to: 3,
            custom_fields: [],
            notes: [],
          },
        })),
      },
      additional_data: {},
    };
  }

  private recents(url: URL): v1.GetRecentsResponse {
    const since = Date.parse(`${(url.searchParams.get('since_timestamp') ?? '1970-01-01 00:00:00').replace(' ', 'T')}Z`);
    const items = (url.searchParams.get('items') ?? '').split(',');
    const changed = (Object.keys(RECENT_ITEM) as V2Type[])
      .filter((type) => items.includes(RECENT_ITEM[type]))
      .flatMap((type) => [...this.objects[type].values()].filter((o) => Date.parse(o.update_time!) >= since).map((o) => ({ type, o })))
      .sort((a, b) => Date.parse(a.o.update_time!) - Date.parse(b.o.update_time!) || a.o.id! - b.o.id!);
    const start = Number(url.searchParams.get('start') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), MAX_LIMIT);
    const page = changed.slice(start, start + limit);
    // v1 writes its own shapes: "YYYY-MM-DD HH:MM:SS" times and active_flag for what v2 calls is_deleted.
    const data: v1.RecentsDataInner[] = page.map(({ type, o }) => ({
      item: RECENT_ITEM[type] as never,
      id: o.id,
      data: {
        id: o.id,
        active_flag: !o.is_deleted,
        update_time: v1Time(Date.parse(o.update_time!)),
        add_time: v1Time(Date.parse(o.add_time!)),
      } as never,
    }));
    return {
      success: true,
      data,
      additional_data: {
        since_timestamp: url.searchParams.get('since_timestamp') ?? '',
        last_timestamp_on_page: page.at(-1) ? v1Time(Date.parse(page.at(-1)!.o.update_time!)) : '',
        pagination: { start, limit, more_items_in_collection: start + limit < changed.length },
      },
    };
  }

  protected handle(method: string, url: URL, headers: IncomingHttpHeaders, raw: string): FakeAnswer {
    if (method === 'POST' && url.pathname === '/oauth/token') return this.token(headers, raw);
    if (method === 'POST' && url.pathname === '/oauth/revoke') return this.revoke(headers, raw);
    if (!this.authorised(headers)) return { status: 401, body: { success: false, error: 'unauthorized access', errorCode: 401 } };
    if (this.rateLimitNext > 0) {
      this.rateLimitNext -= 1;
      return {
        status: 429,
        body: { success: false, error: 'Request over limit' },
        headers: { 'x-ratelimit-limit': '80', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' },
      };
    }
    if (method === 'GET' && url.pathname === '/api/v1/recents') return { status: 200, body: this.recents(url) };
    if (method === 'GET' && url.pathname === '/api/v2/persons/search') return { status: 200, body: this.personSearch(url) };
    if (method === 'GET' && url.pathname === '/api/v1/leads/archived') return { status: 200, body: this.leadList(url, true) };
    const match = /^\/api\/(v1|v2)\/([a-z]+)(?:\/([0-9a-f-]+))?$/.exec(url.pathname);
    const type = match?.[2] as PipedriveType | undefined;
    if (!match || !type || !PIPEDRIVE_TYPES.includes(type) || (match[1] === 'v1') !== (type === 'leads'))
      return { status: 404, body: { success: false, error: 'Unknown method .' } };
    const id = match[3];
    if (method === 'GET' && !id) return { status: 200, body: type === 'leads' ? this.leadList(url, false) : this.v2List(type, url) };
    const body = raw ? (JSON.parse(raw) as PipedriveFields<typeof type>) : {};
    if (method === 'POST' && !id) return { status: 201, body: { success: true, data: this.seed(type, body) } };
    const object = id ? this.find(type, id) : undefined;
    if (!object)
      return {
        status: 404,
        body: {
          success: false,
          error: `${type} not found`,
          error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.',
        },
      };
    if (method === 'GET') return { status: 200, body: { success: true, data: object } };
    if (method === 'PATCH') {
      this.modify(type, object.id!, body);
      return { status: 200, body: { success: true, data: object } };
    }
    if (method === 'DELETE') {
      this.remove(type, object.id!);
      return { status: 200, body: { success: true, data: { id: object.id } } };
    }
    return { status: 405, body: { success: false, error: 'method not allowed' } };
  }
}
