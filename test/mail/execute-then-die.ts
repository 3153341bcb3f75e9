/**
 * The child of outbox-crash.test.ts: a fresh process (same database, same keys) that executes one
 * data subject request as the signed-in member given in its environment. The test's SMTP server
 * kills it with SIGKILL as the completion e-mail arrives, i.e. after the erasure committed and
 * before the e-mail was sent.
 */
import { boot } from '../../src/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { buildApp } from '../../src/server.ts';
import { Client } from '../support/helpers.ts';

const app = await boot(loadConfig(process.env), { master: new LocalKeyring([Buffer.from(process.env.TEST_MASTER_KEY!, 'base64')]) });
const server = await buildApp(app);
const member = new Client(server);
member.cookie = process.env.TEST_COOKIE;
member.csrf = process.env.TEST_CSRF;
const answer = await member.post(`/api/v1/dsr-requests/${process.env.TEST_REQUEST_ID}/execute`);
process.stdout.write(`answered ${answer.status} ${JSON.stringify(answer.body)}\n`);
await server.close();
await app.db.close();
