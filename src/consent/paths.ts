import type { PersonType } from '../db/types-consent.ts';

/** The API collections of the two kinds of person records, under the API's prefix. */
export const PERSON_RECORDS_PATHS: ReadonlyArray<{ type: PersonType; path: string }> = [
  { type: 'contact', path: '/contacts' },
  { type: 'lead', path: '/leads' },
];
