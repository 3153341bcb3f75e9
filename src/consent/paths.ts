import type { PersonType } from '../db/types-consent.ts';

/** The API collections of the two kinds of person records. */
export const PERSON_RECORDS_PATHS: ReadonlyArray<{ type: PersonType; path: string }> = [
  { type: 'contact', path: '/api/v1/contacts' },
  { type: 'lead', path: '/api/v1/leads' },
];
