import type { ConnectorHttp } from '../http.ts';

/**
 * HubSpot CRM v3 objects API (https://developers.hubspot.com/docs/api/crm/understanding-the-crm):
 * lists page with an opaque `after` cursor; the search endpoint filters by last-modified date but
 * returns at most 10,000 results per query; deleting archives the object, and archived objects
 * are listed with `archived=true`.
 */

export type HubSpotObjectType = 'companies' | 'contacts' | 'deals' | 'tasks';

export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** One page and the cursor that continues after it (null: this was the last page). */
export interface Page {
  results: HubSpotObject[];
  next: string | null;
}

interface ListResponse {
  results: HubSpotObject[];
  paging?: { next?: { after: string } };
}

/** The last-modified property the search filters each type by. */
export const LAST_MODIFIED: Record<HubSpotObjectType, string> = {
  companies: 'hs_lastmodifieddate',
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  tasks: 'hs_lastmodifieddate',
};

const LIST_PAGE = 100;
/** HubSpot-defined association type "deal to company, primary". */
const PRIMARY_DEAL_COMPANY = 5;
const SEARCH_PAGE = 200;
const SEARCH_CAP = 10_000;

export class HubSpotClient {
  constructor(private readonly http: ConnectorHttp) {}

  /** One page of all live (or archived) objects, after the cursor. */
  async listPage(type: HubSpotObjectType, properties: string[], after: string | null, archived = false): Promise<Page> {
    const query = new URLSearchParams({ limit: String(LIST_PAGE), archived: String(archived) });
    if (properties.length > 0) query.set('properties', properties.join(','));
    if (after) query.set('after', after);
    const page = await this.http.json<ListResponse>('GET', `/crm/v3/objects/${type}?${query}`);
    return { results: page.results, next: page.paging?.next?.after ?? null };
  }

  /**
   * One page of the objects modified at or after `since`, oldest change first. The cursor is
   * "<since ms>:<offset>"; before the offset would pass the 10,000-result cap, the search starts
   * again from the last modification time seen (objects changed at that same instant are fetched
   * again, and a sync applies them idempotently).
   */
  async modifiedPage(type: HubSpotObjectType, properties: string[], since: Date, cursor: string | null): Promise<Page> {
    let [from, offset] = cursor ? cursor.split(':').map(Number) as [number, number] : [since.getTime(), 0];
    const property = LAST_MODIFIED[type];
    const page = await this.http.json<ListResponse & { total: number }>('POST', `/crm/v3/objects/${type}/search`, {
      filterGroups: [{ filters: [{ propertyName: property, operator: 'GTE', value: String(from) }] }],
      sorts: [{ propertyName: property, direction: 'ASCENDING' }],
      properties: [...new Set([...properties, property])],
      limit: SEARCH_PAGE,
      after: offset,
    });
    if (!page.paging?.next) return { results: page.results, next: null };
    offset += page.results.length;
    if (offset + SEARCH_PAGE > SEARCH_CAP) {
      const last = page.results.at(-1);
      const lastModified = last ? Date.parse(last.properties[property] ?? last.updatedAt) : NaN;
      if (!Number.isNaN(lastModified) && lastModified > from) {
        from = lastModified;
        offset = 0;
      }
    }
    return { results: page.results, next: `${from}:${offset}` };
  }

  get(type: HubSpotObjectType, id: string, properties: string[]): Promise<HubSpotObject> {
    const query = new URLSearchParams({ properties: properties.join(',') });
    return this.http.json<HubSpotObject>('GET', `/crm/v3/objects/${type}/${encodeURIComponent(id)}?${query}`);
  }

  create(type: HubSpotObjectType, properties: Record<string, string | null>): Promise<HubSpotObject> {
    return this.http.json<HubSpotObject>('POST', `/crm/v3/objects/${type}`, { properties });
  }

  update(type: HubSpotObjectType, id: string, properties: Record<string, string | null>): Promise<HubSpotObject> {
    return this.http.json<HubSpotObject>('PATCH', `/crm/v3/objects/${type}/${encodeURIComponent(id)}`, { properties });
  }

  /**
   * The companies each deal is associated with (associations v4 batch read,
   * POST /crm/v4/associations/deals/companies/batch/read): the primary one (type 5) first.
   */
  async dealCompanies(dealIds: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (dealIds.length === 0) return found;
    const answer = await this.http.json<{ results: Array<{ from: { id: string }; to: Array<{ toObjectId: number | string; associationTypes: Array<{ typeId: number }> }> }> }>(
      'POST',
      '/crm/v4/associations/deals/companies/batch/read',
      { inputs: dealIds.map((id) => ({ id })) },
    );
    for (const result of answer.results) {
      const primary = result.to.find((to) => to.associationTypes.some((type) => type.typeId === PRIMARY_DEAL_COMPANY)) ?? result.to[0];
      if (primary) found.set(String(result.from.id), String(primary.toObjectId));
    }
    return found;
  }

  /** Associates a deal with its company (PUT /crm/v4/objects/deals/{id}/associations/default/companies/{companyId}). */
  async associateDealCompany(dealId: string, companyId: string): Promise<void> {
    await this.http.json('PUT', `/crm/v4/objects/deals/${encodeURIComponent(dealId)}/associations/default/companies/${encodeURIComponent(companyId)}`);
  }

  /** The portal's settings: its company currency is the currency of a deal that names none (GET /account-info/v3/details). */
  accountDetails(): Promise<{ portalId: number; companyCurrency: string; timeZone?: string }> {
    return this.http.json('GET', '/account-info/v3/details');
  }

  /** The deal pipelines and their stages (GET /crm/v3/pipelines/deals); stage metadata carries probability and isClosed as strings. */
  async dealPipelines(): Promise<Array<{ id: string; label: string; stages: Array<{ id: string; label: string; metadata: { probability?: string; isClosed?: string } }> }>> {
    return (await this.http.json<{ results: Array<{ id: string; label: string; stages: Array<{ id: string; label: string; metadata: { probability?: string; isClosed?: string } }> }> }>('GET', '/crm/v3/pipelines/deals')).results;
  }

  /** HubSpot's GDPR delete (POST /crm/v3/objects/contacts/gdpr-delete): the contact is deleted permanently, not archived. */
  async gdprDelete(id: string): Promise<void> {
    await this.http.json<void>('POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: id });
  }

  async archive(type: HubSpotObjectType, id: string): Promise<void> {
    await this.http.json<void>('DELETE', `/crm/v3/objects/${type}/${encodeURIComponent(id)}`);
  }
}
