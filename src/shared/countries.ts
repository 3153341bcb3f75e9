import { isCountryCode } from './normalise.ts';

/**
 * Countries as exports write them: ISO 3166-1 alpha-2 codes, and names in the languages of the
 * CRMs' users (HubSpot's "Country/Region" holds "Germany", a German Salesforce org's
 * "Mailing Country" holds "Deutschland"). Names come from the ICU data Node ships
 * (Intl.DisplayNames), compared without case or accents.
 */

const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'da'];
/** Names people write that ICU does not give. */
const COMMON_NAMES: Record<string, string> = {
  usa: 'US',
  'u.s.a.': 'US',
  'u.s.': 'US',
  america: 'US',
  uk: 'GB',
  'great britain': 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  holland: 'NL',
};

/** Codes ICU still names though they are gone (East Germany, Yugoslavia, …): a name must find the country of today. */
const RETIRED = new Set(['DD', 'YU', 'CS', 'ZR', 'TP', 'BU', 'SU', 'FX', 'AN', 'NT', 'UK', 'EU', 'UN', 'EZ', 'QO']);

const folded = (name: string) => name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

const BY_NAME = new Map<string, string>(Object.entries(COMMON_NAMES));
for (const language of LANGUAGES) {
  const names = new Intl.DisplayNames([language], { type: 'region' });
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (!isCountryCode(code) || RETIRED.has(code)) continue;
      const name = names.of(code);
      if (name && name !== code && !BY_NAME.has(folded(name))) BY_NAME.set(folded(name), code);
    }
  }
}

/** "de", "DE", "Germany", "Deutschland", "Allemagne" → "DE"; anything else → null. */
export function countryCode(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (isCountryCode(trimmed.toUpperCase())) return trimmed.toUpperCase();
  return BY_NAME.get(folded(trimmed)) ?? null;
}

/** EU/EEA member states: the GDPR's reach (no transfer within it; the EU profile's countries). */
export const EEA = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);
