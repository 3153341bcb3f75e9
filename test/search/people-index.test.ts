import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldWithOrigin } from '../../src/search/fold.ts';
import { withinOneEdit } from '../../src/search/matching.ts';
import { PeopleIndex, type PersonRecord } from '../../src/search/people-index.ts';

let next = 0;
function person(firstName: string | null, lastName: string | null, extra: Partial<PersonRecord> = {}): PersonRecord {
  next += 1;
  return {
    id: `00000000-0000-4000-8000-${String(next).padStart(12, '0')}`,
    type: 'contact',
    firstName,
    lastName,
    emails: [],
    company: null,
    accountId: null,
    ownerId: null,
    ...extra,
  };
}

const everyone = () => true;
const names = (hits: Array<{ entry: PersonRecord }>) => hits.map((hit) => `${hit.entry.firstName} ${hit.entry.lastName}`);

describe('people index', () => {
  it('ranks a person whose own name starts with the letters above the employees of a company that does', () => {
    const index = new PeopleIndex();
    for (let i = 0; i < 11; i++) index.upsert(person(`Employee${i}`, `Worker`, { company: "O'Keefe - Cummerata" }));
    index.upsert(person('Keeley', 'Schultz'));
    const hits = index.ranked('Kee', { accept: everyone, take: 20 });
    assert.equal(hits.length, 12);
    assert.equal(names(hits)[0], 'Keeley Schultz');
  });

  it('ranks the whole word over its beginning over a piece of it over a typo, and folds accents and case', () => {
    const index = new PeopleIndex();
    index.upsert(person('Anna', 'Schultzberg'));
    index.upsert(person('Bob', 'Schultz'));
    index.upsert(person('Carl', 'Oberschultz'));
    index.upsert(person('Dora', 'Schulz'));
    index.upsert(person('Zoë', 'Müller'));
    assert.deepEqual(names(index.ranked('schultz', { accept: everyone, take: 10 })), [
      'Bob Schultz',
      'Anna Schultzberg',
      'Carl Oberschultz',
      'Dora Schulz',
    ]);
    assert.deepEqual(names(index.ranked('ZOE MULL', { accept: everyone, take: 10 })), ['Zoë Müller']);
  });

  it('needs every word of the query to match, and shows where each matched in the text as stored', () => {
    const index = new PeopleIndex();
    const zoe = person('Zoë', 'Müller', { emails: ['zoe@example.com'] });
    index.upsert(zoe);
    index.upsert(person('Zoë', 'Schmidt'));
    const [hit, ...rest] = index.ranked('zoe mü', { accept: everyone, take: 10 });
    assert.equal(rest.length, 0);
    assert.deepEqual(index.highlights(hit!.entry, 'zoe mü'), [
      { field: 'firstName', start: 0, end: 3 },
      { field: 'lastName', start: 0, end: 2 },
    ]);
    assert.equal('Müller'.slice(0, 2), 'Mü');
  });

  it('lists by last name in both directions, page after page from a key, skipping whom the caller may not see', () => {
    const index = new PeopleIndex();
    const people = ['Young', 'adams', 'Émile', 'Baker', null, 'Clark', 'Éden'].map((last, i) =>
      person(`P${i}`, last, { ownerId: i % 2 === 0 ? 'me' : 'other' }),
    );
    index.beginBulk();
    for (const p of people) index.upsert(p);
    index.endBulk();
    const collect = (direction: 'asc' | 'desc', accept: (e: PersonRecord) => boolean) => {
      const seen: Array<string | null> = [];
      let after: string | undefined;
      for (;;) {
        const page = index.sorted('contact', 'lastName', direction, { accept, take: 2, ...(after ? { afterKey: after } : {}) });
        if (page.length === 0) return seen;
        seen.push(...page.map((entry) => entry.lastName));
        after = page[page.length - 1]!.lastNameKey;
      }
    };
    assert.deepEqual(collect('asc', everyone), ['adams', 'Baker', 'Clark', 'Éden', 'Émile', 'Young', null]);
    assert.deepEqual(collect('desc', everyone), [null, 'Young', 'Émile', 'Éden', 'Clark', 'Baker', 'adams']);
    assert.deepEqual(
      collect('asc', (e) => e.ownerId === 'me'),
      ['Émile', 'Young', null, 'Éden'].sort((a, b) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b))),
    );
    index.upsert({ ...people[1]!, lastName: 'Zimmer' });
    assert.equal(collect('asc', everyone).at(-2), 'Zimmer');
    index.remove(people[3]!.id);
    assert.ok(!collect('asc', everyone).includes('Baker'));
    assert.equal(index.ranked('baker', { accept: everyone, take: 5 }).length, 0);
  });

  it('folds with the origin of every character, ligatures included', () => {
    const { folded, origin } = foldWithOrigin('Ǆaﬁé');
    assert.equal(folded, 'dzafie');
    assert.deepEqual(origin, [0, 0, 1, 2, 2, 3, 4]);
  });

  it('counts one edit as a typo: insertion, deletion, replacement, neighbours swapped', () => {
    assert.ok(withinOneEdit('schulz', 'schultz'));
    assert.ok(withinOneEdit('schultz', 'schulz'));
    assert.ok(withinOneEdit('shcultz', 'schultz'));
    assert.ok(withinOneEdit('schuttz', 'schultz'));
    assert.ok(!withinOneEdit('shclutz', 'schultz'));
    assert.ok(!withinOneEdit('schu', 'schultz'));
  });
});
