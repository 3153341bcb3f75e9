import type { PersonRef } from '../crm/people.ts';
import { TABLE_OF_PERSON } from '../crm/people.ts';
import type { Tx } from '../db/tenant.ts';
import { jurisdictionOfPlace, type Jurisdiction } from './profiles.ts';

/** Which profile governs a person, and why: set by staff, derived from residence, or the workspace default. */
export interface ResolvedJurisdiction {
  jurisdiction: Jurisdiction;
  source: 'override' | 'residence' | 'workspace_default';
}

export interface PlaceOfPerson {
  country: string | null;
  region: string | null;
  jurisdiction: string | null;
}

export function resolveJurisdiction(person: PlaceOfPerson, workspaceDefault: Jurisdiction): ResolvedJurisdiction {
  if (person.jurisdiction) return { jurisdiction: person.jurisdiction as Jurisdiction, source: 'override' };
  const fromPlace = jurisdictionOfPlace(person.country?.trim() ?? null, person.region);
  return fromPlace ? { jurisdiction: fromPlace, source: 'residence' } : { jurisdiction: workspaceDefault, source: 'workspace_default' };
}

export async function workspaceJurisdiction(tx: Tx, tenantId: string): Promise<Jurisdiction> {
  const row = await tx.selectFrom('tenants').select('default_jurisdiction').where('id', '=', tenantId).executeTakeFirstOrThrow();
  return row.default_jurisdiction as Jurisdiction;
}

/** The jurisdiction of each person, for any number of people: one query per table and thousand people. */
export async function jurisdictionsOf(tx: Tx, tenantId: string, people: PersonRef[]): Promise<Map<string, ResolvedJurisdiction>> {
  const out = new Map<string, ResolvedJurisdiction>();
  if (people.length === 0) return out;
  const fallback = await workspaceJurisdiction(tx, tenantId);
  for (const [type, table] of Object.entries(TABLE_OF_PERSON)) {
    const ids = people.filter((person) => person.type === type).map((person) => person.id);
    for (let i = 0; i < ids.length; i += 1000) {
      const rows = await tx
        .selectFrom(table)
        .select(['id', 'country', 'region', 'jurisdiction'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids.slice(i, i + 1000))
        .execute();
      for (const row of rows) out.set(row.id, resolveJurisdiction(row, fallback));
    }
  }
  return out;
}

const PRECEDENCE: Record<ResolvedJurisdiction['source'], number> = { override: 0, residence: 1, workspace_default: 2 };

/**
 * The jurisdiction of a person known by several records (a contact and a lead with one address):
 * the most deliberate answer wins (set by staff, then derived from residence), else the
 * workspace default, which is also the answer for someone the workspace holds nothing about.
 */
export async function subjectJurisdiction(tx: Tx, tenantId: string, people: PersonRef[]): Promise<ResolvedJurisdiction> {
  const resolved = [...(await jurisdictionsOf(tx, tenantId, people)).values()].sort((a, b) => PRECEDENCE[a.source] - PRECEDENCE[b.source]);
  return resolved[0] ?? { jurisdiction: await workspaceJurisdiction(tx, tenantId), source: 'workspace_default' };
}

/** People per jurisdiction, from counts per place of residence (country, region, override). */
export function countByJurisdiction(
  places: Array<PlaceOfPerson & { n: number | string }>,
  workspaceDefault: Jurisdiction,
): Map<Jurisdiction, number> {
  const counts = new Map<Jurisdiction, number>();
  for (const place of places) {
    const { jurisdiction } = resolveJurisdiction(place, workspaceDefault);
    counts.set(jurisdiction, (counts.get(jurisdiction) ?? 0) + Number(place.n));
  }
  return counts;
}
