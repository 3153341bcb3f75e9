import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { ObjectSerializer as AssociationModels } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/ObjectSerializer.js';
import { ObjectSerializer as ObjectModels } from '@hubspot/api-client/lib/codegen/crm/objects/models/ObjectSerializer.js';
import { ObjectSerializer as PipelineModels } from '@hubspot/api-client/lib/codegen/crm/pipelines/models/ObjectSerializer.js';
import { ObjectSerializer as PreferenceModels } from '@hubspot/api-client/lib/codegen/communication_preferences/models/ObjectSerializer.js';
import { FakeApi, type FakeAnswer } from './json-server.ts';
import { FakeAuthorizations } from './oauth-codes.ts';

/**
 * A local stand-in for HubSpot's CRM v3 REST API, as documented:
 *   GET    /crm/v3/objects/{type}?limit&after&properties&archived   list, `after` cursor paging
 *   GET    /crm/v3/objects/{type}/{id}?properties                    read one
 *   POST   /crm/v3/objects/{type}/search                             filter by last-modified date (or EQ a value),
 *                                                                    at most 10,000 results a query
 *   POST   /crm/v3/objects/{type}                                    create
 *   PATCH  /crm/v3/objects/{type}/{id}                               update
 *   DELETE /crm/v3/objects/{type}/{id}                               archive (HubSpot's delete)
 *   POST   /crm/v3/objects/contacts/gdpr-delete {objectId}           permanent deletion (204)
 *   POST   /crm/v4/associations/{from}/{to}/batch/read {inputs}       what each object is associated with
 *                                                                    (deal to company type 5: primary)
 *   PUT    /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}  a default association
 *   GET    /account-info/v3/details                                  the portal's companyCurrency
 *   GET    /crm/v3/pipelines/deals                                   pipelines and stages (metadata.probability, isClosed)
 *   GET    /communication-preferences/v3/status/email/{address}      the address's status for each subscription type
 *   POST   /communication-preferences/v3/unsubscribe {emailAddress, subscriptionId}  400 when already unsubscribed
 * A task is refused without hs_timestamp; a merged contact vanishes and the survivor lists it in hs_merged_object_ids.
 *   POST   /oauth/v1/token                                           refresh an OAuth access token
 *   DELETE /oauth/v1/refresh-tokens/{token}                          revoke a refresh token (204)
 * Every successful JSON answer is checked against the official SDK's generated model of that
 * answer (@hubspot/api-client's ObjectSerializer): deserialized and serialized again, it must come
 * back unchanged, so a field the SDK does not know, a misnamed one or a date in another format
 * fails the test that caused it (see `conforming`).
 * Errors have HubSpot's shape ({status: 'error', category, message}): 401 EXPIRED_AUTHENTICATION,
 * 429 RATE_LIMITS with Retry-After. Tests script token expiry and 429 storms and read the log
 * of requests to check what a sync asked for.
 */

export const HUBSPOT_TYPES = ['companies', 'contacts', 'deals', 'tasks'] as const;
export type HubSpotType = (typeof HUBSPOT_TYPES)[number];

export interface FakeObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** The last-modified property HubSpot filters each object type by. */
export const MODIFIED_PROPERTY: Record<HubSpotType, string> = {
  companies: 'hs_lastmodifieddate',
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  tasks: 'hs_lastmodifieddate',
};

const SEARCH_RESULT_CAP = 10_000;
/** When the default pipeline was made, in HubSpot's date format (milliseconds, Z). */
const EPOCH = '2020-01-01T00:00:00.000Z';

interface ModelSerializer {
  serialize(data: unknown, type: string, format: string): unknown;
  deserialize(data: unknown, type: string, format: string): unknown;
}

/**
 * The answer, once the SDK's generated model has read it back without loss (HubSpot's Node SDK
 * deserializes every reply with these models): a field it drops or a value it converts
 * differently means the fake has drifted from the vendor's shape, and the request fails loudly.
 */
export function conforming<T>(models: ModelSerializer, model: string, body: T): T {
  const sent = JSON.parse(JSON.stringify(body)) as unknown;
  const read = JSON.parse(JSON.stringify(models.serialize(models.deserialize(sent, model, ''), model, ''))) as unknown;
  if (!isDeepStrictEqual(read, sent))
    throw new Error(
      `the fake HubSpot's ${model} is not what the SDK reads: sent ${JSON.stringify(sent).slice(0, 400)}, SDK read ${JSON.stringify(read).slice(0, 400)}`,
    );
  return body;
}
/**
 * HubSpot-defined association types between the objects the fake keeps (HubSpot's table of
 * association type IDs): the unlabeled one, and the "primary" label where HubSpot has one.
 */
const ASSOCIATION_TYPES: Partial<Record<string, { typeId: number; primary?: number }>> = {
  'deals/companies': { typeId: 341, primary: 5 },
  'deals/contacts': { typeId: 3 },
  'contacts/companies': { typeId: 279, primary: 1 },
  'tasks/contacts': { typeId: 204 },
  'tasks/companies': { typeId: 192 },
  'tasks/deals': { typeId: 216 },
};

function associationTypes(from: string, to: string, primary: boolean) {
  const kind = ASSOCIATION_TYPES[`${from}/${to}`]!;
  const unlabeled = { category: 'HUBSPOT_DEFINED', typeId: kind.typeId, label: null };
  return primary && kind.primary ? [{ category: 'HUBSPOT_DEFINED', typeId: kind.primary, label: 'Primary' }, unlabeled] : [unlabeled];
}
const MAX_LIST_LIMIT = 100;
const MAX_SEARCH_LIMIT = 200;

export class FakeHubSpot extends FakeApi {
  readonly objects: Record<HubSpotType, Map<string, FakeObject>> = {
    companies: new Map(),
    contacts: new Map(),
    deals: new Map(),
    tasks: new Map(),
  };
  readonly clientId = 'fake-client-id';
  readonly clientSecret = 'fake-client-secret';
  private accessTokens = new Set<string>();
  private refreshTokens = new Set<string>();
  private nextId = 1000;
  /** The last instant handed out: HubSpot's clock follows real time, and no two changes share a millisecond. */
  private clock = 0;
  /** The token lacks the scope the GDPR delete needs: 403 MISSING_SCOPES. */
  refuseGdprDelete = false;
  /** The consent screen (HubSpot's install URL; no PKCE). */
  readonly authorizations = new FakeAuthorizations(false);
  /** Associations, "{from}/{id}/{to}" → the associated ids, first one primary (HubSpot keeps them apart from the objects' properties). */
  readonly associations = new Map<string, string[]>();
  /** The portal's company currency (account-info details). */
  companyCurrency = 'EUR';
  /** Pipelines beyond the default one: id, label, stages with HubSpot's string metadata. */
  readonly customPipelines: Array<{
    id: string;
    label: string;
    stages: Array<{ id: string; label: string; metadata: { probability: string; isClosed: string } }>;
  }> = [];
  /** The portal's e-mail subscription types (communication preferences). */
  readonly subscriptionTypes = [
    { id: '5001', name: 'Newsletter', description: 'The monthly newsletter' },
    { id: '5002', name: 'Product updates', description: 'News of the product' },
  ];
  /** Address (lower case) → the ids of the subscription types it is subscribed to. */
  readonly subscriptions = new Map<string, Set<string>>();
  /** The next this many requests (token endpoint excepted) are answered 429. */
  rateLimitNext = 0;
  /** Seconds sent in Retry-After with a 429. */
  retryAfterSeconds = 1;

  /** A fresh OAuth pair, as if the customer had just connected the app. */
  issueTokens(): { accessToken: string; refreshToken: string } {
    const accessToken = `at-${crypto.randomBytes(8).toString('hex')}`;
    const refreshToken = `rt-${crypto.randomBytes(8).toString('hex')}`;
    this.accessTokens.add(accessToken);
    this.refreshTokens.add(refreshToken);
    return { accessToken, refreshToken };
  }

  /** Associates two objects, as the HubSpot UI does; the first association of a kind is the primary one. */
  associate(from: HubSpotType, id: string, to: HubSpotType, toId: string): void {
    const key = `${from}/${id}/${to}`;
    const others = this.associations.get(key) ?? [];
    if (!others.includes(toId)) this.associations.set(key, [...others, toId]);
  }

  /** Every access token stops working, as when they reach their 30-minute lifetime. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** The fake's clock: real time, at least `ms` after the last instant it handed out. */
  tick(ms = 1): string {
    this.version += 1;
    this.clock = Math.max(Date.now(), this.clock + ms);
    return new Date(this.clock).toISOString();
  }

  /** Adds an object; `at` backdates it (generated history: records created and last changed long ago). */
  seed(type: HubSpotType, properties: Record<string, string | null>, at?: Date): FakeObject {
    this.version += 1;
    const now = at ? at.toISOString() : this.tick();
    const object: FakeObject = {
      id: String(this.nextId++),
      properties: { ...properties, [MODIFIED_PROPERTY[type]]: now, createdate: now },
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    this.objects[type].set(object.id, object);
    return object;
  }

  modify(type: HubSpotType, id: string, properties: Record<string, string | null>): void {
    const object = this.objects[type].get(id);
    if (!object || object.archived) throw new Error(`no live ${type} ${id}`);
    const now = this.tick();
    Object.assign(object.properties, properties, { [MODIFIED_PROPERTY[type]]: now });
    object.updatedAt = now;
  }

  /** HubSpot's merge of two contacts: the secondary disappears, the primary lists it in hs_merged_object_ids. */
  merge(primaryId: string, secondaryId: string): void {
    const primary = this.objects.contacts.get(primaryId);
    if (!primary || !this.objects.contacts.delete(secondaryId)) throw new Error('no such contacts');
    const merged = [...(primary.properties.hs_merged_object_ids ?? '').split(';').filter(Boolean), secondaryId].join(';');
    this.modify('contacts', primaryId, { hs_merged_object_ids: merged });
  }

  archive(type: HubSpotType, id: string): void {
    const object = this.objects[type].get(id);
    if (!object || object.archived) throw new Error(`no live ${type} ${id}`);
    const now = this.tick();
    object.archived = true;
    object.archivedAt = now;
    object.updatedAt = now;
  }

  private listCache = new Map<string, { version: number; list: FakeObject[] }>();
  private version = 0;

  /** Live (or archived) objects in id order; cached until the next change, as listing 50,000 objects page by page would sort them 500 times. */
  private sorted(type: HubSpotType, archived: boolean): FakeObject[] {
    const cached = this.listCache.get(`${type}:${archived}`);
    if (cached && cached.version === this.version) return cached.list;
    const list = [...this.objects[type].values()].filter((o) => o.archived === archived).sort((a, b) => Number(a.id) - Number(b.id));
    this.listCache.set(`${type}:${archived}`, { version: this.version, list });
    return list;
  }

  /** The communication preferences API v3 (subscription statuses of an address), or null for another path. */
  private communicationPreferences(method: string, url: URL, raw: string): FakeAnswer | null {
    const statusOf = (email: string, type: { id: string; name: string; description: string }) => ({
      id: type.id,
      name: type.name,
      description: type.description,
      status: this.subscriptions.get(email)?.has(type.id) ? 'SUBSCRIBED' : 'NOT_SUBSCRIBED',
      sourceOfStatus: 'SUBSCRIPTION_STATUS',
    });
    const read = /^\/communication-preferences\/v3\/status\/email\/(.+)$/.exec(url.pathname);
    if (method === 'GET' && read) {
      const email = decodeURIComponent(read[1]!).toLowerCase();
      const body = { recipient: email, subscriptionStatuses: this.subscriptionTypes.map((type) => statusOf(email, type)) };
      return { status: 200, body: conforming(PreferenceModels, 'PublicSubscriptionStatusesResponse', body) };
    }
    if (method === 'POST' && url.pathname === '/communication-preferences/v3/unsubscribe') {
      const { emailAddress, subscriptionId } = JSON.parse(raw || '{}') as { emailAddress?: string; subscriptionId?: string };
      const email = (emailAddress ?? '').toLowerCase();
      const type = this.subscriptionTypes.find((candidate) => candidate.id === subscriptionId);
      const invalid = (message: string) => ({
        status: 400,
        body: { status: 'error', category: 'VALIDATION_ERROR', message, correlationId: crypto.randomUUID() },
      });
      if (!email || !type) return invalid('emailAddress and a known subscriptionId are required');
      if (!this.subscriptions.get(email)?.delete(type.id)) return invalid(`${email} is already unsubscribed from subscription ${type.id}`);
      return { status: 200, body: conforming(PreferenceModels, 'PublicSubscriptionStatus', statusOf(email, type)) };
    }
    return null;
  }

  requests(method: string, pathPrefix: string): number {
    return this.log.filter((entry) => entry.method === method && entry.path.startsWith(pathPrefix)).length;
  }

  protected handle(method: string, url: URL, headers: IncomingHttpHeaders, raw: string): FakeAnswer {
    const error = (status: number, category: string, message: string, extra: Record<string, string> = {}) => ({
      status,
      body: { status: 'error', category, message, correlationId: crypto.randomUUID() },
      headers: extra,
    });
    const revoke = /^\/oauth\/v1\/refresh-tokens\/(.+)$/.exec(url.pathname);
    if (method === 'DELETE' && revoke) {
      // HubSpot's "Delete a refresh token": 204, and the token no longer refreshes.
      if (!this.refreshTokens.delete(decodeURIComponent(revoke[1]!))) return error(404, 'NOT_FOUND', 'refresh token not found');
      return { status: 204 };
    }
    if (method === 'POST' && url.pathname === '/oauth/v1/token' && new URLSearchParams(raw).get('grant_type') === 'authorization_code') {
      const form = new URLSearchParams(raw);
      if (form.get('client_secret') !== this.clientSecret || !this.authorizations.redeem(form, this.clientId))
        return error(400, 'BAD_AUTH_CODE', 'missing or unknown auth code');
      const tokens = this.issueTokens();
      return {
        status: 200,
        body: { token_type: 'bearer', access_token: tokens.accessToken, refresh_token: tokens.refreshToken, expires_in: 1800 },
      };
    }
    if (method === 'POST' && url.pathname === '/oauth/v1/token') {
      const form = new URLSearchParams(raw);
      if (
        form.get('grant_type') !== 'refresh_token' ||
        form.get('client_id') !== this.clientId ||
        form.get('client_secret') !== this.clientSecret
      )
        return error(400, 'BAD_CLIENT', 'invalid client or grant');
      const refreshToken = form.get('refresh_token') ?? '';
      if (!this.refreshTokens.has(refreshToken)) return error(400, 'BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
      const accessToken = `at-${crypto.randomBytes(8).toString('hex')}`;
      this.accessTokens.add(accessToken);
      return { status: 200, body: { token_type: 'bearer', access_token: accessToken, refresh_token: refreshToken, expires_in: 1800 } };
    }
    const token = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    if (!token || !this.accessTokens.has(token))
      return error(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    if (this.rateLimitNext > 0) {
      this.rateLimitNext -= 1;
      return error(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.', {
        'retry-after': String(this.retryAfterSeconds),
      });
    }
    const batchRead = /^\/crm\/v4\/associations\/(\w+)\/(\w+)\/batch\/read$/.exec(url.pathname);
    if (method === 'POST' && batchRead) {
      const [, from, to] = batchRead as unknown as [string, HubSpotType, HubSpotType];
      if (!ASSOCIATION_TYPES[`${from}/${to}`]) return error(400, 'VALIDATION_ERROR', `no association from ${from} to ${to}`);
      const inputs = (JSON.parse(raw || '{}') as { inputs?: Array<{ id: string }> }).inputs ?? [];
      if (inputs.length > 1000) return error(400, 'VALIDATION_ERROR', 'at most 1000 inputs');
      const results = inputs.flatMap((input) => {
        const others = this.associations.get(`${from}/${input.id}/${to}`) ?? [];
        return others.length
          ? [
              {
                from: { id: input.id },
                to: others.map((id, at) => ({ toObjectId: Number(id), associationTypes: associationTypes(from, to, at === 0) })),
              },
            ]
          : [];
      });
      return {
        status: 200,
        body: conforming(AssociationModels, 'BatchResponsePublicAssociationMultiWithLabel', {
          status: 'COMPLETE',
          results,
          startedAt: new Date().toISOString(),
          completedAt: new Date().toISOString(),
        }),
      };
    }
    const associate = /^\/crm\/v4\/objects\/(\w+)\/(\d+)\/associations\/default\/(\w+)\/(\d+)$/.exec(url.pathname);
    if (method === 'PUT' && associate) {
      const [, from, id, to, toId] = associate as unknown as [string, HubSpotType, string, HubSpotType, string];
      if (!ASSOCIATION_TYPES[`${from}/${to}`]) return error(400, 'VALIDATION_ERROR', `no association from ${from} to ${to}`);
      if (!this.objects[from]?.has(id) || !this.objects[to]?.has(toId)) return error(404, 'OBJECT_NOT_FOUND', 'resource not found');
      this.associate(from, id, to, toId);
      const now = new Date().toISOString();
      const typeId = ASSOCIATION_TYPES[`${from}/${to}`]!.typeId;
      return {
        status: 200,
        body: conforming(AssociationModels, 'BatchResponsePublicDefaultAssociation', {
          status: 'COMPLETE',
          results: [
            { from: { id }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } },
          ],
          startedAt: now,
          completedAt: now,
        }),
      };
    }
    if (method === 'GET' && url.pathname === '/account-info/v3/details') {
      return {
        status: 200,
        body: {
          portalId: 62515,
          accountType: 'STANDARD',
          timeZone: 'Europe/Berlin',
          companyCurrency: this.companyCurrency,
          additionalCurrencies: [],
          utcOffset: '+01:00',
          utcOffsetMilliseconds: 3_600_000,
          uiDomain: 'app-eu1.hubspot.com',
          dataHostingLocation: 'eu1',
        },
      };
    }
    if (method === 'GET' && url.pathname === '/crm/v3/pipelines/deals') {
      const stage = (id: string, label: string, probability: string, displayOrder: number) => ({
        id,
        label,
        displayOrder,
        metadata: { probability, isClosed: String(probability === '1.0' || probability === '0.0') },
        archived: false,
        createdAt: EPOCH,
        updatedAt: EPOCH,
      });
      const standard = {
        id: 'default',
        label: 'Sales Pipeline',
        displayOrder: 0,
        archived: false,
        createdAt: EPOCH,
        updatedAt: EPOCH,
        stages: [
          stage('appointmentscheduled', 'Appointment Scheduled', '0.2', 0),
          stage('qualifiedtobuy', 'Qualified To Buy', '0.4', 1),
          stage('presentationscheduled', 'Presentation Scheduled', '0.6', 2),
          stage('decisionmakerboughtin', 'Decision Maker Bought-In', '0.8', 3),
          stage('contractsent', 'Contract Sent', '0.9', 4),
          stage('closedwon', 'Closed Won', '1.0', 5),
          stage('closedlost', 'Closed Lost', '0.0', 6),
        ],
      };
      const custom = this.customPipelines.map((p, i) => ({
        ...p,
        stages: p.stages.map((s, order) => ({ ...s, displayOrder: order, archived: false, createdAt: EPOCH, updatedAt: EPOCH })),
        displayOrder: i + 1,
        archived: false,
        createdAt: EPOCH,
        updatedAt: EPOCH,
      }));
      return { status: 200, body: conforming(PipelineModels, 'CollectionResponsePipelineNoPaging', { results: [standard, ...custom] }) };
    }
    const preferences = this.communicationPreferences(method, url, raw);
    if (preferences) return preferences;
    if (method === 'POST' && url.pathname === '/crm/v3/objects/contacts/gdpr-delete') {
      // HubSpot's GDPR delete: the contact is removed for good (not archived); it needs the crm.objects.contacts.write scope.
      if (this.refuseGdprDelete) return error(403, 'MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call.");
      const { objectId } = JSON.parse(raw || '{}') as { objectId?: string };
      if (!objectId || !this.objects.contacts.delete(objectId)) return error(404, 'OBJECT_NOT_FOUND', 'resource not found');
      return { status: 204 };
    }
    const match = /^\/crm\/v3\/objects\/([a-z]+)(?:\/(search|[0-9]+))?$/.exec(url.pathname);
    const type = match?.[1] as HubSpotType | undefined;
    if (!match || !type || !HUBSPOT_TYPES.includes(type)) return error(404, 'OBJECT_NOT_FOUND', `no route ${url.pathname}`);
    const store = this.objects[type];
    const body = raw ? (JSON.parse(raw) as Record<string, any>) : {};
    if (method === 'GET' && !match[2]) {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 10), MAX_LIST_LIMIT);
      const archived = url.searchParams.get('archived') === 'true';
      const properties = url.searchParams
        .getAll('properties')
        .flatMap((p) => p.split(','))
        .filter(Boolean);
      const all = this.sorted(type, archived);
      const after = url.searchParams.get('after');
      const start = after ? all.findIndex((o) => Number(o.id) > Number(after)) : 0;
      const page = start < 0 ? [] : all.slice(start, start + limit);
      const last = page.at(-1);
      const more = start >= 0 && start + limit < all.length;
      return {
        status: 200,
        body: conforming(ObjectModels, 'CollectionResponseSimplePublicObjectWithAssociationsForwardPaging', {
          results: page.map((o) => view(o, properties)),
          ...(more && last ? { paging: { next: { after: last.id, link: `${this.url}${url.pathname}?after=${last.id}` } } } : {}),
        }),
      };
    }
    if (method === 'POST' && match[2] === 'search') {
      const limit = Math.min(Number(body.limit ?? 10), MAX_SEARCH_LIMIT);
      const after = Number(body.after ?? 0);
      if (after + limit > SEARCH_RESULT_CAP)
        return error(400, 'VALIDATION_ERROR', `Search results are limited to ${SEARCH_RESULT_CAP}; narrow the filter.`);
      const filters: Array<{ propertyName: string; operator: string; value: string }> = body.filterGroups?.[0]?.filters ?? [];
      const all = [...store.values()]
        .filter((o) => !o.archived)
        .filter((o) =>
          filters.every((f) => {
            // EQ compares strings, case-insensitively as HubSpot does for e-mail addresses.
            if (f.operator === 'EQ') return (o.properties[f.propertyName] ?? '').toLowerCase() === f.value.toLowerCase();
            const value = Date.parse(o.properties[f.propertyName] ?? '');
            const bound = Number(f.value);
            return f.operator === 'GTE' ? value >= bound : f.operator === 'GT' ? value > bound : f.operator === 'LT' ? value < bound : true;
          }),
        )
        .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || Number(a.id) - Number(b.id));
      const page = all.slice(after, after + limit);
      const more = after + limit < all.length;
      return {
        status: 200,
        body: conforming(ObjectModels, 'CollectionResponseWithTotalSimplePublicObjectForwardPaging', {
          total: all.length,
          results: page.map((o) => view(o, body.properties ?? [])),
          ...(more ? { paging: { next: { after: String(after + limit) } } } : {}),
        }),
      };
    }
    if (method === 'POST' && !match[2]) {
      if (type === 'tasks' && !body.properties?.hs_timestamp)
        return error(400, 'VALIDATION_ERROR', 'Property values were not valid: hs_timestamp is required');
      const created = this.seed(type, body.properties ?? {});
      return { status: 201, body: conforming(ObjectModels, 'SimplePublicObject', view(created, Object.keys(created.properties))) };
    }
    const object = match[2] ? store.get(match[2]) : undefined;
    if (!object || object.archived) return error(404, 'OBJECT_NOT_FOUND', 'resource not found');
    if (method === 'GET') {
      const properties = url.searchParams
        .getAll('properties')
        .flatMap((p) => p.split(','))
        .filter(Boolean);
      return { status: 200, body: conforming(ObjectModels, 'SimplePublicObjectWithAssociations', view(object, properties)) };
    }
    if (method === 'PATCH') {
      this.modify(type, object.id, body.properties ?? {});
      return { status: 200, body: conforming(ObjectModels, 'SimplePublicObject', view(object, Object.keys(object.properties))) };
    }
    if (method === 'DELETE') {
      this.archive(type, object.id);
      return { status: 204 };
    }
    return error(405, 'METHOD_NOT_ALLOWED', `${method} not supported`);
  }
}

function view(object: FakeObject, properties: string[]) {
  const selected = properties.length > 0 ? Object.fromEntries(properties.map((p) => [p, object.properties[p] ?? null])) : object.properties;
  return {
    id: object.id,
    properties: { ...selected, hs_object_id: object.id },
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
    archived: object.archived,
    ...(object.archivedAt ? { archivedAt: object.archivedAt } : {}),
  };
}
