import crypto from 'node:crypto';
import fc from 'fast-check';
import { z } from 'zod';

/**
 * Hostile input for every string a route accepts. A route's zod schema is turned into JSON
 * Schema; from it a plausible value is built (so that input reaches past validation where it
 * can) and every position that takes a string is listed, to be replaced by a hostile one.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  minLength?: number;
  minItems?: number;
  default?: unknown;
}

export type Path = Array<string | number>;

export function jsonSchemaOf(schema: unknown): JsonSchema | null {
  // An empty registry: the schemas named for /openapi.json (src/shared/openapi.ts) would otherwise
  // come out as $refs, and the generators here walk plain nested schemas.
  return schema
    ? (z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any', metadata: z.registry() }) as JsonSchema)
    : null;
}

/** Ids that must not matter: random ones, and another workspace's (to catch leaks). */
export interface ValueContext {
  uuid: () => string;
}

const STRING_BY_FORMAT: Record<string, () => string> = {
  email: () => 'probe@hostile.example',
  date: () => '2026-03-01',
  'date-time': () => '2026-03-01T10:00:00.000Z',
  uri: () => 'https://hostile.example/',
  url: () => 'https://hostile.example/',
};

function options(schema: JsonSchema): JsonSchema[] {
  return (schema.anyOf ?? schema.oneOf ?? []).filter((option) => option.type !== 'null');
}

const typeOf = (schema: JsonSchema) => [schema.type ?? []].flat().find((type) => type !== 'null');

/**
 * A value the schema probably accepts: with only the required properties (minimal) and with all
 * of them (full); the paths that hold strings anywhere in the full one, and which of those take
 * free text (no format or pattern).
 */
export function plausible(schema: JsonSchema, context: ValueContext): { value: unknown; full: unknown; strings: Path[]; freeText: Path[] } {
  const strings: Path[] = [];
  const freeText: Path[] = [];
  let onlyRequired = false;
  const build = (node: JsonSchema, at: Path): unknown => {
    if (node.const !== undefined) return node.const;
    if (node.enum) return node.enum[0];
    const choices = options(node);
    if (choices.length > 0) return build(choices[0]!, at);
    if (node.allOf?.length) return build(node.allOf[0]!, at);
    switch (typeOf(node)) {
      case 'object': {
        const object: Record<string, unknown> = {};
        for (const [key, property] of Object.entries(node.properties ?? {})) {
          if (onlyRequired && !node.required?.includes(key)) continue;
          object[key] = build(property, [...at, key]);
        }
        return object;
      }
      case 'array':
        if (node.prefixItems) return node.prefixItems.map((item, i) => build(item, [...at, i]));
        return node.items ? [build(node.items, [...at, 0])] : [];
      case 'integer':
      case 'number':
        return node.minimum ?? 1;
      case 'boolean':
        return false;
      case 'string': {
        if (!onlyRequired) strings.push(at);
        if (!onlyRequired && !node.format && !node.pattern) freeText.push(at);
        if (node.format === 'uuid') return context.uuid();
        const byFormat = node.format ? STRING_BY_FORMAT[node.format] : undefined;
        if (byFormat) return byFormat();
        return 'probe'.padEnd(Math.max(node.minLength ?? 1, 5), 'e');
      }
      default:
        return node.default ?? null;
    }
  };
  const full = build(schema, []);
  onlyRequired = true;
  return { value: build(schema, []), full, strings, freeText };
}

/**
 * The minimal value with the string at path replaced; the optional properties on the way are
 * taken from the full value, so exactly one optional field is added.
 */
export function withStringAt(minimal: unknown, full: unknown, path: Path, replacement: string): unknown {
  if (path.length === 0) return replacement;
  const base = (minimal ?? full) as any;
  const copy: any = Array.isArray(base) ? [...base] : { ...base };
  const key = path[0]!;
  copy[key] = withStringAt(copy[key], (full as any)?.[key], path.slice(1), replacement);
  return copy;
}

/** Tried on every string field of every route, whatever the random runs pick. */
export const ALWAYS_TRIED = ['nul\u0000byte', "' OR '1'='1' --", '\uD800', '<script>window.__xss=1</script>', 'x'.repeat(300_000)];

/** SQL metacharacters, injection classics, control and odd unicode, and sizes past every limit. */
const CLASSICS = [
  "' OR '1'='1",
  "'; DROP TABLE contacts; --",
  "' UNION SELECT id, email FROM users --",
  '" OR ""="',
  "\\'; select pg_sleep(3); --",
  '%',
  '_%_',
  '\\',
  '$1',
  '\u0000',
  'nul\u0000byte',
  '\uD800',
  '\uFFFE\uFFFF',
  '\u202Egnp.exe',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'Ｆｕｌｌｗｉｄｔｈ',
  '<script>window.__xss=1</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}',
  '../../../../etc/passwd',
  'line\r\nSet-Cookie: injected=1',
  '=HYPERLINK("http://evil.example")',
  ' ',
  '',
  'NaN',
  '1e309',
  '-0',
  '00000000-0000-0000-0000-000000000000',
  'probe@hostile.example\u0000.other',
  "o'brien@hostile.example",
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...CLASSICS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom(...CLASSICS), fc.constantFrom('probe', 'probe@hostile.example')).map(([a, b]) => `${b}${a}`),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
);

export const randomUuid = () => crypto.randomUUID();
