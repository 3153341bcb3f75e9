import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Phone numbers as people write them, read with libphonenumber-js (Google's libphonenumber
 * metadata): international numbers must be real ones for their country, national numbers are
 * read with the record's country when known, and an extension ("ext. 12", "x12", ";ext=12",
 * RFC 3966) is part of a valid number, not a reason to refuse it.
 */

export const PLAIN_PHONE = /^\+?[0-9 ().\-/]{3,40}$/;

/**
 * A number as it is kept: as written when that is already international, in international form
 * when it had to be read with the region or carries an extension (so it reads the same anywhere),
 * as written when it is national and no region is known.
 */
export function readPhone(value: string, region?: string | null): { ok: true; phone: string } | { ok: false } {
  const written = value.trim();
  const parsed = parsePhoneNumberFromString(written, region ? { defaultCountry: region as CountryCode } : {});
  if (parsed?.isValid()) return { ok: true, phone: parsed.ext || !written.startsWith('+') ? parsed.format('INTERNATIONAL') : written };
  // A national number with no country to read it by: kept as written, it cannot be checked.
  if (!written.startsWith('+') && !written.startsWith('00') && !region && PLAIN_PHONE.test(written)) return { ok: true, phone: written };
  return { ok: false };
}

/** What the blind index and matching see of a number: its extension is not part of whom it reaches first. */
export function withoutExtension(value: string): string {
  return value.replace(/\s*(?:;\s*ext=|ext\.?|extension|x|#)\s*\d{1,10}\s*$/i, '');
}
