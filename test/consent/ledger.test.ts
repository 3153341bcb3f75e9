import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { AppError } from '../../src/http/errors.ts';
import { currentState, recordConsentEvent } from '../../src/consent/ledger.ts';
import { findPurpose } from '../../src/consent/purposes.ts';
import { withTenant } from '../../src/db/tenant.ts';
import type { PurposeEventKind } from '../../src/db/types-consent.ts';
import { activePurpose, balancingTest, CONSENT_TEXT, contactWith, giveConsent } from '../support/consent-fixtures.ts';
import { describeEachDatabase, signUp } from '../support/helpers.ts';

/** The specification of consent state, independent of the SQL view that implements it. */
type ModelState = 'none' | 'pending' | 'granted' | 'withdrawn' | 'expired' | 'objected';
interface Op {
  kind: PurposeEventKind;
  requiresConfirmation: boolean;
}

function allowed(state: ModelState, kind: PurposeEventKind): boolean {
  switch (kind) {
    case 'given':
    case 'repermission_requested':
      return true;
    case 'confirmed':
      return state === 'pending';
    case 'withdrawn':
    case 'expired':
      return state === 'pending' || state === 'granted';
    case 'objected':
      return state !== 'objected';
  }
}

function apply(state: ModelState, op: Op): ModelState {
  if (op.kind === 'repermission_requested') return state;
  if (op.kind === 'given') return op.requiresConfirmation ? 'pending' : 'granted';
  if (op.kind === 'confirmed') return 'granted';
  return op.kind;
}

const opArbitrary = fc.record({
  kind: fc.constantFrom<PurposeEventKind>('given', 'confirmed', 'withdrawn', 'expired', 'objected', 'repermission_requested'),
  requiresConfirmation: fc.boolean(),
});

describeEachDatabase('consent ledger', (env) => {
  it('is append-only: UPDATE and DELETE are refused, for the app role and for the owner alike', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const purpose = await activePurpose(admin);
    const contactId = await contactWith(admin, 'ledger@example.org');
    await giveConsent(admin, contactId, purpose.id);
    await assert.rejects(
      withTenant(env().db, tenantId, (tx) =>
        tx.updateTable('consent_events').set({ kind: 'withdrawn' }).where('tenant_id', '=', tenantId).execute(),
      ),
      /permission denied|append-only/,
    );
    await assert.rejects(
      withTenant(env().db, tenantId, (tx) => tx.deleteFrom('consent_events').where('tenant_id', '=', tenantId).execute()),
      /permission denied|append-only/,
    );
    await assert.rejects(sql`update consent_events set kind = 'withdrawn'`.execute(env().db.kysely), /append-only/);
    await assert.rejects(sql`delete from consent_events`.execute(env().db.kysely), /append-only/);
    await assert.rejects(sql`truncate consent_events cascade`.execute(env().db.kysely), /append-only/);
    const consents = await admin.get(`/api/v1/contacts/${contactId}/consents`);
    assert.equal(consents.body.states.find((s: any) => s.purposeId === purpose.id).state, 'granted');
  });

  it('derives the current state as a replay of the ledger, for any sequence of events (property)', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const purposeId = (await activePurpose(admin)).id;
    const purpose = await withTenant(env().db, tenantId, (tx) => findPurpose(tx, tenantId, purposeId));
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { maxLength: 12 }), async (ops) => {
        const personId = crypto.randomUUID();
        let model: ModelState = 'none';
        for (const op of ops) {
          const expected = allowed(model, op.kind);
          const outcome = await withTenant(env().db, tenantId, (tx) =>
            recordConsentEvent(env().app, tx, tenantId, {
              person: { type: 'contact', id: personId },
              purpose,
              kind: op.kind,
              method: 'api',
              requiresConfirmation: op.requiresConfirmation,
              text: op.kind === 'given' ? CONSENT_TEXT : null,
              actor: { type: 'system', id: null },
            }),
          ).then(
            () => true,
            (error) => {
              assert.ok(error instanceof AppError && error.status === 409, `unexpected ${error}`);
              return false;
            },
          );
          assert.equal(outcome, expected, `${op.kind} from ${model}`);
          if (outcome) model = apply(model, op);
        }
        const derived = await withTenant(env().db, tenantId, (tx) => currentState(tx, tenantId, personId, purposeId));
        assert.equal(derived.state, model);
        // Replaying the stored ledger with the specification gives the same state.
        const stored = await withTenant(env().db, tenantId, (tx) =>
          tx
            .selectFrom('consent_events')
            .select(['kind', 'requires_confirmation'])
            .where('tenant_id', '=', tenantId)
            .where('person_id', '=', personId)
            .orderBy('seq')
            .execute(),
        );
        const replayed = stored.reduce<ModelState>(
          (state, row) => apply(state, { kind: row.kind as PurposeEventKind, requiresConfirmation: row.requires_confirmation }),
          'none',
        );
        assert.equal(derived.state, replayed);
      }),
      { numRuns: 40 },
    );
  });

  it('keeps purposes lawful: legitimate interest needs a passed balancing test; a failed one stops processing', async () => {
    const admin = await signUp(env());
    const created = await admin.post('/api/v1/purposes', {
      key: 'follow-up',
      name: 'Sales follow-up',
      legalBasis: 'legitimate_interest',
      recipients: ['Sales team'],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.status, 'draft');
    const refused = await admin.patch(`/api/v1/purposes/${created.body.id}`, { status: 'active' });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.details.balancingTest, 'missing');
    const lia = balancingTest(admin.info.member.id);
    assert.equal((await admin.post(`/api/v1/purposes/${created.body.id}/balancing-tests`, { ...lia, outcome: 'failed' })).status, 201);
    assert.equal((await admin.patch(`/api/v1/purposes/${created.body.id}`, { status: 'active' })).body.details.balancingTest, 'failed');
    const passed = await admin.post(`/api/v1/purposes/${created.body.id}/balancing-tests`, { ...lia, outcome: 'passed' });
    assert.equal(passed.body.balancingTest.outcome, 'passed');
    assert.equal((await admin.patch(`/api/v1/purposes/${created.body.id}`, { status: 'active' })).body.status, 'active');
    const failedAgain = await admin.post(`/api/v1/purposes/${created.body.id}/balancing-tests`, { ...lia, outcome: 'failed' });
    assert.equal(failedAgain.body.status, 'draft', 'a failed assessment deactivates the purpose');

    const consentOnly = await admin.post(`/api/v1/purposes/${created.body.id}/balancing-tests`, {
      ...lia,
      reviewerId: crypto.randomUUID(),
      outcome: 'passed',
    });
    assert.equal(consentOnly.status, 422);
    assert.equal((await admin.post('/api/v1/purposes', { key: 'follow-up', name: 'Dup', legalBasis: 'consent' })).status, 409);
    const cookieOnContract = await admin.post('/api/v1/purposes', {
      key: 'c',
      name: 'C',
      legalBasis: 'contract',
      cookieCategory: 'analytics',
    });
    assert.equal(cookieOnContract.status, 422);
    const invalid = await admin.post('/api/v1/purposes', { key: 'Bad Key', name: '', legalBasis: 'whim' });
    assert.equal(invalid.status, 400);
    assert.deepEqual(invalid.body.details.issues.map((i: any) => i.path).sort(), ['key', 'legalBasis', 'name']);
  });

  it('answers the gate per person: consent, withdrawal, objection, restriction, suppression and ageing', async () => {
    const admin = await signUp(env());
    const purpose = await activePurpose(admin, { consentValidDays: 30 });
    const interest = await admin.post('/api/v1/purposes', {
      key: 'li',
      name: 'Account updates',
      legalBasis: 'legitimate_interest',
      directMarketing: true,
    });
    assert.equal(
      (await admin.post(`/api/v1/purposes/${interest.body.id}/balancing-tests`, balancingTest(admin.info.member.id))).status,
      201,
    );
    await admin.patch(`/api/v1/purposes/${interest.body.id}`, { status: 'active' });
    const contract = await activePurpose(admin, { name: 'Order fulfilment', legalBasis: 'contract', directMarketing: false });
    const id = await contactWith(admin, 'gate@example.org');
    const verdict = async (purposeId: string) =>
      (await admin.get(`/api/v1/contacts/${id}/consents`)).body.states.find((s: any) => s.purposeId === purposeId);

    assert.equal((await verdict(purpose.id)).refusal, 'no_consent');
    // ePrivacy Directive Art. 13(1): marketing e-mail needs prior consent, whatever basis the purpose names.
    assert.equal(
      (await verdict(interest.body.id)).refusal,
      'opt_in_required',
      'direct marketing on legitimate interest does not reach a person under an opt-in law',
    );
    assert.equal((await verdict(contract.id)).basis, 'legal_basis', 'a contract needs no consent');
    await giveConsent(admin, id, purpose.id);
    const granted = await verdict(purpose.id);
    assert.equal(granted.canProcess, true);
    assert.ok(granted.validUntil, 'a consent with a validity period shows when it ends');

    const old = await admin.post(`/api/v1/contacts/${id}/consents`, {
      purposeId: purpose.id,
      kind: 'given',
      text: CONSENT_TEXT,
      occurredAt: '2020-01-01T00:00:00Z',
    });
    assert.equal(old.status, 422, 'the ledger stays in order');

    assert.equal((await admin.put(`/api/v1/contacts/${id}/restriction`, { reason: 'Accuracy contested' })).body.restricted, true);
    assert.equal((await verdict(purpose.id)).refusal, 'restricted');
    assert.equal((await verdict(interest.body.id)).refusal, 'restricted');
    assert.equal((await admin.delete(`/api/v1/contacts/${id}/restriction`)).status, 204);
    assert.match(
      env()
        .mailer.sent.filter((m) => m.to === 'gate@example.org')
        .at(-1)!.subject,
      /restriction of processing of your data is lifted/,
      'the person is told (Art. 18(3))',
    );
    assert.equal((await admin.delete(`/api/v1/contacts/${id}/restriction`)).status, 404);

    await admin.post('/api/v1/email-events', { email: 'GATE@example.org', type: 'complaint' });
    assert.equal((await verdict(purpose.id)).refusal, 'suppressed');
    assert.equal((await verdict(contract.id)).canProcess, true, 'the suppression list stops marketing mail, not a contract');
    assert.equal(
      (await admin.post('/api/v1/suppressions/remove', { email: 'gate@example.org' })).status,
      404,
      'staff can only add to the suppression list',
    );
    assert.equal((await verdict(purpose.id)).refusal, 'suppressed');

    // An objection to one direct-marketing purpose stops all direct marketing (Art. 21(3)).
    assert.equal(
      (await admin.post(`/api/v1/contacts/${id}/consents`, { purposeId: interest.body.id, kind: 'objected', source: 'email reply' }))
        .status,
      201,
    );
    assert.equal((await verdict(interest.body.id)).refusal, 'objected');
    assert.equal((await verdict(purpose.id)).refusal, 'objected');
    assert.equal(
      (await verdict(contract.id)).canProcess,
      true,
      'an objection to direct marketing does not stop a contract (Art. 21(3) covers marketing)',
    );

    const withdrawn = await admin.post(`/api/v1/contacts/${id}/consents`, { purposeId: purpose.id, kind: 'withdrawn' });
    assert.equal(withdrawn.status, 201);
    assert.equal((await admin.post(`/api/v1/contacts/${id}/consents`, { purposeId: purpose.id, kind: 'withdrawn' })).status, 409);
    const history = (await admin.get(`/api/v1/contacts/${id}/consents`)).body.history;
    assert.deepEqual(
      history.map((e: any) => e.kind),
      ['given', 'objected', 'withdrawn'],
    );
    assert.equal(history[0].text, CONSENT_TEXT);
    // Recorded by staff: the member is the actor; their address is not passed off as the person's.
    assert.equal(history[0].actorType, 'member');
    assert.equal(history[0].actorId, admin.info.member.id);
    assert.equal(history[0].ip, null);
    assert.equal(history[0].userAgent, null);
    assert.match(history[0].textHash, /^[0-9a-f]{64}$/);
    // What staff write as the source may name the person: it is sealed under the person's key.
    assert.equal(history[1].source, 'email reply');
    const stored = await withTenant(env().db, admin.info.workspace.id, (tx) =>
      tx
        .selectFrom('consent_events')
        .select(['source', 'source_enc'])
        .where('person_id', '=', id)
        .where('kind', '=', 'objected')
        .executeTakeFirstOrThrow(),
    );
    assert.equal(stored.source, null);
    assert.match(stored.source_enc!, new RegExp(`^enc1:${id}:`));
  });

  it('exports for a purpose only the people the gate allows, and records the refused', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id;
    const purpose = await activePurpose(admin);
    const yes = await contactWith(admin, 'yes@export.example');
    await contactWith(admin, 'no@export.example');
    const restricted = await contactWith(admin, 'restricted@export.example');
    await giveConsent(admin, yes, purpose.id);
    await giveConsent(admin, restricted, purpose.id);
    await admin.put(`/api/v1/contacts/${restricted}/restriction`, { reason: 'Objection pending' });
    const exported = await admin.get(`/api/v1/exports/contacts?format=json&purposeId=${purpose.id}`);
    assert.equal(exported.status, 200);
    assert.deepEqual(
      exported.body.map((row: any) => row.id),
      [yes],
    );
    const refused = await withTenant(env().db, tenantId, (tx) =>
      tx.selectFrom('processing_refusals').select(['reason', 'path']).where('tenant_id', '=', tenantId).orderBy('reason').execute(),
    );
    assert.deepEqual(refused, [
      { reason: 'no_consent', path: 'export' },
      { reason: 'restricted', path: 'export' },
    ]);
    const internal = (await admin.get(`/api/v1/exports/contacts?format=json`)).body;
    assert.deepEqual(
      internal.map((row: any) => row.id).sort(),
      [yes, (await admin.get('/api/v1/contacts?q=no%40export.example')).body.items[0].id].sort(),
      'an internal export still leaves the restricted person out (Art. 18(2))',
    );
    assert.ok(internal.every((row: any) => row.objectedToMarketing === false && row.suppressed === false));
    assert.equal((await admin.get(`/api/v1/exports/accounts?purposeId=${purpose.id}`)).status, 400);
    assert.equal((await admin.get(`/api/v1/exports/contacts?purposeId=${crypto.randomUUID()}`)).status, 422);
  });

  it('exports proof of consent as JSON and PDF, and carries consents over on lead conversion', async () => {
    const admin = await signUp(env());
    const purpose = await activePurpose(admin);
    const lead = (await admin.post('/api/v1/leads', { firstName: 'Lena', email: 'lena@example.org', companyName: 'Lena Co' })).body;
    assert.equal(
      (
        await admin.post(`/api/v1/leads/${lead.id}/consents`, {
          purposeId: purpose.id,
          kind: 'given',
          method: 'verbal',
          text: CONSENT_TEXT,
          source: 'trade fair',
        })
      ).status,
      201,
    );
    const json = await admin.get(`/api/v1/leads/${lead.id}/consents/proof`);
    assert.equal(json.status, 200);
    assert.match(String(json.headers['content-disposition']), /attachment/);
    assert.equal(json.body.person.emails[0], 'lena@example.org');
    assert.equal(json.body.history[0].text, CONSENT_TEXT);
    const pdf = await admin.get(`/api/v1/leads/${lead.id}/consents/proof?format=pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.ok(String(pdf.body).startsWith('%PDF-'));

    const converted = await admin.post(`/api/v1/leads/${lead.id}/convert`, {});
    assert.equal(converted.status, 200);
    const contactConsents = (await admin.get(`/api/v1/contacts/${converted.body.contactId}/consents`)).body;
    assert.equal(contactConsents.states.find((s: any) => s.purposeId === purpose.id).state, 'granted');
    assert.equal(contactConsents.history[0].source, 'trade fair');
  });
});
