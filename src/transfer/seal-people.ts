import { sealContact, type ContactPerson } from '../crm/contact-sealing.ts';
import { offlineKeysFrom, type WorkspaceKeys } from '../crypto/keys.ts';
import { NewPeopleSealer } from '../crypto/sealer.ts';

/** What a sealing worker is given: the workspace's keys and the people of part of a batch, in clear. */
export interface SealTask {
  keys: WorkspaceKeys;
  people: ContactPerson[];
}

/** One person sealed: a new id, their new key (in clear, and wrapped), their ciphertexts and blind indexes. */
export interface SealedPerson {
  id: string;
  key: Uint8Array;
  wrappedKey: Uint8Array;
  sealed: Awaited<ReturnType<typeof sealContact>>;
}

/** The work of a sealing worker (seal-worker.mjs), also what runs in-process when there is no pool. */
export async function sealPeople(task: SealTask): Promise<SealedPerson[]> {
  const sealer = new NewPeopleSealer(offlineKeysFrom(task.keys));
  const sealed: SealedPerson[] = [];
  for (const person of task.people) {
    const id = sealer.newPerson();
    const fields = await sealContact({ sealer }, id, person);
    const [subject] = sealer.take([id]);
    sealed.push({ id, key: subject!.key, wrappedKey: subject!.wrappedKey, sealed: fields });
  }
  return sealed;
}
