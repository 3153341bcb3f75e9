import { Readable } from 'node:stream';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { AppError, badRequest } from '../http/errors.ts';

/**
 * A CSV file's bytes as text, whatever the tool that wrote it: the encoding from its byte order
 * mark, else UTF-8 when the start of the file is valid UTF-8, else what chardet makes of it
 * (Excel and Salesforce reports on Windows write Windows-1252, which chardet names ISO-8859-1:
 * Windows-1252 is its superset, with € and the curly quotes). The delimiter is the one of
 * , ; tab | that the header row uses most (Excel in much of Europe writes ;). Either can be named
 * instead. A byte that is not a character of the encoding refuses the file: nothing is imported
 * with replacement characters.
 */

export const DELIMITERS = { comma: ',', semicolon: ';', tab: '\t', pipe: '|' } as const;
export type DelimiterName = keyof typeof DELIMITERS;

export interface TextFormat {
  /** The encoding the file is read in, as iconv-lite names it (utf-8, utf-16le, windows-1252, …). */
  encoding: string;
  /** How it was chosen: named by the caller, the byte order mark, valid UTF-8, or chardet's guess. */
  encodingFrom: 'given' | 'bom' | 'valid-utf-8' | 'detected';
  delimiter: DelimiterName;
  delimiterFrom: 'given' | 'detected';
}

/** How much of the file the guesses look at. */
const SAMPLE_BYTES = 64 * 1024;

const BOMS: Array<[bytes: number[], encoding: string]> = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
];

const unsupported = (message: string) => new AppError(415, 'unsupported_media_type', message);

export function isKnownEncoding(name: string): boolean {
  return iconv.encodingExists(name);
}

function bomOf(head: Buffer): string | null {
  return BOMS.find(([bytes]) => bytes.every((byte, at) => head[at] === byte))?.[1] ?? null;
}

/** Valid UTF-8 up to the sample's end (a character cut by the sample's end is not a fault). */
function isUtf8(head: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function detectEncoding(head: Buffer): { encoding: string; from: TextFormat['encodingFrom'] } {
  const bom = bomOf(head);
  if (bom) return { encoding: bom, from: 'bom' };
  // NUL bytes are valid UTF-8, but they mean UTF-16 without its mark (chardet names it) or binary content.
  if (isUtf8(head) && !head.includes(0)) return { encoding: 'utf-8', from: 'valid-utf-8' };
  const guess = (chardet.detect(head) ?? '').toLowerCase();
  if (guess.startsWith('utf-16') || guess.startsWith('utf-32')) return { encoding: guess, from: 'detected' };
  const encoding = guess === 'iso-8859-1' || !iconv.encodingExists(guess) ? 'windows-1252' : guess;
  return { encoding, from: 'detected' };
}

/** The delimiter the header row uses most, outside quotes; a comma when it names a single column. */
export function detectDelimiter(text: string): DelimiterName {
  const counts = new Map<DelimiterName, number>();
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted) {
      const name = (Object.keys(DELIMITERS) as DelimiterName[]).find((key) => DELIMITERS[key] === char);
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  let best: DelimiterName = 'comma';
  for (const [name, count] of counts) if (count > (counts.get(best) ?? 0)) best = name;
  return best;
}

/**
 * Decodes the file as it streams. Text is refused at the first byte that is not a character of
 * the encoding, or at a replacement character already in it (left by an earlier conversion),
 * with the line it is on.
 */
function decoded(chunks: AsyncIterable<Buffer>, encoding: string): Readable {
  const utf8 = encoding === 'utf-8';
  const decoder = utf8 ? new TextDecoder('utf-8', { fatal: true }) : iconv.getDecoder(encoding);
  let line = 1;
  const checked = (text: string) => {
    const bad = text.indexOf('\uFFFD');
    if (bad >= 0) {
      line += text.slice(0, bad).split('\n').length - 1;
      throw notIn(encoding, line);
    }
    line += text.split('\n').length - 1;
    return text;
  };
  const decode = (chunk: Buffer) => {
    try {
      return decoder instanceof TextDecoder ? decoder.decode(chunk, { stream: true }) : decoder.write(chunk);
    } catch {
      // The line of the first byte that is not UTF-8: where a lenient reading puts its replacement character.
      const lenient = new TextDecoder('utf-8').decode(chunk);
      throw notIn(encoding, line + (lenient.slice(0, Math.max(0, lenient.indexOf('\uFFFD'))).match(/\n/g)?.length ?? 0));
    }
  };
  return Readable.from(
    (async function* () {
      let first = true;
      for await (const chunk of chunks) {
        let text = checked(decode(chunk));
        // iconv-lite keeps a UTF-16 byte order mark as U+FEFF; TextDecoder drops UTF-8's.
        if (first && text.startsWith('\uFEFF')) text = text.slice(1);
        first = false;
        if (text) yield text;
      }
      const rest = checked(decoder instanceof TextDecoder ? decoder.decode() : (decoder.end() ?? ''));
      if (rest) yield rest;
    })(),
    { objectMode: false },
  );
}

function notIn(encoding: string, line: number) {
  const hint =
    encoding === 'utf-8'
      ? ' Save it again as "CSV UTF-8", or name its encoding (e.g. encoding=windows-1252).'
      : ' Name its encoding (e.g. encoding=utf-8).';
  return badRequest(
    `The file is not valid ${encoding} text at line ${line}: it would be imported with replacement characters (�).${hint}`,
    { field: 'encoding', encoding, line },
  );
}

/** Reads the start of the file, decides its encoding and delimiter, and gives back the whole file as text. */
export async function openCsvText(
  input: AsyncIterable<Buffer | string>,
  given: { encoding?: string | undefined; delimiter?: DelimiterName | undefined } = {},
): Promise<{ text: Readable; format: TextFormat }> {
  if (given.encoding && !iconv.encodingExists(given.encoding))
    throw badRequest(`Unknown encoding "${given.encoding}"; use e.g. utf-8, utf-16le, windows-1252, iso-8859-15.`, { field: 'encoding' });
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < SAMPLE_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    size += chunk.length;
  }
  const sample = Buffer.concat(head);
  const { encoding, from } = given.encoding ? { encoding: given.encoding.toLowerCase(), from: 'given' as const } : detectEncoding(sample);
  const chunks = (async function* () {
    yield sample;
    if (done) return;
    for (let next = await iterator.next(); !next.done; next = await iterator.next())
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
  })();
  const start = iconv.decode(sample.subarray(0, 8192), encoding);
  // Control characters other than tab and line ends: a spreadsheet (.xlsx is a zip), an image, …
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(start))
    throw unsupported('The file is not text; export it from your spreadsheet as CSV (UTF-8).');
  const delimiter = given.delimiter ?? detectDelimiter(start);
  return {
    text: decoded(chunks, encoding),
    format: { encoding, encodingFrom: from, delimiter, delimiterFrom: given.delimiter ? 'given' : 'detected' },
  };
}
