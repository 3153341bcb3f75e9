import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sendTaskReminders } from '../../src/crm/task-reminders.ts';
import { addMember, describeEachDatabase, signUp, type Client } from '../support/helpers.ts';

const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function task(client: Client, body: Record<string, unknown>) {
  const created = await client.post('/api/v1/tasks', body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body as { id: string; dueAt: string | null; reminderMinutes: number | null; remindAt: string | null };
}

describeEachDatabase('Task reminders', (env) => {
  it('e-mails the assignee once when the reminder comes, and shows it in the app until closed', async () => {
    const admin = await signUp(env());
    const seller = await addMember(env(), admin, 'salesperson');
    const sellerEmail = seller.info.user.email as string;
    const sellerId = seller.info.member.id as string;

    const soon = await task(admin, {
      title: 'Call Ada about the renewal',
      dueAt: inMinutes(10),
      reminderMinutes: 15,
      assigneeId: sellerId,
    });
    assert.equal(soon.reminderMinutes, 15);
    assert.equal(Date.parse(soon.dueAt!) - Date.parse(soon.remindAt!), 15 * 60_000);
    const atDueTime = await task(admin, { title: 'Send the proposal', dueAt: inMinutes(-1), assigneeId: sellerId });
    assert.equal(atDueTime.reminderMinutes, 0, 'a task with a due time is reminded at it unless told otherwise');
    await task(admin, { title: 'Later this week', dueAt: inMinutes(3 * 24 * 60), reminderMinutes: 60, assigneeId: sellerId });
    await task(admin, { title: 'No reminder wanted', dueAt: inMinutes(-5), reminderMinutes: null, assigneeId: sellerId });
    const finished = await task(admin, { title: 'Already done', dueAt: inMinutes(-5), assigneeId: sellerId, done: true });
    assert.ok(finished);
    await task(admin, { title: 'My own', dueAt: inMinutes(-2) });
    const undated = await admin.post('/api/v1/tasks', { title: 'Someday', reminderMinutes: 10 });
    assert.equal(undated.status, 422, 'a reminder needs a due time');

    const before = env().mailer.sent.length;
    await sendTaskReminders(env().app);
    const mails = env()
      .mailer.sent.slice(before)
      .filter((mail) => [mail.to].flat().includes(sellerEmail));
    assert.equal(mails.length, 1, 'one e-mail for both of their due reminders');
    assert.equal(mails[0]!.subject, '2 tasks due');
    assert.match(mails[0]!.text!, /Call Ada about the renewal: due/);
    assert.match(mails[0]!.text!, /Send the proposal: due/);
    assert.doesNotMatch(mails[0]!.text!, /Later this week|No reminder wanted|Already done/);

    const again = env().mailer.sent.length;
    await sendTaskReminders(env().app);
    assert.equal(
      env()
        .mailer.sent.slice(again)
        .filter((mail) => [mail.to].flat().includes(sellerEmail)).length,
      0,
      'not again on the next run',
    );

    const shown = await seller.get('/api/v1/tasks?reminding=true');
    assert.deepEqual(shown.body.items.map((item: { title: string }) => item.title).sort(), [
      'Call Ada about the renewal',
      'Send the proposal',
    ]);
    assert.equal((await admin.post(`/api/v1/tasks/${soon.id}/dismiss-reminder`)).status, 403, 'only the assignee closes it');
    assert.equal((await seller.post(`/api/v1/tasks/${soon.id}/dismiss-reminder`)).status, 200);
    const left = await seller.get('/api/v1/tasks?reminding=true');
    assert.deepEqual(
      left.body.items.map((item: { title: string }) => item.title),
      ['Send the proposal'],
    );

    // A new due time starts the reminder over: shown and mailed again when it comes.
    const moved = await seller.patch(`/api/v1/tasks/${soon.id}`, { dueAt: inMinutes(5) });
    assert.equal(moved.body.reminderMinutes, 15, 'the reminder keeps its minutes');
    const mark = env().mailer.sent.length;
    await sendTaskReminders(env().app);
    assert.equal(
      env()
        .mailer.sent.slice(mark)
        .filter((mail) => [mail.to].flat().includes(sellerEmail)).length,
      1,
    );
    assert.equal((await seller.get('/api/v1/tasks?reminding=true')).body.items.length, 2);
    const cleared = await seller.patch(`/api/v1/tasks/${soon.id}`, { dueAt: null });
    assert.equal(cleared.body.reminderMinutes, null, 'no due time, no reminder');
  });
});
