/**
 * How well a query word matches a word of a person's name, address or company. Ranking follows
 * what people expect of a type-ahead: the whole word typed beats its beginning, which beats a
 * piece from its middle, which beats a typo.
 */
export type MatchKind = 'exact' | 'prefix' | 'infix' | 'fuzzy';

export const KIND_SCORE: Record<MatchKind, number> = { exact: 8, prefix: 4, infix: 2, fuzzy: 1 };

/** Pieces from the middle of a word count from three letters; typos from four (fewer match too much). */
export const MIN_INFIX = 3;
export const MIN_FUZZY = 4;

export interface WordMatch {
  kind: MatchKind;
  /** Where in the word the match starts, and how many of its characters it covers. */
  offset: number;
  length: number;
}

export function matchWord(query: string, word: string): WordMatch | null {
  if (word === query) return { kind: 'exact', offset: 0, length: word.length };
  if (word.startsWith(query)) return { kind: 'prefix', offset: 0, length: query.length };
  if (query.length >= MIN_INFIX) {
    const at = word.indexOf(query);
    if (at > 0) return { kind: 'infix', offset: at, length: query.length };
  }
  if (query.length >= MIN_FUZZY) {
    if (withinOneEdit(query, word)) return { kind: 'fuzzy', offset: 0, length: word.length };
    // A typo in what has been typed so far: "kele" for "keeley".
    for (const length of [query.length - 1, query.length, query.length + 1]) {
      if (length < word.length && withinOneEdit(query, word, length)) return { kind: 'fuzzy', offset: 0, length };
    }
  }
  return null;
}

/** a[from…] equals b[from + shift…bEnd] (no substring is made: this runs over many candidate words). */
function sameFrom(a: string, from: number, b: string, shift: number, bEnd: number): boolean {
  if (a.length - from !== bEnd - from - shift) return false;
  for (let i = from; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i + shift)) return false;
  return true;
}

/**
 * True when b (its first bEnd characters) is a, or a with one character inserted, deleted,
 * replaced, or two neighbours swapped (the Damerau–Levenshtein distance is at most 1), in one pass.
 */
export function withinOneEdit(a: string, b: string, bEnd = b.length): boolean {
  if (Math.abs(a.length - bEnd) > 1) return false;
  let i = 0;
  while (i < a.length && i < bEnd && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === a.length && i === bEnd) return true;
  if (a.length === bEnd) {
    if (sameFrom(a, i + 1, b, 0, bEnd)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && sameFrom(a, i + 2, b, 0, bEnd);
  }
  // One character more in a: skip it in a; one more in b: skip it in b.
  return a.length > bEnd ? sameFrom(a, i + 1, b, -1, bEnd) : sameFrom(a, i, b, 1, bEnd);
}
