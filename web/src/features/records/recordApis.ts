import { byId, client, unwrap, type BodyOf, type QueryOf, type Schemas } from '../../api/client.ts';

export type Account = Schemas['Account'];
export type Contact = Schemas['Contact'];
export type Lead = Schemas['Lead'];
export type Opportunity = Schemas['Opportunity'];
export type CrmRecord = Account | Contact | Lead | Opportunity;

/**
 * A list's filters as the query string takes them (a saved view keeps them so): each object's
 * endpoint validates its own and answers a 400 naming a filter it does not know.
 */
export type ListFilters = Record<string, string | number | string[]>;

/** What the list pages ask for. */
export interface ListQuery {
  q?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
  accountId?: string;
  contactId?: string;
  opportunityId?: string;
  filters?: ListFilters;
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
  list: ({ filters, ...query }, signal) =>
    unwrap(client.GET('/api/v1/accounts', { params: { query: { ...filters, ...query } as QueryOf<'/api/v1/accounts'> }, signal })),
  get: (id, signal) => unwrap(client.GET('/api/v1/accounts/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/accounts', { body: body as BodyOf<'/api/v1/accounts'> })),
  update: (id, body) =>
    unwrap(client.PATCH('/api/v1/accounts/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/accounts/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/accounts/{id}', byId(id))).then(() => undefined),
};

export const contactApi: RecordApi<Contact> = {
  list: ({ filters, ...query }, signal) =>
    unwrap(client.GET('/api/v1/contacts', { params: { query: { ...filters, ...query } as QueryOf<'/api/v1/contacts'> }, signal })),
  get: (id, signal) => unwrap(client.GET('/api/v1/contacts/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/contacts', { body: body as BodyOf<'/api/v1/contacts'> })),
  update: (id, body) =>
    unwrap(client.PATCH('/api/v1/contacts/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/contacts/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/contacts/{id}', byId(id))).then(() => undefined),
};

export const leadApi: RecordApi<Lead> = {
  list: ({ filters, ...query }, signal) =>
    unwrap(client.GET('/api/v1/leads', { params: { query: { ...filters, ...query } as QueryOf<'/api/v1/leads'> }, signal })),
  get: (id, signal) => unwrap(client.GET('/api/v1/leads/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/leads', { body: body as BodyOf<'/api/v1/leads'> })),
  update: (id, body) => unwrap(client.PATCH('/api/v1/leads/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/leads/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/leads/{id}', byId(id))).then(() => undefined),
};

export const opportunityApi: RecordApi<Opportunity> = {
  list: ({ filters, ...query }, signal) =>
    unwrap(
      client.GET('/api/v1/opportunities', { params: { query: { ...filters, ...query } as QueryOf<'/api/v1/opportunities'> }, signal }),
    ),
  get: (id, signal) => unwrap(client.GET('/api/v1/opportunities/{id}', { ...byId(id), signal })),
  create: (body) => unwrap(client.POST('/api/v1/opportunities', { body: body as BodyOf<'/api/v1/opportunities'> })),
  update: (id, body) =>
    unwrap(client.PATCH('/api/v1/opportunities/{id}', { ...byId(id), body: body as BodyOf<'/api/v1/opportunities/{id}', 'patch'> })),
  remove: (id) => unwrap(client.DELETE('/api/v1/opportunities/{id}', byId(id))).then(() => undefined),
};
