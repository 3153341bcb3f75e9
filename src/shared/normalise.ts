import { withoutExtension } from './phones.ts';

/** Normalisation shared by storage, blind indexes and matching, so equal inputs always meet. */

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A phone number as its blind index sees it: digits only, with a leading + kept (00 read as +),
 * so "+49 30 555-0199" and "+493055501 99" meet. Numbers written without their country code do
 * not meet their international form; an extension is left out; null when no digit remains.
 */
export function normalisePhone(phone: string): string | null {
  const compact = withoutExtension(phone.trim())
    .replace(/^00/, '+')
    .replace(/[^\d+]/g, '');
  const digits = compact.replace(/\+/g, '');
  return digits.length === 0 ? null : `${compact.startsWith('+') ? '+' : ''}${digits}`;
}

/** The distinct normalised forms of a person's phone numbers: what their blind indexes are of. */
export function phoneKeys(phones: readonly string[]): string[] {
  return [...new Set(phones.map(normalisePhone).filter((phone): phone is string => phone !== null))];
}

/** "https://www.Acme.com/about" → "acme.com"; null when nothing domain-like remains. */
export function normaliseDomain(input: string): string | null {
  let value = input.trim().toLowerCase();
  value = value.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  value = value.split(/[/?#]/)[0] ?? '';
  value = value.replace(/^www\./, '').replace(/\.$/, '');
  if (value.includes('@')) value = value.split('@').pop() ?? '';
  return /^[a-z0-9.-]+\.[a-z]{2,}$/.test(value) ? value : null;
}

/** Lower case, accents removed, split on anything that is not a letter or digit. */
export function nameTokens(...parts: Array<string | null | undefined>): string[] {
  const tokens = parts
    .filter((part): part is string => Boolean(part))
    .join(' ')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length > 0);
  return [...new Set(tokens)];
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (match) => `\\${match}`);
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  try {
    return regionNames.of(code) !== code;
  } catch {
    return false;
  }
}

const currencies = new Set(Intl.supportedValuesOf('currency'));
export function isCurrencyCode(code: string): boolean {
  return currencies.has(code);
}
