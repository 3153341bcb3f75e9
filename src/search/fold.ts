/**
 * Text as search compares it: decomposed (NFKD), accents dropped, lower case, so "Zoë", "ZOE" and
 * "zoe" are one word. Folding keeps, for every folded character, where it came from in the
 * original, so a match can be highlighted in the text as the person wrote it.
 */
export interface FoldedText {
  folded: string;
  /** origin[i]: index in the original text of folded character i; origin[folded.length] = original length. */
  origin: number[];
}

const MARKS = /\p{M}/gu;

export function fold(text: string): string {
  return text.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

export function foldWithOrigin(text: string): FoldedText {
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of text) {
    const piece = fold(char);
    for (let i = 0; i < piece.length; i++) origin.push(index);
    folded += piece;
    index += char.length;
  }
  origin.push(index);
  return { folded, origin };
}

export interface Word {
  text: string;
  /** Where the word starts in the folded text. */
  start: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** The words of a folded text: letters and digits, split at everything else ("o'keefe" → o, keefe). */
export function wordsOf(folded: string): Word[] {
  return [...folded.matchAll(WORD)].map((match) => ({ text: match[0], start: match.index }));
}

/** The words of a query, each folded; duplicates dropped. */
export function queryWords(query: string): string[] {
  return [...new Set(wordsOf(fold(query)).map((word) => word.text))];
}
