import assert from 'node:assert/strict';
import net from 'node:net';
import { it } from 'node:test';
import { sql } from 'kysely';
import { addMember, describeEachDatabase, signUp } from '../support/helpers.ts';

/** The StartupMessage a new connection opens with (protocol 3.0): the pool may grow during a request, for some other work. */
const isStartup = (chunk: Buffer) => chunk.length >= 8 && chunk.readInt32BE(4) === 196608;

/**
 * What the PostgreSQL driver writes on its sockets while fn runs: every flush (one write call
 * to the kernel, many protocol messages corked together) of a connection to the server, as text,
 * leaving out the opening of new connections.
 */
async function flushesDuring(port: number, fn: () => Promise<void>): Promise<string[]> {
  const flushes: string[] = [];
  const socket = net.Socket.prototype as unknown as {
    _write(chunk: Buffer, encoding: string, done: () => void): void;
    _writev(chunks: Array<{ chunk: Buffer }>, done: () => void): void;
  };
  const { _write: write, _writev: writev } = socket;
  const toServer = (s: net.Socket) => s.remotePort === port;
  socket._write = function (this: net.Socket, chunk, encoding, done) {
    if (toServer(this) && !isStartup(Buffer.from(chunk))) flushes.push(Buffer.from(chunk).toString('latin1'));
    return write.call(this, chunk, encoding, done);
  };
  socket._writev = function (this: net.Socket, chunks, done) {
    const whole = Buffer.concat(chunks.map((c) => Buffer.from(c.chunk)));
    if (toServer(this) && !isStartup(whole)) flushes.push(whole.toString('latin1'));
    return writev.call(this, chunks, done);
  };
  try {
    await fn();
  } finally {
    socket._write = write;
    socket._writev = writev;
  }
  return flushes;
}

const port = () => Number(new URL(process.env.DATABASE_URL!).port || 5432);

describeEachDatabase('Reading a contact', (env) => {
  it('is one round trip on PostgreSQL (BEGIN, settings, session check, the SELECT with its key, the read audit, COMMIT in one write); the audit row exists after it', async (t) => {
    if (env().backend !== 'postgres') return t.skip('PGlite has no socket');
    const admin = await signUp(env());
    const seller = await addMember(env(), admin, 'salesperson');
    const tenantId = admin.info.workspace.id as string;
    const created = await admin.post('/api/v1/contacts', { firstName: 'Keeley', lastName: 'Schultz', emails: ['keeley@example.org'] });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    // The node has resolved the session once (a request before); the person's key is not in its
    // cache: the read must still need no query of its own for either.
    assert.equal((await admin.get('/api/v1/contacts?limit=1')).status, 200);
    env().app.keys.forgetSubjectKeys(tenantId, [id]);

    let response: Awaited<ReturnType<typeof admin.get>> | undefined;
    const flushes = await flushesDuring(port(), async () => {
      response = await admin.get(`/api/v1/contacts/${id}`);
    });
    assert.equal(response!.status, 200, JSON.stringify(response!.body));
    assert.equal(response!.body.lastName, 'Schultz');
    assert.deepEqual(response!.body.emails, ['keeley@example.org']);
    assert.equal(flushes.length, 1, 'nothing else written to the server during the request');
    const ours = flushes.filter((text) => text.includes(tenantId) || text.includes(id));
    assert.equal(
      ours.length,
      1,
      `one write, found ${ours.length}: ${ours.map((text) => text.replace(/[^ -~]+/g, ' ').slice(0, 200)).join(' | ')}`,
    );
    const [write] = ours as [string];
    for (const part of ['begin', 'set_config', 'app_session_confirm', 'commit'])
      assert.ok(write.toLowerCase().includes(part), `the write carries ${part}`);
    // The SELECT with the key and the audit INSERT are prepared statements: their text goes out the first time on a connection, then their name.
    assert.equal(new Set(write.match(/lw_[A-Za-z0-9_-]{27}/g)).size, 2, 'the SELECT with its key and the audit INSERT, prepared');

    const audited = await sql<{ actor_id: string }>`select actor_id from audit_read_log
      where tenant_id = ${tenantId} and action = 'contact.read' and object_id = ${id}
      union all select actor_id from audit_events where tenant_id = ${tenantId} and action = 'contact.read' and object_id = ${id}`.execute(
      env().db.kysely,
    );
    assert.deepEqual(
      audited.rows.map((row) => row.actor_id),
      [admin.info.member.id],
    );

    // A contact the caller may not see: 404, in the same one write, and no audit of a read that showed nothing.
    const hidden = await seller.get(`/api/v1/contacts/${id}`);
    assert.equal(hidden.status, 404);
    const after = await sql<{ n: number }>`select count(*)::int as n from audit_read_log
      where tenant_id = ${tenantId} and object_id = ${id} and actor_id = ${seller.info.member.id}`.execute(env().db.kysely);
    assert.equal(after.rows[0]!.n, 0);
  });

  it('decrypts with the key read along with the row, so a person erased on another node is not shown from a cached key', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const created = await admin.post('/api/v1/contacts', { firstName: 'Ada', emails: ['ada@example.org'] });
    const id = created.body.id as string;
    assert.equal((await admin.get(`/api/v1/contacts/${id}`)).body.firstName, 'Ada');
    // Another node destroyed the key; this node's cache still holds it.
    await sql`update subject_keys set wrapped_key = null, destroyed_at = now() where tenant_id = ${tenantId} and id = ${id}`.execute(
      env().db.kysely,
    );
    const read = await admin.get(`/api/v1/contacts/${id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.firstName, null);
    assert.deepEqual(read.body.emails, []);
  });

  it('lists a page in two round trips: without the blind-index arrays, with the keys and account names read in the same statement, the reads recorded with COMMIT', async (t) => {
    if (env().backend !== 'postgres') return t.skip('PGlite has no socket');
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const account = await admin.post('/api/v1/accounts', { name: 'Cummerata' });
    for (let i = 0; i < 3; i++)
      await admin.post('/api/v1/contacts', { firstName: `P${i}`, emails: [`p${i}@example.org`], accountId: account.body.id });
    assert.equal((await admin.get('/api/v1/contacts?limit=1')).status, 200);
    env().app.keys.forgetSubjectKeys(
      tenantId,
      (await admin.get('/api/v1/contacts')).body.items.map((item: { id: string }) => item.id),
    );

    let page: Awaited<ReturnType<typeof admin.get>> | undefined;
    const flushes = await flushesDuring(port(), async () => {
      page = await admin.get('/api/v1/contacts?limit=50');
    });
    assert.equal(page!.status, 200);
    assert.equal(page!.body.items.length, 3);
    assert.ok(page!.body.items.every((item: { accountName: string }) => item.accountName === 'Cummerata'));
    // Background jobs share the pool: what the request sent names its workspace.
    const ours = flushes.filter((flush) => flush.includes(tenantId));
    const text = ours.join('\n');
    for (const column of ['email_index', 'phone_index', 'name_index']) assert.ok(!text.includes(column), `no ${column} fetched`);
    assert.ok(text.includes('subject_keys'), 'the keys come with the page');
    // The page with its keys and the names of the accounts the caller may see, then the audit and
    // the reads with COMMIT.
    assert.equal(ours.length, 2, ours.map((f) => f.replace(/[^ -~]+/g, ' ').slice(0, 120)).join(' | '));
    assert.ok(ours.at(-1)!.toLowerCase().includes('commit'));
    const reads = await sql<{ n: number }>`select count(*)::int as n from record_reads
      where tenant_id = ${tenantId} and actor_id = ${admin.info.member.id} and action = 'contact.list'`.execute(env().db.kysely);
    assert.equal(reads.rows[0]!.n, 3 + 1 + 3, 'each person shown by the three lists is recorded');
  });
});
