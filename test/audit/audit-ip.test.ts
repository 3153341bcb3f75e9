import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auditIp } from '../../src/audit/service.ts';

it('keeps staff addresses and reduces data subjects\' to their network', () => {
  assert.equal(auditIp('203.0.113.77', 'member'), '203.0.113.77');
  assert.equal(auditIp('203.0.113.77', 'data_subject'), '203.0.113.0/24');
  assert.equal(auditIp('::ffff:203.0.113.77', 'data_subject'), '203.0.113.0/24');
  assert.equal(auditIp('2001:db8:abcd:12::1', 'data_subject'), '2001:db8:abcd::/48');
  assert.equal(auditIp('2001:db8::1', 'data_subject'), '2001:db8:0::/48');
  assert.equal(auditIp('::1', 'data_subject'), '0:0:0::/48');
  assert.equal(auditIp('not an address', 'data_subject'), null);
  assert.equal(auditIp(null, 'data_subject'), null);
});
