import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { boot } from '../../src/boot.ts';
import { loadConfig } from '../../src/config.ts';
import { randomKey } from '../../src/crypto/aead.ts';
import { LocalKeyring } from '../../src/crypto/master-keys.ts';
import { openPGlite } from '../../src/db/connection.ts';
import { buildApp } from '../../src/server.ts';
import { testConfig } from '../support/helpers.ts';

function get(
  module: typeof http | typeof https,
  url: string,
  options: https.RequestOptions = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = module.get(url, options, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    request.on('error', reject);
    request.setTimeout(5000, () => request.destroy(new Error('timeout')));
  });
}

describe('TLS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lawful-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  let port = 0;
  let close = async () => {};

  before(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const db = await openPGlite();
    const app = await boot(testConfig({ tls: { certFile: cert, keyFile: key } }), { db, master: new LocalKeyring([randomKey()]) });
    const server = await buildApp(app);
    await server.listen({ port: 0, host: '127.0.0.1' });
    port = (server.server.address() as AddressInfo).port;
    close = async () => {
      await server.close();
      await db.close();
    };
  });
  after(async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS only, with HSTS', async () => {
    const response = await get(https, `https://127.0.0.1:${port}/healthz`, { ca: fs.readFileSync(cert) });
    assert.equal(response.status, 200);
    assert.equal(response.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    await assert.rejects(get(http, `http://127.0.0.1:${port}/healthz`), 'plain HTTP is not answered');
    await assert.rejects(
      get(https, `https://127.0.0.1:${port}/healthz`, { ca: fs.readFileSync(cert), maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }),
      'TLS 1.1 is refused',
    );
  });

  it('refuses half a configuration', () => {
    assert.throws(() => loadConfig({ LAWFUL_TLS_CERT: cert }), /go together/);
    assert.deepEqual(loadConfig({ LAWFUL_TLS_CERT: cert, LAWFUL_TLS_KEY: key }).tls, { certFile: cert, keyFile: key });
  });
});
