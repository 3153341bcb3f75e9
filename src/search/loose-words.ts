import { MIN_FUZZY, MIN_INFIX } from './matching.ts';

/** Words by a key. */
class WordLists {
  private readonly lists = new Map<string, string[]>();

  add(key: string, word: string): void {
    const list = this.lists.get(key);
    if (list) list.push(word);
    else this.lists.set(key, [word]);
  }

  remove(key: string, word: string): void {
    const list = this.lists.get(key);
    const at = list?.indexOf(word) ?? -1;
    if (at < 0) return;
    list!.splice(at, 1);
    if (list!.length === 0) this.lists.delete(key);
  }

  get(key: string): readonly string[] {
    return this.lists.get(key) ?? [];
  }
}

/**
 * The distinct words of a directory, indexed so that the words a query word may match by a piece
 * or a typo (matching.ts) are found without comparing it with every word: at a million people,
 * a pass over 107,000 word strings scattered over the heap took 40 to 80 ms, most of it waiting
 * on memory.
 *
 * - A piece of three letters or more holds each of its trigrams: the words listed under its
 *   rarest trigram are all that can hold it.
 * - A typo is one edit (Damerau–Levenshtein) between the query word, four letters or more, and
 *   the beginning of a word. Where the edit is decides what the word's first letters can be,
 *   made of the query's first five (t0 t1 t2 t3 t4; "?" is any letter): at the first letter,
 *   ? t1 t2 t3 (replaced), ? t0 t1 t2 (inserted), t1 t2 t3 (dropped), t1 t0 t2 (swapped); at the
 *   second, t0 ? t2 t3, t0 ? t1 t2, t0 t2 t3, t0 t2 t1; at the third, t0 t1 ? t3, t0 t1 ? t2,
 *   t0 t1 t3, t0 t1 t3 t2; at the fourth, t0 t1 t2 ? t4, t0 t1 t2 ? t3, t0 t1 t2 t4,
 *   t0 t1 t2 t4 t3; further on, t0 t1 t2 t3 (a query word of four letters: t0 t1 t2, the fourth
 *   letter's edits included). Those without "?" are prefixes, found in the sorted words; the
 *   others in lists keyed by the letters around the "?".
 */
export class LooseWords {
  private readonly byTrigram = new WordLists();
  /** Keyed by a word's first four letters but the first, the second or the third; or its first five but the fourth. */
  private readonly withoutFirst = new WordLists();
  private readonly withoutSecond = new WordLists();
  private readonly withoutThird = new WordLists();
  private readonly withoutFourth = new WordLists();

  /** A word not held yet. */
  add(word: string): void {
    for (const [lists, key] of this.keysOf(word)) lists.add(key, word);
  }

  remove(word: string): void {
    for (const [lists, key] of this.keysOf(word)) lists.remove(key, word);
  }

  /**
   * Every word the token may match as a piece or a typo (and some it does not: the caller
   * compares each), once each. withPrefix gives the words starting with a prefix.
   */
  candidates(token: string, withPrefix: (prefix: string) => Iterable<string>): Set<string> {
    const found = new Set<string>();
    const addAll = (words: Iterable<string>) => {
      for (const word of words) found.add(word);
    };
    if (token.length >= MIN_INFIX) {
      let rarest: readonly string[] | undefined;
      for (let i = 0; i + 3 <= token.length; i++) {
        const words = this.byTrigram.get(token.slice(i, i + 3));
        if (!rarest || words.length < rarest.length) rarest = words;
      }
      addAll(rarest!);
    }
    if (token.length >= MIN_FUZZY) {
      // In UTF-16 units, as matching.ts compares.
      const [t0, t1, t2, t3, t4] = [token[0]!, token[1]!, token[2]!, token[3]!, token[4]];
      const prefixes = [t1 + t2 + t3, t1 + t0 + t2, t0 + t2 + t3, t0 + t2 + t1, t0 + t1 + t3, t0 + t1 + t3 + t2];
      if (t4 === undefined) prefixes.push(t0 + t1 + t2);
      else prefixes.push(t0 + t1 + t2 + t4, t0 + t1 + t2 + t4 + t3, t0 + t1 + t2 + t3);
      for (const prefix of prefixes) addAll(withPrefix(prefix));
      addAll(this.withoutFirst.get(t1 + t2 + t3));
      addAll(this.withoutFirst.get(t0 + t1 + t2));
      addAll(this.withoutSecond.get(t0 + t2 + t3));
      addAll(this.withoutSecond.get(t0 + t1 + t2));
      addAll(this.withoutThird.get(t0 + t1 + t3));
      addAll(this.withoutThird.get(t0 + t1 + t2));
      if (t4 !== undefined) {
        addAll(this.withoutFourth.get(t0 + t1 + t2 + t4));
        addAll(this.withoutFourth.get(t0 + t1 + t2 + t3));
      }
    }
    return found;
  }

  private *keysOf(word: string): Generator<[WordLists, string]> {
    const trigrams = new Set<string>();
    for (let i = 0; i + 3 <= word.length; i++) trigrams.add(word.slice(i, i + 3));
    for (const trigram of trigrams) yield [this.byTrigram, trigram];
    if (word.length < 4) return;
    const [w0, w1, w2, w3] = [word[0]!, word[1]!, word[2]!, word[3]!];
    yield [this.withoutFirst, w1 + w2 + w3];
    yield [this.withoutSecond, w0 + w2 + w3];
    yield [this.withoutThird, w0 + w1 + w3];
    if (word.length >= 5) yield [this.withoutFourth, w0 + w1 + w2 + word[4]];
  }
}
