import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldWithOrigin } from '../../src/search/fold.ts';
import { matchWord, withinOneEdit } from '../../src/search/matching.ts';
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

describe('people index ranking against a brute-force ranking', () => {
  // The ranking README states: each query word's best match over the person's words (exact 8 >
  // prefix 4 > piece 2 > typo 1, times the field: name 4, address 3, company 2), summed; every
  // word must match; best score first, then by last name.
  const WEIGHT = { firstName: 4, lastName: 4, email: 3, company: 2 } as const;
  const KIND = { exact: 8, prefix: 4, infix: 2, fuzzy: 1 } as const;

  function bruteForce(index: PeopleIndex, people: Map<string, PersonRecord>, query: string) {
    const tokens = [...new Set(query.toLowerCase().split(/\s+/).filter(Boolean))];
    const scored: Array<{ id: string; score: number; key: string }> = [];
    for (const [id] of people) {
      const entry = index.get(id)!;
      let total = 0;
      for (const token of tokens) {
        let best = 0;
        for (const field of entry.fields)
          for (const word of field.words) {
            const match = matchWord(token, word);
            if (match) best = Math.max(best, KIND[match.kind] * WEIGHT[field.field]);
          }
        if (best === 0) {
          total = 0;
          break;
        }
        total += best;
      }
      if (total > 0) scored.push({ id, score: total, key: entry.lastNameKey });
    }
    return scored.sort((a, b) => b.score - a.score || (a.key < b.key ? -1 : 1));
  }

  function random(seed: number) {
    let state = seed;
    return (n: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((state / 2_147_483_648) * n);
    };
  }

  it('pages through the same people in the same order, with filters, after changes, bulk-built or not', () => {
    const pick = random(29);
    const syllables = ['ka', 'le', 'mi', 'kee', 'ley', 'sch', 'ultz', 'an', 'na', 'ok', 'ee', 'fe'];
    const word = (parts: number) => Array.from({ length: parts }, () => syllables[pick(syllables.length)]).join('');
    const people = new Map<string, PersonRecord>();
    const make = () => {
      const first = word(2);
      const last = word(2 + pick(2));
      const p = person(pick(10) === 0 ? null : first, last, {
        type: pick(3) === 0 ? 'lead' : 'contact',
        emails: pick(2) ? [`${first}.${last}@${word(2)}.example`] : [],
        company: pick(2) ? `${word(2)} ${word(1)}` : null,
        ownerId: pick(2) ? 'a' : 'b',
      });
      people.set(p.id, p);
      return p;
    };
    const index = new PeopleIndex();
    index.beginBulk();
    for (let i = 0; i < 600; i++) index.upsert(make());
    index.endBulk();

    const queries = ['ka', 'kee', 'lek', 'anna', 'kelee', 'schul', 'ka le', 'ee', 'mi an', 'ultz', 'fe ok', 'sch ka mi', 'zz'];
    const check = () => {
      for (const q of queries) {
        const expected = bruteForce(index, people, q);
        for (const filter of [
          { accept: everyone, expect: expected },
          {
            type: 'lead' as const,
            accept: (entry: PersonRecord) => entry.ownerId === 'a',
            expect: expected.filter(({ id }) => people.get(id)!.type === 'lead' && people.get(id)!.ownerId === 'a'),
          },
        ]) {
          const seen: Array<{ id: string; score: number }> = [];
          let after: { score: number; key: string } | undefined;
          for (let page = 0; page < 200; page++) {
            const hits = index.ranked(q, {
              accept: filter.accept,
              take: 7,
              ...('type' in filter ? { type: filter.type } : {}),
              ...(after ? { after } : {}),
            });
            seen.push(...hits.map((hit) => ({ id: hit.entry.id, score: hit.score })));
            if (hits.length < 7) break;
            const last = hits[hits.length - 1]!;
            after = { score: last.score, key: last.entry.lastNameKey };
          }
          assert.deepEqual(
            seen,
            filter.expect.map(({ id, score }) => ({ id, score })),
            `"${q}"`,
          );
        }
      }
    };
    check();
    // Renamed, removed and added one by one, as notifications apply them.
    const ids = [...people.keys()];
    for (let i = 0; i < 60; i++) {
      const id = ids[pick(ids.length)]!;
      if (!people.has(id)) continue;
      if (pick(2)) {
        const renamed = {
          ...people.get(id)!,
          lastName: word(2),
          emails: [`${word(1)}@${word(1)}.example`, `${word(1)}@${word(1)}.example`],
        };
        people.set(id, renamed);
        index.upsert(renamed);
      } else {
        people.delete(id);
        index.remove(id);
      }
      index.upsert(make());
    }
    check();
  });
});
