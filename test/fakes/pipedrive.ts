import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FakeApi, type FakeAnswer } from './json-server.ts';

/**
 * A local stand-in for Pipedrive's REST API v1, as documented:
 *   GET    /v1/{organizations|persons|deals|activities}?start&limit     offset paging (limit ≤ 500),
 *                                                                       additional_data.pagination
 *   GET    /v1/leads?start&limit&archived_status&sort=update_time DESC leads (archived ones apart)
 *   GET    /v1/recents?since_timestamp&items&start&limit               changes since a moment, oldest
 *                                                                       first; a deleted object comes
 *                                                                       back with active_flag false
 *   GET/PUT/DELETE /v1/{type}/{id}, POST /v1/{type}                     one object
 * Authentication by the x-api-token header (or api_token in the query); 401 {success: false,
 * error: 'unauthorized access'}; 429 with x-ratelimit-reset (seconds). Timestamps are UTC
 * "YYYY-MM-DD HH:MM:SS", Pipedrive's format.
 */

export const PIPEDRIVE_TYPES = ['organizations', 'persons', 'deals', 'activities', 'leads'] as const;
export type PipedriveType = (typeof PIPEDRIVE_TYPES)[number];
const RECENT_ITEM: Record<Exclude<PipedriveType, 'leads'>, string> = { organizations: 'organization', persons: 'person', deals: 'deal', activities: 'activity' };

export interface PipedriveObject {
  id: number | string;
  [field: string]: unknown;
  update_time: string;
  active_flag: boolean;
}

const MAX_LIMIT = 500;
export const pipedriveTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const parseTime = (value: string) => Date.parse(`${value.replace(' ', 'T')}Z`);

export class FakePipedrive extends FakeApi {
  readonly objects: Record<PipedriveType, Map<string, PipedriveObject>> = { organizations: new Map(), persons: new Map(), deals: new Map(), activities: new Map(), leads: new Map() };
  readonly tokens = new Set<string>();
  rateLimitNext = 0;
  private nextId = 1;
  private clock = 0;

  issueToken(): string {
    const token = crypto.randomBytes(20).toString('hex');
    this.tokens.add(token);
    return token;
  }

  /** Real time, never going back; one second apart at least, as Pipedrive keeps whole seconds. */
  private now(): string {
    this.clock = Math.max(Date.now(), this.clock + 1000);
    return pipedriveTime(this.clock);
  }

  seed(type: PipedriveType, fields: Record<string, unknown>, at?: Date): PipedriveObject {
    const id = type === 'leads' ? crypto.randomUUID() : this.nextId++;
    const object: PipedriveObject = { ...fields, id, add_time: '', update_time: at ? pipedriveTime(at.getTime()) : this.now(), active_flag: true, ...(type === 'leads' ? { is_archived: false } : {}) };
    object.add_time = object.update_time;
    this.objects[type].set(String(id), object);
    return object;
  }

  modify(type: PipedriveType, id: string | number, fields: Record<string, unknown>): void {
    const object = this.objects[type].get(String(id));
    if (!object || !object.active_flag) throw new Error(`no live ${type} ${id}`);
    Object.assign(object, fields, { update_time: this.now() });
  }

  /** Deleting marks the object inactive (leads: archived), as Pipedrive keeps it for 30 days. */
  remove(type: PipedriveType, id: string | number): void {
    const object = this.objects[type].get(String(id));
    if (!object || !object.active_flag) throw new Error(`no live ${type} ${id}`);
    if (type === 'leads') object.is_archived = true;
    else object.active_flag = false;
    object.update_time = this.now();
  }

  live(type: PipedriveType): PipedriveObject[] {
    return [...this.objects[type].values()].filter((o) => o.active_flag && !o.is_archived);
  }

  requests(method: string, path: string): number {
    return this.log.filter((entry) => entry.method === method && entry.path === path).length;
  }

  private page<T>(all: T[], url: URL) {
    const start = Number(url.searchParams.get('start') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100), MAX_LIMIT);
    const data = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return { data: data.length ? data : null, pagination: { start, limit, more_items_in_collection: more, ...(more ? { next_start: start + limit } : {}) } };
  }

  protected handle(method: string, url: URL, headers: IncomingHttpHeaders, raw: string): FakeAnswer {
    const token = String(headers['x-api-token'] ?? url.searchParams.get('api_token') ?? '');
    if (!this.tokens.has(token)) return { status: 401, body: { success: false, error: 'unauthorized access', errorCode: 401 } };
    if (this.rateLimitNext > 0) {
      this.rateLimitNext -= 1;
      return { status: 429, body: { success: false, error: 'Request over limit' }, headers: { 'x-ratelimit-limit': '80', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' } };
    }
    if (method === 'GET' && url.pathname === '/v1/recents') {
      const since = parseTime(url.searchParams.get('since_timestamp') ?? '1970-01-01 00:00:00');
      const items = (url.searchParams.get('items') ?? '').split(',');
      const changed = (Object.keys(RECENT_ITEM) as Array<keyof typeof RECENT_ITEM>)
        .filter((type) => items.includes(RECENT_ITEM[type]))
        .flatMap((type) => [...this.objects[type].values()].filter((o) => parseTime(o.update_time) >= since).map((o) => ({ item: RECENT_ITEM[type], id: o.id, data: o })))
        .sort((a, b) => parseTime(a.data.update_time) - parseTime(b.data.update_time) || Number(a.id) - Number(b.id));
      const { data, pagination } = this.page(changed, url);
      return { status: 200, body: { success: true, data, additional_data: { since_timestamp: url.searchParams.get('since_timestamp'), last_timestamp_on_page: data?.at(-1)?.data.update_time ?? null, pagination } } };
    }
    const match = /^\/v1\/([a-z]+)(?:\/([0-9a-f-]+))?$/.exec(url.pathname);
    const type = match?.[1] as PipedriveType | undefined;
    if (!match || !type || !PIPEDRIVE_TYPES.includes(type)) return { status: 404, body: { success: false, error: 'Unknown method .' } };
    const store = this.objects[type];
    if (method === 'GET' && !match[2]) {
      let all = [...store.values()].filter((o) => o.active_flag);
      if (type === 'leads') {
        const archived = url.searchParams.get('archived_status') === 'archived';
        all = all.filter((o) => Boolean(o.is_archived) === archived);
        if (url.searchParams.get('sort') === 'update_time DESC') all.sort((a, b) => parseTime(b.update_time) - parseTime(a.update_time));
      } else all.sort((a, b) => Number(a.id) - Number(b.id));
      const { data, pagination } = this.page(all, url);
      return { status: 200, body: { success: true, data, additional_data: { pagination } } };
    }
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    if (method === 'POST' && !match[2]) return { status: 201, body: { success: true, data: this.seed(type, body) } };
    const object = match[2] ? store.get(match[2]) : undefined;
    if (!object || !object.active_flag || object.is_archived) return { status: 404, body: { success: false, error: `${type} not found` } };
    if (method === 'GET') return { status: 200, body: { success: true, data: object } };
    if (method === 'PUT' || method === 'PATCH') {
      this.modify(type, object.id, body);
      return { status: 200, body: { success: true, data: object } };
    }
    if (method === 'DELETE') {
      this.remove(type, object.id);
      return { status: 200, body: { success: true, data: { id: object.id } } };
    }
    return { status: 405, body: { success: false, error: 'method not allowed' } };
  }
}
