import { byId, client, unwrap, type BodyOf, type Schemas } from '../../api/client.ts';

export type Account = Schemas['Account'];
export type Contact = Schemas['Contact'];
export type Lead = Schemas['Lead'];
export type Opportunity = Schemas['Opportunity'];
export type CrmRecord = Account | Contact | Lead | Opportunity;

/** What the list pages ask for; each object passes on the filters its endpoint knows. */
export interface ListQuery {
  q?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
  accountId?: string;
  contactId?: string;
}

/**
 * A record body built by the generic form from the object's fields: the server validates it
 * against the object's schema and answers a 400 naming the field when it does not fit.
 */
export type RecordBody = Record<string, unknown>;

export interface RecordApi<R> {
  list(query: ListQuery, signal?: AbortSignal): Promise<{ items: R[]; nextCursor: string | null }>;
  get(id: string, signal?: AbortSignal): Promise<R>;
  create(body: RecordBody): Promise<R>;
  update(id: string, body: RecordBody): Promise<R>;
  remove(id: string): Promise<void>;
}

export const accountApi: RecordApi<Account> = {
  list: ({ q, sort, limit, cursor }, signal) =>
    unwrap(client.GET('/api/v1/accounts', { params: { query: { q, sort, limit, cursor } }, signal })),
  get: (id, signal) => unwrap(client.GET('/api/v1/accounts/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/accounts', { body: body as BodyOf<'/api/v1/accounts'> })),
  update: (id, body) =>
    unwrap(client.PATCH('/api/v1/accounts/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/accounts/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/accounts/{id}', byId(id))).then(() => undefined),
};

export const contactApi: RecordApi<Contact> = {
  list: ({ q, sort, limit, cursor, accountId }, signal) =>
    unwrap(client.GET('/api/v1/contacts', { params: { query: { q, sort, limit, cursor, accountId } }, signal })),
  get: (id, signal) => unwrap(client.GET('/api/v1/contacts/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/contacts', { body: body as BodyOf<'/api/v1/contacts'> })),
  update: (id, body) =>
    unwrap(client.PATCH('/api/v1/contacts/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/contacts/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/contacts/{id}', byId(id))).then(() => undefined),
};

export const leadApi: RecordApi<Lead> = {
  list: ({ q, sort, limit, cursor }, signal) =>
    unwrap(client.GET('/api/v1/leads', { params: { query: { q, sort, limit, cursor } }, signal })),
  get: (id, signal) => unwrap(client.GET('/api/v1/leads/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/leads', { body: body as BodyOf<'/api/v1/leads'> })),
  update: (id, body) => unwrap(client.PATCH('/api/v1/leads/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/leads/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/leads/{id}', byId(id))).then(() => undefined),
};

export const opportunityApi: RecordApi<Opportunity> = {
  list: ({ q, sort, limit, cursor, accountId, contactId }, signal) =>
    unwrap(client.GET('/api/v1/opportunities', { params: { query: { q, sort, limit, cursor, accountId, contactId } }, signal })),
  get: (id, signal) => unwrap(client.GET('/api/v1/opportunities/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/opportunities', { body: body as BodyOf<'/api/v1/opportunities'> })),
  update: (id, body) =>
    unwrap(client.PATCH('/api/v1/opportunities/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/opportunities/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/opportunities/{id}', byId(id))).then(() => undefined),
};
