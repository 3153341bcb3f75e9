import crypto from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { z } from 'zod';
import { commonConditions, ownersNamed, type ListFilters } from './list-filters.ts';
import type { AppContext } from '../app-context.ts';
import type { Caller } from '../auth/context.ts';
import type { LeadsTable } from '../db/types.ts';
import { carryConsents } from '../consent/service.ts';
import { conflict, notFound } from '../http/errors.ts';
import { accountByDomain, insertAccount } from './accounts.ts';
import { deleteRecord } from './activities.ts';
import { contactsWithEmails, insertContact } from './contacts.ts';
import { databaseSort, directoryFor, directoryList, directoryOrder, NAME_SORTS } from './people-pages.ts';
import { crmWork, openPage, definedOnly, provenanceColumns, recordListRead, type CrmWork } from './context.ts';
import { type PersonSealer } from '../crypto/sealer.ts';
import { iso, isoRequired } from '../shared/dates.ts';
import { definitionsOf, splitCustomValues } from './custom-fields.ts';
import { pageBy, resolveSort } from '../http/pagination.ts';
import { assertAssignable } from './members.ts';
import { nameTokens, normaliseEmail, phoneKeys } from '../shared/normalise.ts';
import { insertOpportunity } from './opportunities.ts';
import type { leadConvertInput, leadInput, leadListQuery, leadPatch, leadView } from './schema.ts';
import { carryNotices } from '../notices/lifecycle.ts';
import { recordVisible } from './visibility.ts';

type LeadRow = Selectable<LeadsTable>;
type LeadView = z.infer<typeof leadView>;

export interface LeadPerson {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  jobTitle: string | null;
  customPersonal: Record<string, unknown>;
}

const SORTS = {
  createdAt: { expression: sql`leads.created_at`, defaultDirection: 'desc' as const },
  updatedAt: { expression: sql`leads.updated_at`, defaultDirection: 'desc' as const },
  status: { expression: sql`leads.status`, defaultDirection: 'asc' as const },
};

/** What a list of these can be sorted by (a saved view's sort is checked against it). */
export const LEAD_SORTS: readonly string[] = [...Object.keys(SORTS), ...NAME_SORTS];

export async function openLead(work: Pick<CrmWork, 'sealer'>, row: LeadRow): Promise<LeadPerson> {
  const [firstName, lastName, email, phone, jobTitle, customPersonal] = await work.sealer.openAll([
    ['leads.first_name', row.first_name_enc],
    ['leads.last_name', row.last_name_enc],
    ['leads.email', row.email_enc],
    ['leads.phone', row.phone_enc],
    ['leads.job_title', row.job_title_enc],
    ['leads.custom_personal', row.custom_personal_enc],
  ]);
  return {
    firstName: firstName as string | null,
    lastName: lastName as string | null,
    email: email as string | null,
    phone: phone as string | null,
    jobTitle: jobTitle as string | null,
    customPersonal: (customPersonal as Record<string, unknown> | null) ?? {},
  };
}

export async function sealLead(work: { sealer: PersonSealer }, id: string, person: LeadPerson) {
  const s = work.sealer;
  return {
    first_name_enc: await s.seal(id, 'leads.first_name', person.firstName),
    last_name_enc: await s.seal(id, 'leads.last_name', person.lastName),
    email_enc: await s.seal(id, 'leads.email', person.email),
    phone_enc: await s.seal(id, 'leads.phone', person.phone),
    job_title_enc: await s.seal(id, 'leads.job_title', person.jobTitle),
    custom_personal_enc:
      Object.keys(person.customPersonal).length > 0 ? await s.seal(id, 'leads.custom_personal', person.customPersonal) : null,
    email_index: person.email ? await s.index('email', normaliseEmail(person.email)) : null,
    phone_index: (await s.indexAll('phone', phoneKeys(person.phone ? [person.phone] : [])))[0] ?? null,
    name_index: await s.indexAll('name', nameTokens(person.firstName, person.lastName)),
  };
}

async function toView(work: CrmWork, row: LeadRow): Promise<LeadView> {
  const person = await openLead(work, row);
  return {
    id: row.id,
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email,
    phone: person.phone,
    jobTitle: person.jobTitle,
    companyName: row.company_name,
    companyDomain: row.company_domain,
    status: row.status,
    source: row.source,
    ownerId: row.owner_id,
    country: row.country,
    region: row.region,
    jurisdiction: row.jurisdiction,
    custom: { ...row.custom, ...person.customPersonal },
    provenance: {
      sourceType: row.source_type,
      sourceRef: row.source_ref,
      collectedAt: isoRequired(row.collected_at),
      collectedBy: row.collected_by,
      fromPerson: row.obtained_from_person,
    },
    reappearedAfterErasure: row.reappeared_after_erasure,
    convertedAt: iso(row.converted_at),
    convertedContactId: row.converted_contact_id,
    convertedAccountId: row.converted_account_id,
    convertedOpportunityId: row.converted_opportunity_id,
    createdAt: isoRequired(row.created_at),
    updatedAt: isoRequired(row.updated_at),
  };
}

function visibleLeads(work: CrmWork) {
  return work.tx
    .selectFrom('leads')
    .selectAll('leads')
    .where('leads.tenant_id', '=', work.tenantId)
    .where(recordVisible(work.scope, 'leads', 'lead'));
}

async function findVisibleLead(work: CrmWork, id: string): Promise<LeadRow> {
  const row = await visibleLeads(work).where('leads.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Lead');
  return row;
}

/**
 * The leads the caller may see that pass a list's filters, but for a search by name: that one the
 * directory answers (people-pages.ts), and the ids it finds are confirmed against this query.
 */
export async function matchingLeads(work: CrmWork, query: ListFilters<typeof leadListQuery>) {
  let q = visibleLeads(work);
  if (query.q?.includes('@')) q = q.where('leads.email_index', '=', await work.sealer.index('email', normaliseEmail(query.q)));
  if (query.email) q = q.where('leads.email_index', '=', await work.sealer.index('email', query.email));
  if (query.status) q = q.where('leads.status', '=', query.status);
  if (query.source) q = q.where('leads.source', '=', query.source);
  if (query.sourceType) q = q.where('leads.source_type', '=', query.sourceType);
  if (query.country) q = q.where('leads.country', '=', query.country);
  for (const condition of await commonConditions(work, 'leads', 'lead', query)) q = q.where(condition);
  return q;
}

export async function listLeads(
  app: AppContext,
  caller: Caller,
  query: z.infer<typeof leadListQuery>,
  options: { audit: boolean } = { audit: true },
) {
  const order = directoryOrder(query);
  const index = await directoryFor(app, caller, order);
  return crmWork(app, caller, async (work) => {
    const q = await matchingLeads(work, query);
    const owners = await ownersNamed(work, query.ownerId);
    const page =
      order && index
        ? await directoryList(work, index, 'lead', order, { ...query, owners }, (ids) => q.where('leads.id', 'in', ids).execute(), toView)
        : await openPage(
            work,
            await pageBy(
              q,
              'leads.id',
              resolveSort(databaseSort(query.sort), SORTS, 'createdAt', NAME_SORTS),
              query.cursor,
              query.limit,
            ).execute(),
            query.limit,
            (row) => row.id,
            toView,
          );
    if (options.audit) {
      await work.auditRead({ action: 'lead.list', objectType: 'lead', fields: query.q ? ['q'] : [] });
      await recordListRead(
        work,
        'lead',
        page.items.map((item) => item.id),
        Boolean(query.q || query.email),
      );
    }
    return page;
  });
}

export function getLead(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    const view = await toView(work, await findVisibleLead(work, id));
    await work.auditRead({ action: 'lead.read', objectType: 'lead', objectId: id });
    return view;
  });
}

export function createLead(app: AppContext, caller: Caller, input: z.infer<typeof leadInput>) {
  return crmWork(app, caller, async (work) => {
    const ownerId = input.ownerId ?? work.memberId;
    await assertAssignable(work, ownerId);
    const custom = splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'lead'), input.custom ?? {});
    const id = crypto.randomUUID();
    const sealed = await sealLead(work, id, {
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      jobTitle: input.jobTitle ?? null,
      customPersonal: custom.personal,
    });
    const source = input.provenance ?? { type: caller.auth.kind === 'api_token' ? ('api' as const) : ('manual' as const) };
    const row = await work.tx
      .insertInto('leads')
      .values({
        tenant_id: work.tenantId,
        id,
        ...sealed,
        company_name: input.companyName ?? null,
        company_domain: input.companyDomain ?? null,
        status: input.status ?? 'new',
        source: input.source ?? null,
        owner_id: ownerId,
        country: input.country ?? null,
        region: input.region ?? null,
        jurisdiction: input.jurisdiction ?? null,
        custom: JSON.stringify(custom.plain),
        ...provenanceColumns(work, source),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'lead.create', objectType: 'lead', objectId: id, fields: Object.keys(input) });
    return toView(work, row);
  });
}

export function updateLead(app: AppContext, caller: Caller, id: string, patch: z.infer<typeof leadPatch>) {
  return crmWork(app, caller, async (work) => {
    const current = await findVisibleLead(work, id);
    if (current.status === 'converted') throw conflict('A converted lead cannot be changed; edit the contact instead.');
    if (patch.ownerId !== undefined && patch.ownerId !== current.owner_id) {
      await assertAssignable(work, patch.ownerId);
    }
    const person = await openLead(work, current);
    const custom = splitCustomValues(await definitionsOf(work.tx, work.tenantId, 'lead'), patch.custom ?? {}, {
      plain: current.custom,
      personal: person.customPersonal,
    });
    const pick = <K extends keyof LeadPerson>(key: K): LeadPerson[K] =>
      patch[key as keyof typeof patch] !== undefined ? (patch[key as keyof typeof patch] as LeadPerson[K]) : person[key];
    const sealed = await sealLead(work, id, {
      firstName: pick('firstName'),
      lastName: pick('lastName'),
      email: pick('email'),
      phone: pick('phone'),
      jobTitle: pick('jobTitle'),
      customPersonal: custom.personal,
    });
    const row = await work.tx
      .updateTable('leads')
      .set({
        ...sealed,
        ...definedOnly({
          company_name: patch.companyName,
          company_domain: patch.companyDomain,
          status: patch.status,
          source: patch.source,
          owner_id: patch.ownerId,
          country: patch.country,
          region: patch.region,
          jurisdiction: patch.jurisdiction,
        }),
        custom: JSON.stringify(custom.plain),
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await work.audit({ action: 'lead.update', objectType: 'lead', objectId: id, fields: Object.keys(patch) });
    return toView(work, row);
  });
}

export function deleteLead(app: AppContext, caller: Caller, id: string) {
  return crmWork(app, caller, async (work) => {
    await findVisibleLead(work, id);
    await deleteRecord(work, 'lead', id);
  });
}

/**
 * Converts a lead in one transaction: the account is matched by domain or created, the contact
 * matched by email or created (its fields re-encrypted under its own key, provenance carried
 * over), and an opportunity optionally created. Any failure leaves nothing behind.
 * Creations by conversion are audited as one lead.convert event naming what was created.
 */
export function convertLead(app: AppContext, caller: Caller, id: string, input: z.infer<typeof leadConvertInput>) {
  return crmWork(app, caller, async (work) => {
    const lead = await findVisibleLead(work, id);
    if (lead.status === 'converted') throw conflict('This lead is already converted.', { contactId: lead.converted_contact_id });
    const person = await openLead(work, lead);

    let accountId: string | null = null;
    let accountCreated = false;
    if (lead.company_domain) accountId = (await accountByDomain(work.tx, work.tenantId, lead.company_domain))?.id ?? null;
    if (!accountId && (lead.company_name || lead.company_domain)) {
      const account = await insertAccount(work, {
        name: lead.company_name ?? lead.company_domain!,
        domain: lead.company_domain,
        country: lead.country,
        ownerId: lead.owner_id,
      });
      accountId = account.id;
      accountCreated = true;
    }

    const existing = person.email ? (await contactsWithEmails(work, [person.email]))[0] : undefined;
    let contactId: string;
    if (existing) {
      contactId = existing.id;
    } else {
      const contact = await insertContact(work, {
        person: {
          firstName: person.firstName,
          lastName: person.lastName,
          emails: person.email ? [person.email] : [],
          phones: person.phone ? [person.phone] : [],
          jobTitle: person.jobTitle,
          customPersonal: {},
        },
        accountId,
        ownerId: lead.owner_id,
        country: lead.country,
        region: lead.region,
        jurisdiction: lead.jurisdiction,
        source: {
          type: lead.source_type,
          ref: lead.source_ref,
          collectedAt: isoRequired(lead.collected_at),
          fromPerson: lead.obtained_from_person,
        },
      });
      contactId = contact.id;
    }
    await carryNotices(work.tx, work.tenantId, id, contactId);

    await carryConsents(work.app, work.tx, work.tenantId, id, contactId);

    let opportunityId: string | null = null;
    if (input.opportunity) {
      const opportunity = await insertOpportunity(work, {
        ...input.opportunity,
        accountId,
        ownerId: lead.owner_id,
        contactIds: [contactId],
      });
      opportunityId = opportunity.id;
    }

    await work.tx
      .updateTable('leads')
      .set({
        status: 'converted',
        converted_at: new Date(),
        converted_contact_id: contactId,
        converted_account_id: accountId,
        converted_opportunity_id: opportunityId,
        updated_at: new Date(),
      })
      .where('tenant_id', '=', work.tenantId)
      .where('id', '=', id)
      .execute();
    // One event for the request; the records it created are named on the lead (converted_*_id).
    const created = [...(accountCreated ? ['account'] : []), ...(existing ? [] : ['contact']), ...(opportunityId ? ['opportunity'] : [])];
    await work.audit({ action: 'lead.convert', objectType: 'lead', objectId: id, fields: ['status', ...created] });
    return { leadId: id, contactId, contactCreated: !existing, accountId, accountCreated, opportunityId };
  });
}
