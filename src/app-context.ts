import type { Config } from './config.ts';
import type { KeyService } from './crypto/keys.ts';
import type { Database } from './db/connection.ts';
import type { JobWorker } from './jobs/queue.ts';
import type { Mailer } from './mail/mailer.ts';
import type { PeopleDirectory } from './search/directory.ts';

/** The long-lived services a request or a job works with. Holds no per-request state. */
export interface AppContext {
  config: Config;
  db: Database;
  keys: KeyService;
  mailer: Mailer;
  /** The job queue worker: started by `lawful serve`; tests drain it by hand. */
  jobs: JobWorker;
  /** This node's in-memory directory of people's names, for search and name order (src/search/). */
  people: PeopleDirectory;
}
