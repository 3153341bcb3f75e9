import type { PersonSealer } from '../crypto/sealer.ts';
import { nameTokens, phoneKeys } from '../shared/normalise.ts';

/** The person fields of a contact, in clear. */
export interface ContactPerson {
  firstName: string | null;
  lastName: string | null;
  emails: string[];
  phones: string[];
  jobTitle: string | null;
  customPersonal: Record<string, unknown>;
}

/** Ciphertexts and blind indexes of a contact's person fields, under the contact's own key. */
/** (Its own module: import sealing workers load it without the rest of the CRM.) */
export async function sealContact(work: { sealer: PersonSealer }, id: string, person: ContactPerson) {
  const s = work.sealer;
  return {
    first_name_enc: await s.seal(id, 'contacts.first_name', person.firstName),
    last_name_enc: await s.seal(id, 'contacts.last_name', person.lastName),
    emails_enc: await s.seal(id, 'contacts.emails', person.emails),
    phones_enc: await s.seal(id, 'contacts.phones', person.phones),
    job_title_enc: await s.seal(id, 'contacts.job_title', person.jobTitle),
    custom_personal_enc:
      Object.keys(person.customPersonal).length > 0 ? await s.seal(id, 'contacts.custom_personal', person.customPersonal) : null,
    email_index: await s.indexAll('email', person.emails),
    phone_index: await s.indexAll('phone', phoneKeys(person.phones)),
    name_index: await s.indexAll('name', nameTokens(person.firstName, person.lastName)),
  };
}
