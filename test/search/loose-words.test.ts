import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LooseWords } from '../../src/search/loose-words.ts';
import { matchWord } from '../../src/search/matching.ts';

/** Every string of these letters, of these lengths in letters. */
function allWords(letters: string, lengths: number[]): string[] {
  const words: string[] = [];
  const grow = (prefix: string, left: number) => {
    if (left === 0) words.push(prefix);
    else for (const letter of letters) grow(prefix + letter, left - 1);
  };
  for (const length of lengths) grow('', length);
  return words;
}

function candidatesOf(loose: LooseWords, words: readonly string[], token: string): Set<string> {
  return loose.candidates(token, (prefix) => words.filter((word) => word.startsWith(prefix)));
}

describe('words found by a piece or a typo', () => {
  // Few letters, every arrangement: each kind of edit at each position (matching.ts) meets words
  // it turns the query into, and words it does not.
  const words = allWords('abc', [1, 2, 3, 4, 5, 6, 7]);
  const tokens = allWords('abcd', [3, 4, 5]);

  it('proposes every word a query word matches by a piece or a typo, comparing it with a fraction of them', () => {
    const loose = new LooseWords();
    for (const word of words) loose.add(word);
    let proposed = 0;
    for (const token of tokens) {
      const candidates = candidatesOf(loose, words, token);
      proposed += candidates.size;
      for (const word of words) {
        const match = matchWord(token, word);
        if (match && (match.kind === 'infix' || match.kind === 'fuzzy'))
          assert.ok(candidates.has(word), `"${token}" ${match.kind} "${word}"`);
      }
    }
    assert.ok(proposed < (tokens.length * words.length) / 4, `${proposed} proposals`);
  });

  it('counts letters outside the Basic Multilingual Plane in UTF-16 units, as the matching does', () => {
    const astral = allWords('ab\u{20000}', [1, 2, 3, 4, 5]);
    const loose = new LooseWords();
    for (const word of astral) loose.add(word);
    for (const token of allWords('ab\u{20000}c', [2, 3])) {
      const candidates = candidatesOf(loose, astral, token);
      for (const word of astral) {
        const match = matchWord(token, word);
        if (match && (match.kind === 'infix' || match.kind === 'fuzzy'))
          assert.ok(candidates.has(word), `"${token}" ${match.kind} "${word}"`);
      }
    }
  });

  it('forgets the words removed', () => {
    const loose = new LooseWords();
    for (const word of words) loose.add(word);
    const removed = new Set(words.filter((_, i) => i % 3 === 0));
    for (const word of removed) loose.remove(word);
    const kept = words.filter((word) => !removed.has(word));
    for (const token of tokens) {
      const candidates = candidatesOf(loose, kept, token);
      for (const word of candidates) assert.ok(!removed.has(word), `"${word}" was removed`);
      for (const word of kept) {
        const match = matchWord(token, word);
        if (match && (match.kind === 'infix' || match.kind === 'fuzzy'))
          assert.ok(candidates.has(word), `"${token}" ${match.kind} "${word}"`);
      }
    }
  });
});
