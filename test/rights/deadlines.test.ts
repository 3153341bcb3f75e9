import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Jurisdiction } from '../../src/jurisdiction/profiles.ts';
import {
  addBusinessDays,
  addMonthsClamped,
  assertExtensible,
  deadlineState,
  dueDate,
  ExtensionRefused,
  extendedDueDate,
} from '../../src/rights/deadlines.ts';

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
    assert.deepEqual(ends, [
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
      '2027-01-31',
    ]);
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
    assert.doesNotThrow(() =>
      assertExtensible({ receivedAt, extendedAt: null }, 'Several thousand records across three systems', d('2026-02-20T00:00:00Z')),
    );
    assert.throws(
      () => assertExtensible({ receivedAt, extendedAt: d('2026-02-10T00:00:00Z') }, 'Several thousand records', d('2026-02-20T00:00:00Z')),
      ExtensionRefused,
    );
    assert.throws(() => assertExtensible({ receivedAt, extendedAt: null }, 'busy', d('2026-02-20T00:00:00Z')), ExtensionRefused);
    assert.throws(
      () => assertExtensible({ receivedAt, extendedAt: null }, 'Several thousand records', d('2026-03-01T00:00:00Z')),
      ExtensionRefused,
    );
  });
});

describe('deadlines per jurisdiction profile', () => {
  // jurisdiction, request type, received, due, extended (null: the law allows no extension)
  const cases: Array<[Jurisdiction, string, string, string, string | null]> = [
    ['gdpr', 'access', '2026-01-31T09:30:00Z', '2026-02-28T09:30:00Z', '2026-04-30T09:30:00Z'],
    ['uk_gdpr', 'access', '2026-01-31T09:30:00Z', '2026-02-28T09:30:00Z', '2026-04-30T09:30:00Z'],
    ['uk_gdpr', 'erasure', '2028-01-31T09:30:00Z', '2028-02-29T09:30:00Z', '2028-04-30T09:30:00Z'], // leap February
    ['uk_gdpr', 'access', '2027-11-30T12:00:00Z', '2027-12-30T12:00:00Z', '2028-02-29T12:00:00Z'],
    // CCPA: 45 calendar days, then 45 more counted from the first deadline (90 days from receipt)
    ['ccpa', 'access', '2026-01-15T10:00:00Z', '2026-03-01T10:00:00Z', '2026-04-15T10:00:00Z'],
    ['ccpa', 'erasure', '2028-01-15T10:00:00Z', '2028-02-29T10:00:00Z', '2028-04-14T10:00:00Z'], // leap day is counted
    ['ccpa', 'rectification', '2026-12-01T00:00:00Z', '2027-01-15T00:00:00Z', '2027-03-01T00:00:00Z'], // across the year end
    // CCPA opt-out of sale/sharing and limit: 15 business days, no extension
    ['ccpa', 'opt_out_sale_sharing', '2026-11-20T15:00:00Z', '2026-12-11T15:00:00Z', null], // received on a Friday
    ['ccpa', 'limit_sensitive', '2026-11-21T10:00:00Z', '2026-12-11T10:00:00Z', null], // received on a Saturday
    // LGPD: 15 days, no extension
    ['lgpd', 'access', '2026-02-20T12:00:00Z', '2026-03-07T12:00:00Z', null],
    ['lgpd', 'access', '2028-02-20T12:00:00Z', '2028-03-06T12:00:00Z', null], // leap February
    ['lgpd', 'erasure', '2026-12-25T08:00:00Z', '2027-01-09T08:00:00Z', null],
  ];
  for (const [jurisdiction, type, received, due, extended] of cases) {
    it(`${jurisdiction} ${type} received ${received}: due ${due}, extended ${extended ?? 'never'}`, () => {
      assert.equal(dueDate(d(received), jurisdiction, type).toISOString(), d(due).toISOString());
      if (extended) assert.equal(extendedDueDate(d(received), jurisdiction, type).toISOString(), d(extended).toISOString());
      else {
        assert.throws(() => extendedDueDate(d(received), jurisdiction, type), ExtensionRefused);
        assert.throws(
          () =>
            assertExtensible(
              { receivedAt: d(received), extendedAt: null, jurisdiction, type },
              'A reason long enough to be given',
              d(received),
            ),
          ExtensionRefused,
        );
      }
    });
  }

  it('lets a CCPA request be extended only within its first 45 days', () => {
    const receivedAt = d('2026-01-15T10:00:00Z');
    const request = { receivedAt, extendedAt: null, jurisdiction: 'ccpa' as const, type: 'access' };
    assert.doesNotThrow(() => assertExtensible(request, 'Records held in three connected systems', d('2026-03-01T10:00:00Z')));
    assert.throws(
      () => assertExtensible(request, 'Records held in three connected systems', d('2026-03-01T10:00:01Z')),
      /within the first 45 days/,
    );
    assert.throws(
      () =>
        assertExtensible(
          { ...request, extendedAt: d('2026-02-01T00:00:00Z') },
          'Records held in three connected systems',
          d('2026-02-10T00:00:00Z'),
        ),
      /once, by 45 days/,
    );
  });

  it('counts business days over weekends only', () => {
    assert.equal(addBusinessDays(d('2026-11-23T09:00:00Z'), 1).toISOString(), '2026-11-24T09:00:00.000Z'); // Monday → Tuesday
    assert.equal(addBusinessDays(d('2026-11-27T09:00:00Z'), 1).toISOString(), '2026-11-30T09:00:00.000Z'); // Friday → Monday
    assert.equal(addBusinessDays(d('2026-11-28T09:00:00Z'), 3).toISOString(), '2026-12-02T09:00:00.000Z'); // Saturday → Wednesday
  });
});
