import { Sealer } from '../../src/crypto/sealer.ts';
import { withTenant } from '../../src/db/tenant.ts';
import type { AppContext } from '../../src/app-context.ts';
import type { FakeHubSpot } from '../support/fakes/hubspot.ts';

/** Generated history: created and last changed well before any sync runs. */
export const LONG_AGO = new Date('2026-03-01T09:00:00Z');

export interface SeedSizes {
  companies: number;
  contacts: number;
  deals: number;
  tasks: number;
}

/** Seeds the fake HubSpot with unique companies, contacts at those companies, deals and tasks. */
export function seedHubSpot(fake: FakeHubSpot, sizes: SeedSizes, tag = 'hs'): void {
  const companyIds: string[] = [];
  for (let i = 0; i < sizes.companies; i++) {
    companyIds.push(
      fake.seed(
        'companies',
        {
          name: `${tag} Company ${i}`,
          domain: `${tag}-company-${i}.example`,
          industry: i % 2 ? 'Software' : 'Retail',
          country: i % 3 ? 'DE' : 'France',
        },
        LONG_AGO,
      ).id,
    );
  }
  const contactIds: string[] = [];
  for (let i = 0; i < sizes.contacts; i++) {
    const contact = fake.seed(
      'contacts',
      {
        firstname: `First${i}`,
        lastname: `Last${i}`,
        email: `person${i}@${tag}-people.example`,
        phone: `+49 30 ${100000 + i}`,
        jobtitle: i % 5 ? 'Engineer' : null,
        associatedcompanyid: companyIds.length ? companyIds[i % companyIds.length]! : null,
      },
      LONG_AGO,
    );
    contactIds.push(contact.id);
  }
  const dealIds: string[] = [];
  const stages = ['appointmentscheduled', 'qualifiedtobuy', 'contractsent', 'closedwon', 'closedlost'];
  for (let i = 0; i < sizes.deals; i++) {
    const deal = fake.seed(
      'deals',
      { dealname: `${tag} Deal ${i}`, amount: String(1000 + i), dealstage: stages[i % stages.length]!, closedate: '2026-12-31T00:00:00Z' },
      LONG_AGO,
    );
    if (companyIds.length) fake.associate('deals', deal.id, 'companies', companyIds[i % companyIds.length]!);
    if (contactIds.length) fake.associate('deals', deal.id, 'contacts', contactIds[i % contactIds.length]!);
    dealIds.push(deal.id);
  }
  // A task about a contact, a deal or a company, in turn.
  const subjects = [
    ['contacts', contactIds],
    ['deals', dealIds],
    ['companies', companyIds],
  ] as const;
  for (let i = 0; i < sizes.tasks; i++) {
    const task = fake.seed(
      'tasks',
      { hs_task_subject: `Call back ${i}`, hs_timestamp: '2026-12-01T10:00:00Z', hs_task_status: i % 4 ? 'NOT_STARTED' : 'COMPLETED' },
      LONG_AGO,
    );
    const [type, ids] = subjects[i % subjects.length]!;
    if (ids.length) fake.associate('tasks', task.id, type, ids[i % ids.length]!);
  }
}

/** What the workspace holds for one connection, read back from the database and decrypted, keyed by external id. */
export async function syncedState(app: AppContext, tenantId: string, integrationId: string) {
  return withTenant(app.db, tenantId, async (tx) => {
    const sealer = new Sealer(app, tx, tenantId);
    const links = await tx
      .selectFrom('sync_links')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('integration_id', '=', integrationId)
      .execute();
    const ids = (type: string) => links.filter((l) => l.record_type === type).map((l) => l.record_id);
    const byRecord = (rows: Array<{ id: string }>) => new Map(rows.map((row) => [row.id, row]));
    const accounts = byRecord(
      ids('account').length
        ? await tx.selectFrom('accounts').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids('account')).execute()
        : [],
    );
    const contacts = byRecord(
      ids('contact').length
        ? await tx.selectFrom('contacts').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids('contact')).execute()
        : [],
    );
    const deals = byRecord(
      ids('opportunity').length
        ? await tx.selectFrom('opportunities').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids('opportunity')).execute()
        : [],
    );
    const tasks = byRecord(
      ids('task').length
        ? await tx.selectFrom('tasks').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids('task')).execute()
        : [],
    );
    await sealer.preload([...contacts.keys(), ...tasks.keys()]);
    const state: Record<string, Map<string, Record<string, unknown>>> = {
      companies: new Map(),
      contacts: new Map(),
      deals: new Map(),
      tasks: new Map(),
    };
    for (const link of links) {
      if (link.object === 'companies') {
        const a = accounts.get(link.record_id) as any;
        state.companies!.set(link.external_id, { name: a.name, domain: a.domain, industry: a.industry });
      } else if (link.object === 'contacts') {
        const c = contacts.get(link.record_id) as any;
        state.contacts!.set(link.external_id, {
          email: (await sealer.open<string[]>('contacts.emails', c.emails_enc))?.[0] ?? null,
          firstName: await sealer.open('contacts.first_name', c.first_name_enc),
          jobTitle: await sealer.open('contacts.job_title', c.job_title_enc),
          accountId: c.account_id,
        });
      } else if (link.object === 'deals') {
        const d = deals.get(link.record_id) as any;
        state.deals!.set(link.external_id, { name: d.name, amount: Number(d.amount), stage: d.stage });
      } else if (link.object === 'tasks') {
        const t = tasks.get(link.record_id) as any;
        state.tasks!.set(link.external_id, { title: await sealer.open('tasks.title', t.title_enc), done: t.done });
      }
    }
    return { state, links };
  });
}

const STAGE: Record<string, string> = {
  appointmentscheduled: 'prospecting',
  qualifiedtobuy: 'qualification',
  contractsent: 'negotiation',
  closedwon: 'closed_won',
  closedlost: 'closed_lost',
};

/** The same view of the fake's live objects, for comparison. */
export function fakeState(fake: FakeHubSpot) {
  const live = (type: 'companies' | 'contacts' | 'deals' | 'tasks') => [...fake.objects[type].values()].filter((o) => !o.archived);
  return {
    companies: new Map(
      live('companies').map((o) => [
        o.id,
        { name: o.properties.name, domain: o.properties.domain ?? null, industry: o.properties.industry ?? null },
      ]),
    ),
    contacts: new Map(
      live('contacts').map((o) => [
        o.id,
        { email: o.properties.email, firstName: o.properties.firstname, jobTitle: o.properties.jobtitle ?? null },
      ]),
    ),
    deals: new Map(
      live('deals').map((o) => [
        o.id,
        { name: o.properties.dealname, amount: Number(o.properties.amount), stage: STAGE[o.properties.dealstage!] },
      ]),
    ),
    tasks: new Map(
      live('tasks').map((o) => [o.id, { title: o.properties.hs_task_subject, done: o.properties.hs_task_status === 'COMPLETED' }]),
    ),
  };
}
