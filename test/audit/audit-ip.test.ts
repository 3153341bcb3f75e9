import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auditIp, auditUserAgent } from '../../src/audit/service.ts';

it("keeps staff addresses and reduces data subjects' to their network", () => {
  assert.equal(auditIp('203.0.113.77', 'member'), '203.0.113.77');
  assert.equal(auditIp('203.0.113.77', 'data_subject'), '203.0.113.0/24');
  assert.equal(auditIp('::ffff:203.0.113.77', 'data_subject'), '203.0.113.0/24');
  assert.equal(auditIp('2001:db8:abcd:12::1', 'data_subject'), '2001:db8:abcd::/48');
  assert.equal(auditIp('2001:db8::1', 'data_subject'), '2001:db8:0::/48');
  assert.equal(auditIp('::1', 'data_subject'), '0:0:0::/48');
  assert.equal(auditIp('not an address', 'data_subject'), null);
  assert.equal(auditIp(null, 'data_subject'), null);
});

it("keeps staff browsers and reduces data subjects' to the browser family", () => {
  const firefox = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
  const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
  const edge = `${chrome} Edg/131.0.2903.86`;
  const safari = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
  assert.equal(auditUserAgent(firefox, 'member'), firefox);
  assert.deepEqual(
    [firefox, chrome, edge, safari, 'curl/8.5.0', 'SomeBot 1.0'].map((ua) => auditUserAgent(ua, 'data_subject')),
    ['Firefox', 'Chrome', 'Edge', 'Safari', 'script', 'other'],
  );
  assert.equal(auditUserAgent(null, 'data_subject'), null);
});
