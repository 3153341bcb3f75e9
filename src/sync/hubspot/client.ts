import type { ConnectorHttp } from '../http.ts';
import { FilterOperatorEnum, hubspotApis, type SimplePublicObject } from './sdk.ts';

/**
 * HubSpot CRM v3 objects API (https://developers.hubspot.com/docs/api/crm/understanding-the-crm),
 * through the official SDK's generated API classes (./sdk.ts): lists page with an opaque `after`
 * cursor; the search endpoint filters by last-modified date but returns at most 10,000 results per
 * query; deleting archives the object, and archived objects are listed with `archived=true`.
 */

export type HubSpotObjectType = 'companies' | 'contacts' | 'deals' | 'tasks';

/** An object as the connector reads it: the SDK's model, with its dates as ISO 8601 strings. */
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
const isPrimary = (other: { associationTypes: Array<{ typeId: number }> }) =>
  other.associationTypes.some((type) => type.typeId === PRIMARY_DEAL_COMPANY);
const SEARCH_PAGE = 200;
const SEARCH_CAP = 10_000;

const asObject = (object: SimplePublicObject): HubSpotObject => ({
  id: object.id,
  properties: object.properties,
  createdAt: object.createdAt.toISOString(),
  updatedAt: object.updatedAt.toISOString(),
  archived: object.archived ?? false,
  ...(object.archivedAt ? { archivedAt: object.archivedAt.toISOString() } : {}),
});

export interface DealStage {
  id: string;
  label: string;
  metadata: { probability?: string; isClosed?: string };
}

export class HubSpotClient {
  private readonly api: ReturnType<typeof hubspotApis>;

  constructor(private readonly http: ConnectorHttp) {
    this.api = hubspotApis(http);
  }

  /** One page of all live (or archived) objects, after the cursor. */
  async listPage(type: HubSpotObjectType, properties: string[], after: string | null, archived = false): Promise<Page> {
    const page = await this.api.objects.getPage(
      type,
      LIST_PAGE,
      after ?? undefined,
      properties.length > 0 ? properties : undefined,
      undefined,
      undefined,
      archived,
    );
    return { results: page.results.map(asObject), next: page.paging?.next?.after ?? null };
  }

  /**
   * One page of the objects modified at or after `since`, oldest change first. The cursor is
   * "<since ms>:<offset>"; before the offset would pass the 10,000-result cap, the search starts
   * again from the last modification time seen (objects changed at that same instant are fetched
   * again, and a sync applies them idempotently).
   */
  async modifiedPage(type: HubSpotObjectType, properties: string[], since: Date, cursor: string | null): Promise<Page> {
    let [from, offset] = cursor ? (cursor.split(':').map(Number) as [number, number]) : [since.getTime(), 0];
    const property = LAST_MODIFIED[type];
    const page = await this.api.search.doSearch(type, {
      filterGroups: [{ filters: [{ propertyName: property, operator: FilterOperatorEnum.Gte, value: String(from) }] }],
      // The SDK's model has sorts as property names, ascending unless prefixed with "-".
      sorts: [property],
      properties: [...new Set([...properties, property])],
      limit: SEARCH_PAGE,
      after: String(offset),
    });
    const results = page.results.map(asObject);
    if (!page.paging?.next) return { results, next: null };
    offset += results.length;
    if (offset + SEARCH_PAGE > SEARCH_CAP) {
      const last = results.at(-1);
      const lastModified = last ? Date.parse(last.properties[property] ?? last.updatedAt) : NaN;
      if (!Number.isNaN(lastModified) && lastModified > from) {
        from = lastModified;
        offset = 0;
      }
    }
    return { results, next: `${from}:${offset}` };
  }

  /** The contacts whose e-mail property is the address (the search's EQ, which HubSpot compares case-insensitively). */
  async contactsWithEmail(email: string, properties: string[]): Promise<HubSpotObject[]> {
    const page = await this.api.search.doSearch('contacts', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: FilterOperatorEnum.Eq, value: email }] }],
      properties,
      limit: 10,
      after: '0',
      sorts: [],
    });
    return page.results.map(asObject);
  }

  async get(type: HubSpotObjectType, id: string, properties: string[]): Promise<HubSpotObject> {
    return asObject(await this.api.objects.getById(type, id, properties));
  }

  async create(type: HubSpotObjectType, properties: Record<string, string | null>): Promise<HubSpotObject> {
    return asObject(await this.api.objects.create(type, { properties: withoutNulls(properties), associations: [] }));
  }

  async update(type: HubSpotObjectType, id: string, properties: Record<string, string | null>): Promise<HubSpotObject> {
    // An empty string clears a property in HubSpot; null is not a value its model takes.
    return asObject(
      await this.api.objects.update(type, id, {
        properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [name, value ?? ''])),
      }),
    );
  }

  /**
   * The objects of one type each object is associated with (associations v4 batch read,
   * POST /crm/v4/associations/{from}/{to}/batch/read), a primary association first (deal to
   * company type 5). Objects without any are absent from the map.
   */
  async associated(from: HubSpotObjectType, to: HubSpotObjectType, ids: string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    if (ids.length === 0) return found;
    const answer = await this.api.associationsBatch.getPage(from, to, { inputs: ids.map((id) => ({ id })) });
    for (const result of answer.results) {
      const primaryFirst = [...result.to].sort((a, b) => Number(isPrimary(b)) - Number(isPrimary(a)));
      found.set(
        String(result._from.id),
        primaryFirst.map((other) => String(other.toObjectId)),
      );
    }
    return found;
  }

  /** Associates a deal with its company (PUT /crm/v4/objects/deals/{id}/associations/default/companies/{companyId}). */
  async associateDealCompany(dealId: string, companyId: string): Promise<void> {
    await this.api.associations.createDefault('deals', dealId, 'companies', companyId);
  }

  /**
   * The portal's settings: its company currency is the currency of a deal that names none
   * (GET /account-info/v3/details). The SDK has no account-info API, so this one request is
   * built here.
   */
  accountDetails(): Promise<{ portalId: number; companyCurrency: string; timeZone?: string }> {
    return this.http.json('GET', '/account-info/v3/details');
  }

  /** The deal pipelines and their stages (GET /crm/v3/pipelines/deals); stage metadata carries probability and isClosed as strings. */
  async dealPipelines(): Promise<Array<{ id: string; label: string; stages: DealStage[] }>> {
    const pipelines = (await this.api.pipelines.getAll('deals')).results;
    return pipelines.map((pipeline) => ({
      id: pipeline.id,
      label: pipeline.label,
      stages: pipeline.stages.map((stage) => ({ id: stage.id, label: stage.label, metadata: stage.metadata ?? {} })),
    }));
  }

  /** HubSpot's GDPR delete (POST /crm/v3/objects/contacts/gdpr-delete): the contact is deleted permanently, not archived. */
  async gdprDelete(id: string): Promise<void> {
    await this.api.contacts.purge({ objectId: id });
  }

  /**
   * Unsubscribes an address from every e-mail subscription type it is subscribed to, through the
   * communication preferences API (GET /communication-preferences/v3/status/email/{address}, then
   * POST /communication-preferences/v3/unsubscribe per type); returns the names of those types.
   */
  async unsubscribeEverywhere(emailAddress: string): Promise<string[]> {
    const statuses = await this.api.subscriptionStatus.getEmailStatus(emailAddress);
    const subscribed = statuses.subscriptionStatuses.filter((status) => status.status === 'SUBSCRIBED');
    for (const status of subscribed)
      await this.api.subscriptionStatus.unsubscribe({
        emailAddress,
        subscriptionId: status.id,
        legalBasisExplanation: 'The person objected to direct marketing (GDPR Art. 21(2))',
      });
    return subscribed.map((status) => status.name);
  }

  async archive(type: HubSpotObjectType, id: string): Promise<void> {
    await this.api.objects.archive(type, id);
  }
}

/** A new object names only the properties that have a value. */
function withoutNulls(properties: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).filter((entry): entry is [string, string] => entry[1] !== null));
}
