import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { boot } from '../../src/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { withTenant } from '../../src/db/tenant.ts';
import { buildApp } from '../../src/server.ts';
import { createPostgresDatabase, describeEachDatabase, POSTGRES_ADMIN_URL, signUp, type TestEnv } from '../support/helpers.ts';
import { startSmtpServer } from '../support/smtp.ts';

const CHILD = path.join(import.meta.dirname, 'execute-then-die.ts');
const COMPLETION = /Subject: Your request is complete/;

async function messagesOf(env: TestEnv, tenantId: string, requestId: string) {
  return withTenant(env.db, tenantId, (tx) =>
    tx
      .selectFrom('email_messages')
      .select(['state', 'mail_enc', 'attempts', 'last_error', 'sent_at'])
      .where('tenant_id', '=', tenantId)
      .where('person_id', '=', requestId)
      .orderBy('created_at')
      .execute(),
  );
}

/**
 * Issue 24, finding 4: the DSR completion e-mail was sent after the erasure committed, in a
 * second step, and lost when the process died in between. The e-mail is now queued in the
 * erasure's transaction (the outbox) and a job sends it, so a process killed with SIGKILL
 * between the commit and the send leaves it to the next process.
 */
for (const backend of ['pglite', ...(POSTGRES_ADMIN_URL ? ['postgres'] : [])] as const) {
  describe(`a process killed between an erasure's commit and its e-mail [${backend}]`, () => {
    it('leaves the completion e-mail queued, and the next process sends it', async () => {
      let child: ReturnType<typeof spawn> | undefined;
      const smtp = await startSmtpServer((mail) => {
        if (child && COMPLETION.test(mail.data)) {
          child.kill('SIGKILL');
          throw new Error('the sender was killed');
        }
      });
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-outbox-'));
      const database = backend === 'postgres' ? await createPostgresDatabase(POSTGRES_ADMIN_URL!, 'lawful_outbox') : null;
      const key = randomKey();
      const vars: NodeJS.ProcessEnv = {
        ...process.env,
        LAWFUL_DATA_DIR: dataDir,
        DATABASE_URL: database?.url ?? '',
        LAWFUL_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      };
      const open = async () => {
        const app = await boot(loadConfig(vars), { master: new LocalKeyring([key]) });
        return { app, server: await buildApp(app), db: app.db, backend, mailer: undefined } as unknown as TestEnv;
      };
      try {
        let env = await open();
        const smtpMailer = env.app.mailer;
        const admin = await signUp(env);
        const tenantId = admin.info.workspace.id as string;
        env.app.mailer = smtpMailer;
        const contact = await admin.post('/api/v1/contacts', { firstName: 'Ida', lastName: 'Erased', emails: ['ida@outbox.example'] });
        assert.equal(contact.status, 201);
        const request = await admin.post('/api/v1/dsr-requests', {
          type: 'erasure',
          channel: 'email',
          email: 'ida@outbox.example',
          name: 'Ida Erased',
          identityStatus: 'verified',
          identityMethod: 'reply from the address',
        });
        assert.equal(request.status, 201, JSON.stringify(request.body));
        assert.equal(
          smtp.received.filter((mail) => /Subject: We received your request/.test(mail.data)).length,
          1,
          'the receipt went out through SMTP',
        );
        await env.server.close();
        await env.db.close();

        child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
          env: {
            ...vars,
            TEST_MASTER_KEY: key.toString('base64'),
            TEST_COOKIE: admin.cookie,
            TEST_CSRF: admin.csrf,
            TEST_REQUEST_ID: request.body.id,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout!.on('data', (chunk) => (output += chunk));
        child.stderr!.on('data', (chunk) => (output += chunk));
        const signal = await new Promise<NodeJS.Signals | null>((resolve) => child!.on('exit', (_code, exitSignal) => resolve(exitSignal)));
        assert.equal(signal, 'SIGKILL', `killed at the completion e-mail, not before or after (output: ${output})`);
        child = undefined;

        env = await open();
        try {
          const done = await admin.request('GET', `/api/v1/dsr-requests/${request.body.id}`).catch(() => null);
          assert.equal(done, null, 'the old server is closed');
          const [receipt, completion] = await messagesOf(env, tenantId, request.body.id);
          assert.equal(receipt!.state, 'sent');
          assert.equal(completion?.state, 'queued', 'the erasure committed with its e-mail queued');
          assert.notEqual(completion!.mail_enc, null);
          const erased = await withTenant(env.db, tenantId, (tx) =>
            tx.selectFrom('contacts').select('id').where('tenant_id', '=', tenantId).execute(),
          );
          assert.equal(erased.length, 0, 'the erasure itself committed');

          await env.app.jobs.drain();
          assert.equal(
            smtp.received.filter((mail) => COMPLETION.test(mail.data)).length,
            1,
            'the completion e-mail was sent by the next process',
          );
          assert.deepEqual(smtp.received.at(-1)!.to, ['ida@outbox.example']);
          const [, sent] = await messagesOf(env, tenantId, request.body.id);
          assert.equal(sent!.state, 'sent');
          assert.equal(sent!.mail_enc, null, 'the sealed message is emptied once sent');
          assert.ok(sent!.sent_at);
        } finally {
          await env.server.close();
          await env.db.close();
        }
      } finally {
        child?.kill('SIGKILL');
        await smtp.close();
        await database?.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}

describeEachDatabase('the outbox when the mail server is down', (env) => {
  it('completes the request, keeps its e-mail queued with the reason, and sends it on a retry', async () => {
    const admin = await signUp(env());
    const tenantId = admin.info.workspace.id as string;
    const request = await admin.post('/api/v1/dsr-requests', {
      type: 'objection',
      channel: 'email',
      email: 'down@outbox.example',
      name: 'Dan Down',
      identityStatus: 'verified',
      identityMethod: 'reply from the address',
    });
    assert.equal(request.status, 201);
    const working = env().app.mailer;
    env().app.mailer = {
      transport: working.transport,
      send: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:25 (mail to down@outbox.example)')),
    };
    try {
      const executed = await admin.post(`/api/v1/dsr-requests/${request.body.id}/execute`);
      assert.equal(executed.status, 200, 'the mail server being down does not undo or fail the request');
      assert.equal(executed.body.status, 'completed');
      const [, completion] = await messagesOf(env(), tenantId, request.body.id);
      assert.equal(completion!.state, 'queued');
      assert.equal(completion!.attempts, 1);
      assert.match(completion!.last_error!, /ECONNREFUSED/);
      assert.doesNotMatch(completion!.last_error!, /down@outbox\.example/, 'no address kept in clear');
    } finally {
      env().app.mailer = working;
    }
    await env().app.jobs.drain();
    const [, sent] = await messagesOf(env(), tenantId, request.body.id);
    assert.equal(sent!.state, 'sent');
  });
});
