import crypto from 'node:crypto';
import { Faker, de, en, fr, base } from '@faker-js/faker';
import type { AppContext } from '../app-context.ts';
import { recordAudit } from '../audit/service.ts';
import type { Caller } from '../auth/context.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Role } from '../auth/roles.ts';
import { insertAccount } from '../crm/accounts.ts';
import { insertContact } from '../crm/contacts.ts';
import { crmWork } from '../crm/context.ts';
import { insertOpportunity } from '../crm/opportunities.ts';
import { ACCOUNT_SIZES, STAGES } from '../crm/schema.ts';
import { enterTenant, withUser } from '../db/tenant.ts';
import { createNote, createTask } from '../crm/activities.ts';
import { createLead } from '../crm/leads.ts';

const INDUSTRIES = [
  'Software',
  'Manufacturing',
  'Retail',
  'Healthcare',
  'Logistics',
  'Financial services',
  'Energy',
  'Education',
  'Media',
  'Hospitality',
];
const COUNTRIES = ['DE', 'FR', 'NL', 'ES', 'IT', 'BE', 'AT', 'SE', 'IE', 'PL', 'GB', 'US'];
const LEAD_SOURCES = ['web', 'event', 'referral', 'partner', 'webinar'];
const TEAM = [
  { name: 'Maya Manager', email: 'maya.manager', role: 'sales_manager' as Role },
  { name: 'Sam Seller', email: 'sam.seller', role: 'salesperson' as Role },
  { name: 'Jo Junior', email: 'jo.junior', role: 'jr_salesperson' as Role },
  { name: 'Mark Marketing', email: 'mark.marketing', role: 'marketing_manager' as Role },
];

export interface DemoSize {
  accounts: number;
  contacts: number;
  leads: number;
  opportunities: number;
  tasks: number;
  notes: number;
}

export const DEMO_SIZE: DemoSize = { accounts: 200, contacts: 1000, leads: 150, opportunities: 250, tasks: 300, notes: 400 };

/** Adds team members who own records; their passwords are random and never shown (they can be reset by invitation). */
async function addTeam(app: AppContext, caller: Caller, domain: string): Promise<string[]> {
  const ids = [caller.auth.memberId];
  for (const person of TEAM) {
    const passwordHash = await hashPassword(crypto.randomBytes(24).toString('base64url'));
    const memberId = await withUser(app.db, null, async (tx) => {
      const user = await tx
        .insertInto('users')
        .values({ email: `${person.email}@${domain}`, name: person.name, password_hash: passwordHash })
        .returning('id')
        .executeTakeFirstOrThrow();
      await enterTenant(tx, caller.auth.tenantId);
      const member = await tx
        .insertInto('members')
        .values({
          tenant_id: caller.auth.tenantId,
          user_id: user.id,
          role: person.role,
          team: person.role === 'marketing_manager' ? 'marketing' : 'sales',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await recordAudit(tx, caller.auth.tenantId, caller.origin, {
        action: 'member.create',
        objectType: 'member',
        objectId: member.id,
        fields: ['role', 'team'],
      });
      return member.id;
    });
    ids.push(memberId);
  }
  return ids;
}

/**
 * Fills a workspace with a realistic, reproducible sales pipeline. Everything goes through the
 * same service code as the API: encrypted, blind-indexed, with provenance.
 */
export async function seedCrmData(app: AppContext, caller: Caller, size: DemoSize = DEMO_SIZE, domain = 'demo.lawful.localhost') {
  const faker = new Faker({ locale: [en, de, fr, base], seed: 2026 });
  const owners = await addTeam(app, caller, domain);
  const pickOwner = () => faker.helpers.arrayElement(owners);

  const accountIds: string[] = [];
  const domains = new Set<string>();
  for (let start = 0; start < size.accounts; start += 100) {
    await crmWork(app, caller, async (work) => {
      for (let i = start; i < Math.min(size.accounts, start + 100); i++) {
        const name = faker.company.name();
        let accountDomain = `${name
          .toLowerCase()
          .normalize('NFKD')
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '')
          .slice(0, 40)}.example`;
        if (domains.has(accountDomain)) accountDomain = `${i}-${accountDomain}`;
        domains.add(accountDomain);
        const account = await insertAccount(work, {
          name,
          domain: accountDomain,
          industry: faker.helpers.arrayElement(INDUSTRIES),
          size: faker.helpers.arrayElement(ACCOUNT_SIZES),
          country: faker.helpers.arrayElement(COUNTRIES),
          ownerId: pickOwner(),
        });
        accountIds.push(account.id);
      }
    });
  }

  const contactIds: string[] = [];
  const contactAccount = new Map<string, string>();
  for (let start = 0; start < size.contacts; start += 100) {
    await crmWork(app, caller, async (work) => {
      for (let i = start; i < Math.min(size.contacts, start + 100); i++) {
        const firstName = faker.person.firstName();
        const lastName = faker.person.lastName();
        const accountId = faker.helpers.arrayElement(accountIds);
        const email = `${firstName}.${lastName}.${i}@mail.example`
          .toLowerCase()
          .normalize('NFKD')
          .replace(/[^a-z0-9.@-]/g, '');
        const contact = await insertContact(work, {
          person: {
            firstName,
            lastName,
            emails: [email],
            phones: [faker.phone.number({ style: 'international' })],
            jobTitle: faker.person.jobTitle(),
            customPersonal: {},
          },
          accountId,
          ownerId: pickOwner(),
          country: faker.helpers.arrayElement(COUNTRIES),
          source: faker.helpers.weightedArrayElement([
            { weight: 5, value: { type: 'manual' as const } },
            { weight: 3, value: { type: 'import' as const, ref: 'trade-fair-2026.csv' } },
            { weight: 2, value: { type: 'form' as const, ref: 'website-contact-form' } },
          ]),
        });
        contactIds.push(contact.id);
        contactAccount.set(contact.id, accountId);
      }
    });
  }

  for (let i = 0; i < size.leads; i++) {
    const firstName = faker.person.firstName();
    const lastName = faker.person.lastName();
    await createLead(app, caller, {
      firstName,
      lastName,
      email: `${firstName}.${lastName}.lead${i}@mail.example`
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9.@-]/g, ''),
      jobTitle: faker.person.jobTitle(),
      companyName: faker.company.name(),
      status: faker.helpers.arrayElement(['new', 'new', 'working', 'qualified', 'unqualified'] as const),
      source: faker.helpers.arrayElement(LEAD_SOURCES),
      ownerId: pickOwner(),
      country: faker.helpers.arrayElement(COUNTRIES),
      provenance: {
        type: faker.helpers.arrayElement(['form', 'third_party', 'import'] as const),
        ref: faker.helpers.arrayElement(['newsletter-signup', 'webinar-registration', 'purchased-list-q3.csv']),
        collectedAt: faker.date.recent({ days: 120 }).toISOString(),
      },
    });
  }

  const opportunityIds: string[] = [];
  await crmWork(app, caller, async (work) => {
    for (let i = 0; i < size.opportunities; i++) {
      const contactId = faker.helpers.arrayElement(contactIds);
      const stage = faker.helpers.arrayElement(STAGES);
      const opportunity = await insertOpportunity(work, {
        name: `${faker.commerce.productName()} ${faker.helpers.arrayElement(['licence', 'pilot', 'renewal', 'expansion', 'rollout'])}`,
        accountId: contactAccount.get(contactId)!,
        stage,
        amount: String(faker.number.int({ min: 20, max: 2000 }) * 50),
        currency: faker.helpers.arrayElement(['EUR', 'EUR', 'EUR', 'USD', 'GBP']),
        expectedCloseDate: faker.date.soon({ days: 180 }).toISOString().slice(0, 10),
        probability: { prospecting: 10, qualification: 25, proposal: 50, negotiation: 75, closed_won: 100, closed_lost: 0 }[stage],
        ownerId: pickOwner(),
        contactIds: [contactId],
      });
      opportunityIds.push(opportunity.id);
    }
  });

  for (let i = 0; i < size.tasks; i++) {
    const onContact = faker.datatype.boolean();
    await createTask(app, caller, {
      title: faker.helpers.arrayElement([
        'Call back',
        'Send proposal',
        'Book a demo',
        'Follow up on pricing',
        'Prepare contract',
        'Send case study',
      ]),
      dueAt: faker.date.soon({ days: 30 }).toISOString(),
      assigneeId: pickOwner(),
      done: faker.datatype.boolean({ probability: 0.3 }),
      record: onContact
        ? { type: 'contact', id: faker.helpers.arrayElement(contactIds) }
        : { type: 'opportunity', id: faker.helpers.arrayElement(opportunityIds) },
    });
  }
  for (let i = 0; i < size.notes; i++) {
    await createNote(app, caller, {
      kind: faker.helpers.arrayElement(['note', 'call', 'email', 'meeting'] as const),
      body: faker.lorem.sentences({ min: 1, max: 3 }),
      record: { type: 'contact', id: faker.helpers.arrayElement(contactIds) },
      occurredAt: faker.date.recent({ days: 60 }).toISOString(),
    });
  }
  return {
    accounts: accountIds.length,
    contacts: contactIds.length,
    leads: size.leads,
    opportunities: opportunityIds.length,
    tasks: size.tasks,
    notes: size.notes,
  };
}
