import assert from 'node:assert/strict';
import { it } from 'node:test';
import { activePurpose, giveConsent } from '../support/consent-fixtures.ts';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

async function created(client: Client, path: string, body: Record<string, unknown>): Promise<string> {
  const response = await client.post(path, body);
  assert.equal(response.status, 201, JSON.stringify(response.body));
  return response.body.id;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describeEachDatabase("A record's timeline", (env) => {
  it('merges notes, calls, tasks, consent events and who did each, newest first, page by page', async () => {
    const admin = await signUp(env());
    const adminId = admin.info.member.id as string;
    const contact = await created(admin, '/api/v1/contacts', { firstName: 'Ada', emails: ['ada@example.org'] });
    await created(admin, '/api/v1/notes', { kind: 'call', body: 'Called: wants a quote', record: { type: 'contact', id: contact } });
    await pause();
    const task = await created(admin, '/api/v1/tasks', { title: 'Send the quote', record: { type: 'contact', id: contact } });
    await pause();
    const purpose = await activePurpose(admin, { name: 'Newsletter' });
    await giveConsent(admin, contact, purpose.id);
    await pause();
    assert.equal((await admin.patch(`/api/v1/tasks/${task}`, { done: true })).status, 200);
    await pause();
    await created(admin, '/api/v1/notes', { kind: 'meeting', body: 'Met at the fair', record: { type: 'contact', id: contact } });

    const timeline = await admin.get(`/api/v1/timeline?recordType=contact&recordId=${contact}`);
    assert.equal(timeline.status, 200, JSON.stringify(timeline.body));
    const items = timeline.body.items as Array<{ kind: string; title: string; body: string | null; actorId: string | null }>;
    assert.deepEqual(
      items.map((item) => item.kind),
      ['meeting', 'task_done', 'consent', 'task_created', 'call'],
    );
    assert.equal(items[0]!.body, 'Met at the fair');
    assert.equal(items[1]!.title, 'Done: Send the quote');
    assert.equal(items[2]!.title, 'Consent given for Newsletter (verbal)');
    assert.ok(
      items.every((item) => item.actorId === adminId),
      'each with who did it',
    );

    const first = await admin.get(`/api/v1/timeline?recordType=contact&recordId=${contact}&limit=2`);
    assert.equal(first.body.items.length, 2);
    const rest = await admin.get(
      `/api/v1/timeline?recordType=contact&recordId=${contact}&limit=10&before=${encodeURIComponent(first.body.nextBefore)}`,
    );
    assert.deepEqual(
      [...first.body.items, ...rest.body.items].map((item: { id: string }) => item.id),
      items.map((item) => (item as unknown as { id: string }).id),
    );
    assert.equal(rest.body.nextBefore, null);
  });

  it("shows a deal's stage changes with who moved it, whichever way it moved; hides what the caller may not see", async () => {
    const admin = await signUp(env());
    const seller = await addMember(env(), admin, 'salesperson');
    const sellerId = seller.info.member.id as string;
    const deal = await created(seller, '/api/v1/opportunities', { name: 'Fleet renewal', stage: 'qualification' });
    await pause();
    assert.equal((await seller.patch(`/api/v1/opportunities/${deal}`, { stage: 'proposal' })).status, 200);
    await pause();
    assert.equal((await seller.patch(`/api/v1/opportunities/${deal}`, { name: 'Fleet renewal 2027' })).status, 200);
    await pause();
    assert.equal((await admin.patch(`/api/v1/opportunities/${deal}`, { stage: 'closed_won' })).status, 200);

    const items = (await seller.get(`/api/v1/timeline?recordType=opportunity&recordId=${deal}`)).body.items as Array<{
      title: string;
      actorId: string;
    }>;
    assert.deepEqual(
      items.map((item) => [item.title, item.actorId]),
      [
        ['Stage: Proposal → Closed won', admin.info.member.id],
        ['Stage: Qualification → Proposal', sellerId],
        ['Created in Qualification', sellerId],
      ],
      'a rename is not a stage change',
    );

    const hidden = await created(admin, '/api/v1/contacts', { firstName: 'Not yours' });
    assert.equal((await seller.get(`/api/v1/timeline?recordType=contact&recordId=${hidden}`)).status, 404);
  });
});
