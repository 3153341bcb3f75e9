import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addMonthsClamped, assertExtensible, deadlineState, dueDate, ExtensionRefused, extendedDueDate } from '../../src/rights/deadlines.ts';

const d = (iso: string) => new Date(iso);

describe('statutory deadlines (Art. 12(3))', () => {
  const cases: Array<[string, string, string]> = [
    // received, due (one month), extended (three months)
    ['2026-01-15T10:00:00Z', '2026-02-15T10:00:00Z', '2026-04-15T10:00:00Z'],
    ['2026-01-31T09:30:00Z', '2026-02-28T09:30:00Z', '2026-04-30T09:30:00Z'],
    ['2028-01-31T09:30:00Z', '2028-02-29T09:30:00Z', '2028-04-30T09:30:00Z'], // leap year
    ['2026-03-31T00:00:00Z', '2026-04-30T00:00:00Z', '2026-06-30T00:00:00Z'],
    ['2026-12-31T23:59:59Z', '2027-01-31T23:59:59Z', '2027-03-31T23:59:59Z'], // year end
    ['2027-11-30T12:00:00Z', '2027-12-30T12:00:00Z', '2028-02-29T12:00:00Z'], // extension into a leap February
    ['2026-11-30T12:00:00Z', '2026-12-30T12:00:00Z', '2027-02-28T12:00:00Z'],
    ['2028-02-29T08:00:00Z', '2028-03-29T08:00:00Z', '2028-05-29T08:00:00Z'],
  ];
  for (const [received, due, extended] of cases) {
    it(`received ${received}: due ${due}, extended ${extended}`, () => {
      assert.equal(dueDate(d(received)).toISOString(), d(due).toISOString());
      assert.equal(extendedDueDate(d(received)).toISOString(), d(extended).toISOString());
    });
  }

  it('adds months without drifting across a year', () => {
    let date = d('2026-01-31T00:00:00Z');
    const ends = [];
    for (let i = 1; i <= 12; i++) ends.push(addMonthsClamped(date, i).toISOString().slice(0, 10));
    assert.deepEqual(ends, ['2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31', '2027-01-31']);
    date = d('2026-05-31T00:00:00Z');
    assert.equal(addMonthsClamped(date, -3).toISOString().slice(0, 10), '2026-02-28');
  });

  it('says when a request is near due or overdue', () => {
    const due = d('2026-02-15T10:00:00Z');
    assert.equal(deadlineState(due, d('2026-02-01T10:00:00Z')), 'on_time');
    assert.equal(deadlineState(due, d('2026-02-08T10:00:00Z')), 'near_due');
    assert.equal(deadlineState(due, d('2026-02-15T10:00:00Z')), 'near_due');
    assert.equal(deadlineState(due, d('2026-02-15T10:00:01Z')), 'overdue');
  });

  it('allows one extension, with a reason, decided within the first month', () => {
    const receivedAt = d('2026-01-31T09:00:00Z');
    assert.doesNotThrow(() => assertExtensible({ receivedAt, extendedAt: null }, 'Several thousand records across three systems', d('2026-02-20T00:00:00Z')));
    assert.throws(() => assertExtensible({ receivedAt, extendedAt: d('2026-02-10T00:00:00Z') }, 'Several thousand records', d('2026-02-20T00:00:00Z')), ExtensionRefused);
    assert.throws(() => assertExtensible({ receivedAt, extendedAt: null }, 'busy', d('2026-02-20T00:00:00Z')), ExtensionRefused);
    assert.throws(() => assertExtensible({ receivedAt, extendedAt: null }, 'Several thousand records', d('2026-03-01T00:00:00Z')), ExtensionRefused);
  });
});
