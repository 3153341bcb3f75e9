import { fold, foldWithOrigin, queryWords, wordsOf, type Word } from './fold.ts';
import { LooseWords } from './loose-words.ts';
import { KIND_SCORE, matchWord, MIN_FUZZY, MIN_INFIX, type MatchKind } from './matching.ts';

export type PersonType = 'contact' | 'lead';
export type SearchField = 'firstName' | 'lastName' | 'email' | 'company';
export type NameSort = 'lastName' | 'firstName';

/** A contact or lead as search knows it: the words it can be found by, decrypted, in memory only. */
export interface PersonRecord {
  id: string;
  type: PersonType;
  firstName: string | null;
  lastName: string | null;
  emails: string[];
  /** A lead's company name; for a contact, its account's name. */
  company: string | null;
  accountId: string | null;
  ownerId: string | null;
}

/** A person's own name counts more than their address, which counts more than their employer. */
const FIELD_WEIGHT: Record<SearchField, number> = { firstName: 4, lastName: 4, email: 3, company: 2 };
const FIELDS: readonly SearchField[] = ['firstName', 'lastName', 'email', 'company'];
/** The best a piece or a typo can score for one query word (below every prefix of a name or address), and a whole word. */
const BEST_LOOSE_SCORE = Math.max(KIND_SCORE.infix, KIND_SCORE.fuzzy) * FIELD_WEIGHT.firstName;
const BEST_TIGHT_SCORE = KIND_SCORE.exact * FIELD_WEIGHT.firstName;

/**
 * The people having a word, per field (FIELDS' order), so a match's weight is known without
 * looking at the person; each list in last-name order, so the best of a query's people come
 * first without ranking them all.
 */
type Posting = Array<Entry[] | undefined>;

interface IndexedField {
  field: SearchField;
  value: string;
  /** Folded; where each starts is worked out again only for a result's highlights (memory per person counts here). */
  words: string[];
}

export interface Entry extends PersonRecord {
  fields: IndexedField[];
  /**
   * Every word of the fields, each after a mark naming its field (its index in FIELDS, plus one):
   * a query word is looked for in one string instead of across the fields' word lists, a
   * pointer apiece, when people are asked one by one.
   */
  terms: string;
  /** Sort keys, unique thanks to the id; people with no such name go last from A to Z. */
  lastNameKey: string;
  firstNameKey: string;
  /**
   * Scratch of the query being scored (which query last saw this person, and their best score in
   * it): scoring a million candidates then allocates no map, and leaves the garbage collector
   * nothing to do in the middle of a type-ahead.
   */
  seenIn: number;
  best: number;
  /** Sum of the best scores of the query's earlier words. */
  total: number;
}

export interface Highlight {
  field: SearchField;
  /** The matched characters of the field as stored: value.slice(start, end). */
  start: number;
  end: number;
}

export interface Hit {
  entry: Entry;
  score: number;
}

/** Where a ranked list stopped: everything ranked after this score and key comes next. */
export interface RankPosition {
  score: number;
  key: string;
}

const LAST = '\uffff';

/**
 * Asking a remaining person whether they match a query word reads their entry and their terms
 * (more for a typo); walking a word's lists reads one entry per person listed. Both are bound by
 * memory latency at a million people, so the cheaper is the one reading fewer places, about this
 * many to one (measured at 1,000,000 people: 1 to 3 alike, 6 and above slower).
 */
const PROBE_COST = 3;

function sortKey(first: string, second: string, id: string): string {
  return `${first || LAST}\u0001${second}\u0001${id}`;
}

/**
 * The numbers in addresses (jane.doe.1987@) are not what people type to find someone, and each
 * would be a word of its own: the words to scan for pieces and typos would grow with the people
 * instead of with the names.
 */
function wordsOfField(field: SearchField, folded: string): Word[] {
  return wordsOf(folded).filter((word) => field !== 'email' || !/^\d+$/.test(word.text));
}

function entryOf(person: PersonRecord): Entry {
  const values: Array<[SearchField, string | null]> = [
    ['firstName', person.firstName],
    ['lastName', person.lastName],
    ...person.emails.map((email): [SearchField, string] => ['email', email]),
    ['company', person.company],
  ];
  const fields = values.flatMap(([field, value]) => {
    if (!value) return [];
    return [{ field, value, words: wordsOfField(field, fold(value)).map((word) => word.text) }];
  });
  const first = fold(person.firstName ?? '').trim();
  const last = fold(person.lastName ?? '').trim();
  // Written out rather than spread: every entry gets one fixed shape, and the scoring loop's
  // writes to it stay fast (a spread object was 25 times slower to write to).
  return {
    id: person.id,
    type: person.type,
    firstName: person.firstName,
    lastName: person.lastName,
    emails: person.emails,
    company: person.company,
    accountId: person.accountId,
    ownerId: person.ownerId,
    fields,
    terms: fields.map((field) => field.words.map((word) => String.fromCharCode(FIELDS.indexOf(field.field) + 1) + word).join('')).join(''),
    lastNameKey: sortKey(last, first, person.id),
    firstNameKey: sortKey(first, last, person.id),
    seenIn: 0,
    best: 0,
    total: 0,
  };
}

/** Marks in Entry.terms are the characters below this one. */
const AFTER_MARKS = FIELDS.length + 1;

/**
 * A person's best score for a query word from where it occurs in their terms: at a word's start
 * (whole word or prefix) or, with pieces, inside one.
 */
function scoreInTerms(terms: string, token: string, pieces: boolean): number {
  let best = 0;
  for (let at = terms.indexOf(token); at >= 0; at = terms.indexOf(token, at + 1)) {
    let start = at;
    while (terms.charCodeAt(start - 1) >= AFTER_MARKS) start--;
    let kind: MatchKind;
    if (start < at) {
      if (!pieces) continue;
      // A word starting with the token scores as a prefix, from its own occurrence at the start.
      kind = 'infix';
    } else {
      const end = at + token.length;
      kind = end === terms.length || terms.charCodeAt(end) < AFTER_MARKS ? 'exact' : 'prefix';
    }
    const score = KIND_SCORE[kind] * FIELD_WEIGHT[FIELDS[terms.charCodeAt(start - 1) - 1]!];
    if (score > best) best = score;
  }
  return best;
}

/** The first index in a sorted array whose value is not below key. */
function lowerBound<T>(items: readonly T[], key: string, keyOf: (item: T) => string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keyOf(items[mid]!) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

export const sortKeyOf = (entry: Entry, sort: NameSort) => (sort === 'lastName' ? entry.lastNameKey : entry.firstNameKey);

const byLastName = (entry: Entry) => entry.lastNameKey;

/** Each word of the person once per field, as the postings list them. */
function postedWords(entry: Entry): Array<[string, number]> {
  const posted = new Map<string, [string, number]>();
  for (const field of entry.fields) {
    const at = FIELDS.indexOf(field.field);
    for (const word of field.words) posted.set(`${at}:${word}`, [word, at]);
  }
  return [...posted.values()];
}

/** Two lists in last-name order, as one. */
function* mergeByKey(a: readonly Entry[], b: readonly Entry[]): Generator<Entry> {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j === b.length || (i < a.length && a[i]!.lastNameKey < b[j]!.lastNameKey)) yield a[i++]!;
    else yield b[j++]!;
  }
}

/**
 * Lists in last-name order merged into one (a heap of where each list stands), from after a key;
 * a person in two lists comes twice, one after the other.
 */
function* mergedInKeyOrder(lists: readonly Entry[][], afterKey: string | undefined): Generator<Entry> {
  const heap: Array<{ list: Entry[]; at: number }> = [];
  const keyOf = (item: { list: Entry[]; at: number }) => item.list[item.at]!.lastNameKey;
  const below = (i: number, j: number) => keyOf(heap[i]!) < keyOf(heap[j]!);
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  const siftDown = (from: number) => {
    for (let i = from; ;) {
      const left = 2 * i + 1;
      let least = i;
      if (left < heap.length && below(left, least)) least = left;
      if (left + 1 < heap.length && below(left + 1, least)) least = left + 1;
      if (least === i) return;
      swap(i, least);
      i = least;
    }
  };
  for (const list of lists) {
    let at = afterKey === undefined ? 0 : lowerBound(list, afterKey, byLastName);
    if (afterKey !== undefined && list[at]?.lastNameKey === afterKey) at += 1;
    if (at < list.length) heap.push({ list, at });
  }
  for (let i = (heap.length >>> 1) - 1; i >= 0; i--) siftDown(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    yield top.list[top.at]!;
    top.at += 1;
    if (top.at === top.list.length) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    siftDown(0);
  }
}

export interface RankOptions {
  type?: PersonType;
  accept: (entry: Entry) => boolean;
  after?: RankPosition;
  take: number;
}

/** Best score first, then by last name. */
const ranksBelow = (score: number, entry: Entry, otherScore: number, otherKey: string) =>
  score < otherScore || (score === otherScore && entry.lastNameKey > otherKey);
const ranksAbove = (score: number, entry: Entry, other: Hit) =>
  score > other.score || (score === other.score && entry.lastNameKey < other.entry.lastNameKey);

/**
 * One workspace's people, searchable by any word of their names, addresses and company, and
 * listable in name order. Built from decrypted records and kept in this process's memory only:
 * nothing of it is written to a table, a log or the WAL.
 */
export class PeopleIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly postings = new Map<string, Posting>();
  /** Every distinct word, sorted, for prefix ranges by binary search. */
  private words: string[] = [];
  /** The same words, for pieces and typos. */
  private loose = new LooseWords();
  private readonly orders: Record<PersonType, Record<NameSort, Entry[]>> = {
    contact: { lastName: [], firstName: [] },
    lead: { lastName: [], firstName: [] },
  };
  /** While loading in bulk, sorted structures are rebuilt once at the end instead of kept sorted. */
  private bulk = false;
  /** Numbers each scoring pass (Entry.seenIn). */
  private queries = 0;

  get size(): number {
    return this.entries.size;
  }

  get distinctWords(): number {
    return this.postings.size;
  }

  beginBulk(): void {
    this.bulk = true;
  }

  endBulk(): void {
    this.bulk = false;
    for (const type of ['contact', 'lead'] as const) {
      const people = [...this.entries.values()].filter((entry) => entry.type === type);
      for (const sort of ['lastName', 'firstName'] as const) {
        // The engine's own string sort, on the keys alone, is several times faster than a comparator.
        const byKey = new Map(people.map((entry) => [sortKeyOf(entry, sort), entry]));
        this.orders[type][sort] = [...byKey.keys()].sort().map((key) => byKey.get(key)!);
      }
    }
    // Filled in last-name order, every posting list comes out sorted.
    this.postings.clear();
    for (const entry of mergeByKey(this.orders.contact.lastName, this.orders.lead.lastName)) {
      for (const [word, field] of postedWords(entry)) {
        let posting = this.postings.get(word);
        if (!posting) this.postings.set(word, (posting = []));
        (posting[field] ??= []).push(entry);
      }
    }
    this.words = [...this.postings.keys()].sort();
    this.loose = new LooseWords();
    for (const word of this.words) this.loose.add(word);
  }

  /** The person as the directory holds them. */
  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  upsert(person: PersonRecord): void {
    this.remove(person.id);
    const entry = entryOf(person);
    this.entries.set(entry.id, entry);
    // In bulk, postings and orders are built once, at the end.
    if (this.bulk) return;
    for (const [word, field] of postedWords(entry)) this.addPosting(word, field, entry);
    for (const sort of ['lastName', 'firstName'] as const) {
      const list = this.orders[entry.type][sort];
      list.splice(
        lowerBound(list, sortKeyOf(entry, sort), (e) => sortKeyOf(e, sort)),
        0,
        entry,
      );
    }
  }

  remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    if (this.bulk) return;
    for (const [word, field] of postedWords(entry)) this.removePosting(word, field, entry);
    for (const sort of ['lastName', 'firstName'] as const) {
      const list: Entry[] = this.orders[entry.type][sort];
      const at: number = lowerBound(list, sortKeyOf(entry, sort), (e: Entry) => sortKeyOf(e, sort));
      if (list[at] === entry) list.splice(at, 1);
    }
  }

  /**
   * People matching every word of the query, best first (score, then last name), after a
   * position; at most take of them. accept narrows to the people the caller may see.
   */
  ranked(query: string, options: RankOptions): Hit[] {
    const tokens = queryWords(query);
    if (tokens.length === 0) return [];
    // One word (most of a type-ahead) is ranked from the posting lists in last-name order
    // without scoring everyone it matches; more words, by scoring the people they all match.
    const rank = (loose: boolean) =>
      tokens.length === 1 ? this.rankedByOneWord(tokens[0]!, loose, options) : this.best(this.candidates(tokens, loose), options);
    // Pieces and typos score below every whole word and prefix: when whole words and prefixes
    // already fill the page with scores no one needing a piece or a typo can reach, the pass
    // looking for them is not needed.
    const reachable = (tokens.length - 1) * BEST_TIGHT_SCORE + BEST_LOOSE_SCORE;
    const tight = rank(false);
    const full = tight.length === options.take && tight[tight.length - 1]!.score > reachable;
    if (full && (!options.after || options.after.score > reachable)) return tight;
    return rank(true);
  }

  /**
   * The people one query word matches, best first, read off the posting lists: a person's score
   * is that of their best match, so the lists are taken by score, highest first, each score's
   * lists merged in last-name order, and a person is taken at their best score only. Only as
   * many people are looked at as the page needs (and those the filters turn away).
   */
  private rankedByOneWord(token: string, loose: boolean, options: RankOptions): Hit[] {
    const byScore = new Map<number, Entry[][]>();
    for (const [word, kind] of this.matchingWords(token, loose)) {
      const posting = this.postings.get(word)!;
      for (let field = 0; field < FIELDS.length; field++) {
        const people = posting[field];
        if (!people) continue;
        const score = KIND_SCORE[kind] * FIELD_WEIGHT[FIELDS[field]!];
        const lists = byScore.get(score);
        if (lists) lists.push(people);
        else byScore.set(score, [people]);
      }
    }
    const { after, take } = options;
    const hits: Hit[] = [];
    for (const score of [...byScore.keys()].sort((a, b) => b - a)) {
      if (after && score > after.score) continue;
      const from = after && score === after.score ? after.key : undefined;
      let previous: Entry | undefined;
      for (const entry of mergedInKeyOrder(byScore.get(score)!, from)) {
        // In two lists of this score (first and last name both start so): the same key, one after the other.
        if (entry === previous) continue;
        previous = entry;
        if (options.type && entry.type !== options.type) continue;
        // Found here by a lesser match: ranked already, at their best score.
        if (this.scoreOf(entry, token, loose) !== score) continue;
        if (!options.accept(entry)) continue;
        hits.push({ entry, score });
        if (hits.length === take) return hits;
      }
    }
    return hits;
  }

  /** A person's best score for one query word (what candidates() works out from the postings, for many people at once). */
  private scoreOf(entry: Entry, token: string, loose: boolean): number {
    if (loose && token.length >= MIN_FUZZY) return this.scoreByWords(entry, token);
    return scoreInTerms(entry.terms, token, loose && token.length >= MIN_INFIX);
  }

  /** The same, a word at a time: a typo is one edit away from a word, which no search in the terms finds. */
  private scoreByWords(entry: Entry, token: string): number {
    let best = 0;
    for (const field of entry.fields) {
      const weight = FIELD_WEIGHT[field.field];
      for (const word of field.words) {
        const match = matchWord(token, word);
        if (!match) continue;
        const score = KIND_SCORE[match.kind] * weight;
        if (score > best) best = score;
      }
    }
    return best;
  }

  /** The best `take` hits among the candidates, sorted. */
  private best(candidates: Entry[], options: RankOptions): Hit[] {
    const best: Hit[] = [];
    const { after, take } = options;
    for (const entry of candidates) {
      if (options.type && entry.type !== options.type) continue;
      const score = entry.total + entry.best;
      // Compared before anything is allocated: most candidates of a short query fall here.
      if (after && !ranksBelow(score, entry, after.score, after.key)) continue;
      const worst = best.length === take ? best[take - 1]! : undefined;
      if (worst && !ranksAbove(score, entry, worst)) continue;
      if (!options.accept(entry)) continue;
      // Keeps only the best `take` hits, sorted: a page needs its top, not the whole order.
      const hit = { entry, score };
      let at = best.length;
      while (at > 0 && ranksAbove(score, entry, best[at - 1]!)) at--;
      best.splice(at, 0, hit);
      if (best.length > take) best.pop();
    }
    return best;
  }

  /** Everyone matching every word of the query, unranked. */
  matching(query: string): Set<Entry> {
    const tokens = queryWords(query);
    const found = new Set<Entry>();
    if (tokens.length === 0) return found;
    for (const entry of this.candidates(tokens, true)) found.add(entry);
    return found;
  }

  /** People of one type in name order, after a sort key; at most take of them. */
  sorted(
    type: PersonType,
    sort: NameSort,
    direction: 'asc' | 'desc',
    options: { accept: (entry: Entry) => boolean; afterKey?: string; take: number },
  ): Entry[] {
    const list = this.orders[type][sort];
    const page: Entry[] = [];
    if (direction === 'asc') {
      const start = options.afterKey === undefined ? 0 : lowerBound(list, options.afterKey + '\u0000', (e) => sortKeyOf(e, sort));
      for (let i = start; i < list.length && page.length < options.take; i++) if (options.accept(list[i]!)) page.push(list[i]!);
    } else {
      const start = options.afterKey === undefined ? list.length - 1 : lowerBound(list, options.afterKey, (e) => sortKeyOf(e, sort)) - 1;
      for (let i = start; i >= 0 && page.length < options.take; i--) if (options.accept(list[i]!)) page.push(list[i]!);
    }
    return page;
  }

  /** Where each query word matched the person, for showing why they were found. */
  highlights(entry: Entry, query: string): Highlight[] {
    const highlights: Highlight[] = [];
    for (const token of queryWords(query)) {
      const best = this.bestMatch(entry, token);
      if (!best) continue;
      const { field, word, match } = best;
      const folded = foldWithOrigin(field.value);
      const start = wordsOfField(field.field, folded.folded).find((w) => w.text === word)!.start + match.offset;
      highlights.push({ field: field.field, start: folded.origin[start]!, end: folded.origin[start + match.length]! });
    }
    return highlights;
  }

  private bestMatch(entry: Entry, token: string) {
    let best: { field: IndexedField; word: string; match: NonNullable<ReturnType<typeof matchWord>>; score: number } | undefined;
    for (const field of entry.fields) {
      for (const word of field.words) {
        const match = matchWord(token, word);
        if (!match) continue;
        const score = KIND_SCORE[match.kind] * FIELD_WEIGHT[field.field];
        if (!best || score > best.score) best = { field, word, match, score };
      }
    }
    return best;
  }

  /**
   * Everyone matching every word of the query, their score in total + best. One pass per query
   * word, the rarest word first, over the people its words index; each later pass keeps only
   * those the earlier ones found, adding their best score, so nothing is allocated per person.
   * Once fewer people remain than a word's lists hold, they are asked about it one by one instead.
   */
  private candidates(tokens: string[], loose: boolean): Entry[] {
    // How many people each word's lists hold, counted only as far as the choices below need:
    // past PROBE_COST times the fewest, a word is neither the rarest nor walked (a two-letter
    // word's thousands of lists are then not all looked at).
    const words = tokens
      .map((token) => ({ token, matches: this.matchingWords(token, loose), people: 0 }))
      .sort((a, b) => a.matches.length - b.matches.length);
    let fewest = Infinity;
    for (const word of words) {
      for (const [match] of word.matches) {
        word.people += this.peopleWith(match);
        if (word.people > fewest * PROBE_COST) break;
      }
      fewest = Math.min(fewest, word.people);
    }
    words.sort((a, b) => a.people - b.people);
    let found: Entry[] = [];
    let previous = 0;
    for (const { token, matches, people } of words) {
      const pass = ++this.queries;
      const next: Entry[] = [];
      if (previous !== 0 && found.length * PROBE_COST < people) {
        // Fewer people left than the word's lists hold: each is asked directly.
        for (const entry of found) {
          const score = this.scoreOf(entry, token, loose);
          if (score === 0) continue;
          entry.total += entry.best;
          entry.seenIn = pass;
          entry.best = score;
          next.push(entry);
        }
      } else {
        for (const [word, kind] of matches) {
          const posting = this.postings.get(word)!;
          for (let field = 0; field < FIELDS.length; field++) {
            const people = posting[field];
            if (!people) continue;
            const score = KIND_SCORE[kind] * FIELD_WEIGHT[FIELDS[field]!];
            for (const entry of people) {
              if (entry.seenIn === pass) {
                if (entry.best < score) entry.best = score;
              } else if (previous === 0 || entry.seenIn === previous) {
                entry.total = previous === 0 ? 0 : entry.total + entry.best;
                entry.seenIn = pass;
                entry.best = score;
                next.push(entry);
              }
            }
          }
        }
      }
      found = next;
      previous = pass;
      if (found.length === 0) break;
    }
    return found;
  }

  private peopleWith(word: string): number {
    let count = 0;
    for (const people of this.postings.get(word)!) count += people?.length ?? 0;
    return count;
  }

  /**
   * The distinct words a query word matches and how: whole words and prefixes by binary search
   * over the sorted words; with loose, pieces and typos too, among the few words LooseWords
   * proposes.
   */
  private matchingWords(token: string, loose: boolean): Array<[string, MatchKind]> {
    const found: Array<[string, MatchKind]> = [];
    for (const word of this.withPrefix(token)) found.push([word, word === token ? 'exact' : 'prefix']);
    if (loose) {
      for (const word of this.loose.candidates(token, (prefix) => this.withPrefix(prefix))) {
        if (word.startsWith(token)) continue;
        const match = matchWord(token, word);
        if (match) found.push([word, match.kind]);
      }
    }
    return found;
  }

  /** The distinct words starting with a prefix, in order. */
  private *withPrefix(prefix: string): Generator<string> {
    for (let i = lowerBound(this.words, prefix, (w) => w); i < this.words.length && this.words[i]!.startsWith(prefix); i++) {
      yield this.words[i]!;
    }
  }

  private addPosting(word: string, field: number, entry: Entry): void {
    let posting = this.postings.get(word);
    if (!posting) {
      posting = [];
      this.postings.set(word, posting);
      this.loose.add(word);
      this.words.splice(
        lowerBound(this.words, word, (w) => w),
        0,
        word,
      );
    }
    const people = (posting[field] ??= []);
    people.splice(lowerBound(people, entry.lastNameKey, byLastName), 0, entry);
  }

  private removePosting(word: string, field: number, entry: Entry): void {
    const posting = this.postings.get(word);
    const people = posting?.[field];
    if (!posting || !people) return;
    const at = lowerBound(people, entry.lastNameKey, byLastName);
    if (people[at] === entry) people.splice(at, 1);
    if (people.length === 0) posting[field] = undefined;
    if (posting.some((list) => list !== undefined)) return;
    this.postings.delete(word);
    this.loose.remove(word);
    const where = lowerBound(this.words, word, (w) => w);
    if (this.words[where] === word) this.words.splice(where, 1);
  }
}
