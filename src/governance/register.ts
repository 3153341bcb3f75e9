import { stringify } from 'csv-stringify/sync';
import PDFDocument from 'pdfkit';
import type { AppContext } from '../app-context.ts';
import { asCaller, type Caller } from '../auth/context.ts';
import { safeCell } from '../shared/csv.ts';
import type { Tx } from '../db/tenant.ts';
import { workspaceInventory, type DataCategory } from '../inventory/inventory.ts';
import { EEA } from '../shared/countries.ts';
import { JURISDICTIONS, PROFILES } from '../jurisdiction/profiles.ts';
import { countByJurisdiction, workspaceJurisdiction } from '../jurisdiction/service.ts';
import { describePeriod } from '../rights/deadlines.ts';
import { sql } from 'kysely';
import { z } from 'zod';

/** The technical and organisational measures of Art. 32, as this software implements them. */
export const SECURITY_MEASURES = [
  'Personal data encrypted per person with AES-256-GCM (envelope keys; key destruction on erasure)',
  'Tenant isolation by PostgreSQL row-level security',
  'Argon2id passwords, breached-password check, TOTP second factor for administrators',
  'Role-based access with per-record visibility; scoped, hashed API tokens',
  'Hash-chained, append-only audit trail of reads and changes',
  'Retention rules applied by a scheduled job; legal holds',
];

const CATEGORY_LABELS: Record<DataCategory, string> = {
  identity: 'identity (names)',
  contact: 'contact details (email addresses, phone numbers)',
  online_identifier: 'online identifiers (IP addresses, browsers)',
  professional: 'professional details (job titles)',
  free_text: 'free text about the person (notes, tasks, emails)',
  location: 'place of residence (country, region)',
};

/** A law the register's activities fall under: the people it governs and what it requires. */
const registerJurisdiction = z.object({
  key: z.enum(JURISDICTIONS),
  name: z.string(),
  law: z.string(),
  workspaceDefault: z.boolean(),
  people: z.number(),
  rights: z.array(z.object({ title: z.string(), reference: z.string() })),
  responseDeadline: z.string(),
  verification: z.string(),
  marketing: z.string(),
  saleSharing: z.string(),
  breachNotification: z.string(),
});

const registerActivity = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['controller', 'processor']),
  purpose: z.string(),
  legalBasis: z.string(),
  categoriesOfPersons: z.array(z.string()),
  categoriesOfData: z.array(z.string()),
  recipients: z.array(z.string()),
  transfers: z.array(z.string()),
  retention: z.string(),
  securityMeasures: z.array(z.string()),
  sellsOrShares: z
    .boolean()
    .optional()
    .describe('Personal information is sold or shared for this activity (CCPA): refused for people who opted out'),
});

/** The register as JSON: the API's answer and the source of the CSV and PDF exports. */
export const registerView = z.object({
  controller: z.object({ name: z.string(), dpo: z.array(z.string()) }),
  generatedAt: z.string(),
  activities: z.array(registerActivity),
  jurisdictions: z.array(registerJurisdiction),
  sources: z
    .array(
      z.object({
        source: z.string(),
        label: z.string(),
        publiclyAccessible: z.boolean(),
        exemption: z.string().nullable(),
        justification: z.string().nullable(),
        assessment: z.string().nullable(),
      }),
    )
    .describe('Where people not asked themselves come from, and any Art. 14(5) exemption from informing them, with its justification'),
});

export type RegisterJurisdiction = z.infer<typeof registerJurisdiction>;
export type RegisterActivity = z.infer<typeof registerActivity>;
export type Register = z.infer<typeof registerView>;

/** The workspace default and every jurisdiction some person falls under, with how many people. */
async function registerJurisdictions(tx: Tx, tenantId: string): Promise<RegisterJurisdiction[]> {
  const fallback = await workspaceJurisdiction(tx, tenantId);
  const places = [];
  for (const table of ['contacts', 'leads'] as const) {
    places.push(
      ...(await tx
        .selectFrom(table)
        .select(['country', 'region', 'jurisdiction', sql<string>`count(*)`.as('n')])
        .where('tenant_id', '=', tenantId)
        .groupBy(['country', 'region', 'jurisdiction'])
        .execute()),
    );
  }
  const counts = countByJurisdiction(places, fallback);
  if (!counts.has(fallback)) counts.set(fallback, 0);
  return JURISDICTIONS.filter((key) => counts.has(key)).map((key) => {
    const profile = PROFILES[key];
    const { deadline, breach } = profile;
    const within = breach.within
      ? 'hours' in breach.within
        ? `${breach.within.hours} hours`
        : `${breach.within.businessDays} business days`
      : 'no fixed period';
    return {
      key,
      name: profile.name,
      law: profile.law,
      workspaceDefault: key === fallback,
      people: counts.get(key)!,
      rights: profile.rights.map((right) => ({ title: right.title, reference: right.reference })),
      responseDeadline: `${describePeriod(deadline.response)}${deadline.extension ? ` + ${describePeriod(deadline.extension)}` : ''} (${deadline.reference})`,
      verification: `${profile.verification.text} (${profile.verification.reference})`,
      marketing: `${profile.marketing.regime.replace('_', '-')} (${profile.marketing.reference})${profile.marketing.softOptIn ? `; soft opt-in: ${profile.marketing.softOptIn}` : ''}`,
      saleSharing: `${profile.saleSharing.regime === 'opt_out' ? 'allowed until the person opts out' : "only with the person's consent"} (${profile.saleSharing.reference})`,
      breachNotification: `${breach.authority}: ${within}. ${breach.text} (${breach.reference})`,
    };
  });
}

/**
 * The register of processing activities (Art. 30(1)), pre-filled: one activity per active
 * purpose, plus the administration of the workspace's own members. Categories of data come
 * from the data inventory, recipients from the purposes and sub-processors, transfers from the
 * sub-processors outside the EEA.
 */
export async function buildRegister(tx: Tx, tenantId: string): Promise<Register> {
  const inventory = await workspaceInventory(tx, tenantId);
  const subjectCategories = [
    ...new Set(inventory.filter((e) => e.subject === 'data_subject').map((e) => CATEGORY_LABELS[e.category])),
  ].sort();
  const staffCategories = [...new Set(inventory.filter((e) => e.subject === 'staff').map((e) => CATEGORY_LABELS[e.category]))].sort();
  const purposes = await tx
    .selectFrom('purposes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('name')
    .execute();
  const processors = await tx
    .selectFrom('subprocessors')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('active', '=', true)
    .orderBy('name')
    .execute();
  const processorNames = processors.map((p) => `${p.name} (${p.service})`);
  const transfers = processors
    .filter((p) => !EEA.has(p.country))
    .map(
      (p) =>
        `${p.name}: ${p.country}, ${p.safeguard === 'sccs' ? `standard contractual clauses module ${p.scc_module} (${p.scc_version})` : p.safeguard === 'adequacy' ? 'adequacy decision' : 'binding corporate rules'}`,
    );
  const tenant = await tx.selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const dpo = await tx
    .selectFrom('members')
    .innerJoin('users', 'users.id', 'members.user_id')
    .select(['users.name', 'users.email'])
    .where('members.tenant_id', '=', tenantId)
    .where('members.is_dpo', '=', true)
    .where('members.status', '=', 'active')
    .execute();
  // Connected CRMs receive what users push to them, and are where synced records come from.
  const integrations = await tx
    .selectFrom('integrations')
    .select(['id', 'kind', 'label', 'acting_as', 'base_url'])
    .where('tenant_id', '=', tenantId)
    .where('status', 'in', ['active', 'needs_reconnect'])
    .orderBy('created_at')
    .execute();
  const connectorNames = integrations
    .filter((i) => i.acting_as === 'controller')
    .map((i) => `${i.label} (${i.kind} CRM, connected by sync)`);
  const activities: RegisterActivity[] = purposes.map((purpose) => ({
    id: purpose.id,
    name: purpose.name,
    role: 'controller',
    purpose: purpose.description || purpose.name,
    legalBasis: purpose.legal_basis,
    categoriesOfPersons: ['business contacts', 'leads (prospects)'],
    categoriesOfData: subjectCategories,
    recipients: [...new Set([...purpose.recipients, ...processorNames, ...connectorNames])],
    transfers,
    retention: purpose.retention || 'see the retention rules',
    securityMeasures: SECURITY_MEASURES,
    ...(purpose.sells_or_shares ? { sellsOrShares: true } : {}),
  }));
  activities.push({
    id: 'workspace-members',
    name: 'Workspace members and their access',
    role: 'controller',
    purpose: 'Giving staff accounts, securing access and keeping the audit trail',
    legalBasis: 'contract',
    categoriesOfPersons: ['staff (workspace members)'],
    categoriesOfData: staffCategories,
    recipients: processorNames,
    transfers,
    retention: 'for the duration of the membership; audit trail as required for accountability',
    securityMeasures: SECURITY_MEASURES,
  });
  // Art. 30(2): what the workspace processes as a processor, on behalf of the customer whose CRM it copies.
  for (const integration of integrations.filter((i) => i.acting_as === 'processor')) {
    activities.push({
      id: `integration-${integration.id}`,
      name: `Copy of the customer's CRM: ${integration.label}`,
      role: 'processor',
      purpose: `Keeping a synchronised copy of the accounts, contacts, deals and tasks of the customer's ${integration.kind} CRM, on the customer's documented instructions, and for no purpose of our own`,
      legalBasis: "processor under Art. 28: the controller's (customer's) instructions",
      categoriesOfPersons: ["the customer's business contacts"],
      categoriesOfData: subjectCategories,
      recipients: [`${integration.label} (${integration.kind} CRM, the controller's system)`, ...processorNames],
      transfers,
      retention: 'until the customer disconnects the CRM, when every synced record is deleted and a purge certificate written',
      securityMeasures: SECURITY_MEASURES,
    });
  }
  return {
    controller: { name: tenant.name, dpo: dpo.map((d) => `${d.name} <${d.email}>`) },
    generatedAt: new Date().toISOString(),
    activities,
    jurisdictions: await registerJurisdictions(tx, tenantId),
    sources: (
      await tx.selectFrom('notice_sources').selectAll().where('tenant_id', '=', tenantId).orderBy('source_type').orderBy('label').execute()
    ).map((row) => ({
      source: row.source_ref ? `${row.source_type}: ${row.source_ref}` : `${row.source_type} (every source of the type)`,
      label: row.label,
      publiclyAccessible: row.publicly_accessible,
      exemption: row.exemption,
      justification: row.justification,
      assessment: row.assessment,
    })),
  };
}

export function registerCsv(register: Register): string {
  return stringify([
    [
      'activity',
      'role',
      'purpose',
      'legal basis',
      'categories of persons',
      'categories of data',
      'recipients',
      'third-country transfers',
      'retention',
      'security measures',
      'sells or shares',
    ],
    ...register.activities.map((a) =>
      [
        a.name,
        a.role,
        a.purpose,
        a.legalBasis,
        a.categoriesOfPersons.join('; '),
        a.categoriesOfData.join('; '),
        a.recipients.join('; '),
        a.transfers.join('; '),
        a.retention,
        a.securityMeasures.join('; '),
        a.sellsOrShares ? 'yes' : 'no',
      ].map(safeCell),
    ),
    [],
    [
      'jurisdiction',
      'law',
      'people',
      'rights (legal references)',
      'response deadline',
      'verification',
      'marketing',
      'sale and sharing',
      'breach notification',
    ],
    ...register.jurisdictions.map((j) =>
      [
        `${j.name}${j.workspaceDefault ? ' (workspace default)' : ''}`,
        j.law,
        String(j.people),
        j.rights.map((r) => `${r.title}: ${r.reference}`).join('; '),
        j.responseDeadline,
        j.verification,
        j.marketing,
        j.saleSharing,
        j.breachNotification,
      ].map(safeCell),
    ),
    ...(register.sources.length > 0
      ? [
          [],
          [
            'source of people not asked themselves',
            'named in notices as',
            'publicly accessible',
            'Art. 14(5) exemption',
            'justification',
            'assessment',
          ],
          ...register.sources.map((source) =>
            [
              source.source,
              source.label,
              source.publiclyAccessible ? 'yes' : 'no',
              source.exemption ?? 'none: people are informed',
              source.justification ?? '',
              source.assessment ?? '',
            ].map(safeCell),
          ),
        ]
      : []),
  ]);
}

export function registerPdf(register: Register, version: number | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: 'Register of processing activities', Author: register.controller.name },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(18).text('Register of processing activities');
    doc
      .fontSize(10)
      .text(
        `Art. 30(1) GDPR. Controller: ${register.controller.name}. Data protection officer: ${register.controller.dpo.join(', ') || 'none named'}.`,
      );
    doc.text(`Generated ${register.generatedAt}${version ? `, version ${version}` : ''}.`);
    for (const activity of register.activities) {
      doc.moveDown().fontSize(13).text(activity.name);
      doc.fontSize(9);
      const line = (label: string, value: string) => doc.text(`${label}: ${value || '-'}`);
      line('Role', activity.role);
      line('Purpose', activity.purpose);
      line('Legal basis', activity.legalBasis.replace('_', ' '));
      line('Categories of persons', activity.categoriesOfPersons.join('; '));
      line('Categories of data', activity.categoriesOfData.join('; '));
      line('Recipients', activity.recipients.join('; '));
      line('Third-country transfers', activity.transfers.join('; ') || 'none');
      line('Retention', activity.retention);
      line('Security measures', activity.securityMeasures.join('; '));
      if (activity.sellsOrShares) line('Sale or sharing', 'yes: refused for people who opted out');
    }
    doc.moveDown().fontSize(15).text('Jurisdictions');
    for (const jurisdiction of register.jurisdictions) {
      doc
        .moveDown()
        .fontSize(13)
        .text(`${jurisdiction.name}${jurisdiction.workspaceDefault ? ' (workspace default)' : ''}: ${jurisdiction.people} people`);
      doc.fontSize(9);
      doc.text(jurisdiction.law);
      for (const right of jurisdiction.rights) doc.text(`${right.title}: ${right.reference}`);
      doc.text(`Response deadline: ${jurisdiction.responseDeadline}`);
      doc.text(`Identity verification: ${jurisdiction.verification}`);
      doc.text(`Marketing: ${jurisdiction.marketing}`);
      doc.text(`Sale and sharing: ${jurisdiction.saleSharing}`);
      doc.text(`Breach notification: ${jurisdiction.breachNotification}`);
    }
    doc.end();
  });
}

/** JSON with object keys sorted: jsonb does not keep key order, so compare this way. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The register as it is now, its last saved version, and what changed in between (activity names). */
export async function registerChanges(tx: Tx, tenantId: string) {
  const register = await buildRegister(tx, tenantId);
  const last = await tx
    .selectFrom('register_versions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const previous = (last?.content as Register | undefined)?.activities ?? [];
  const key = (a: RegisterActivity) => canonical(a);
  const changes = [
    ...register.activities.filter((a) => !previous.some((p) => p.id === a.id)).map((a) => `added: ${a.name}`),
    ...previous.filter((p) => !register.activities.some((a) => a.id === p.id)).map((p) => `removed: ${p.name}`),
    ...register.activities.filter((a) => previous.some((p) => p.id === a.id && key(p) !== key(a))).map((a) => `changed: ${a.name}`),
  ];
  return { register, last, changes };
}

/** Saves the register as a new version when it differs from the last one, naming the changed activities. */
export function saveRegisterVersion(app: AppContext, caller: Caller) {
  return asCaller(app, caller, async (tx, audit) => {
    const { register, last, changes } = await registerChanges(tx, caller.auth.tenantId);
    if (last && changes.length === 0) {
      await audit({ action: 'register.version', objectType: 'register', objectId: String(last.version), fields: ['unchanged'] });
      return { version: last.version, changes: [], saved: false };
    }
    const version = (last?.version ?? 0) + 1;
    await tx
      .insertInto('register_versions')
      .values({ tenant_id: caller.auth.tenantId, version, content: JSON.stringify(register), changes, created_by: caller.origin.actorId })
      .execute();
    await audit({ action: 'register.version', objectType: 'register', objectId: String(version), fields: changes.slice(0, 20) });
    return { version, changes, saved: true };
  });
}
