import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockState, notificationDeadline } from '../../src/governance/breach-clock.ts';

/** Wall-clock time in Berlin, to show that 72 elapsed hours cross DST as they should. */
const berlin = (date: Date) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin', dateStyle: 'short', timeStyle: 'short' }).format(date);

describe('72-hour breach notification clock', () => {
  it('counts 72 elapsed hours across the spring DST change (Berlin wall clock shows 73)', () => {
    const aware = new Date('2026-03-28T11:00:00Z'); // 12:00 CET, the night before the clocks go forward
    const deadline = notificationDeadline(aware);
    assert.equal(deadline.getTime() - aware.getTime(), 72 * 3_600_000);
    assert.equal(berlin(aware), '2026-03-28 12:00');
    assert.equal(berlin(deadline), '2026-03-31 13:00');
  });

  it('counts 72 elapsed hours across the autumn DST change (Berlin wall clock shows 71)', () => {
    const aware = new Date('2026-10-24T10:00:00Z'); // 12:00 CEST
    const deadline = notificationDeadline(aware);
    assert.equal(deadline.getTime() - aware.getTime(), 72 * 3_600_000);
    assert.equal(berlin(deadline), '2026-10-27 11:00');
  });

  it('warns at 48 and 24 hours left, then says overdue; a decision or notification stops it', () => {
    const aware = new Date('2026-10-24T10:00:00Z');
    const at = (hours: number) => new Date(aware.getTime() + hours * 3_600_000);
    assert.equal(clockState(aware, at(1), false).level, 'running');
    assert.equal(clockState(aware, at(24), false).level, 'warning_48h');
    assert.equal(clockState(aware, at(24), false).hoursRemaining, 48);
    assert.equal(clockState(aware, at(47.9), false).level, 'warning_48h');
    assert.equal(clockState(aware, at(48), false).level, 'warning_24h');
    assert.equal(clockState(aware, at(72), false).level, 'warning_24h');
    assert.equal(clockState(aware, at(72.01), false).level, 'overdue');
    assert.equal(clockState(aware, at(80), true).level, 'stopped');
  });
});
