import path from 'node:path';
import type { AppContext } from './app-context.ts';
import type { Config } from './config.ts';
import { fillPhoneIndexes } from './crm/phone-index.ts';
import { KeyService, masterKeysInUse } from './crypto/keys.ts';
import { loadKeyring, MasterKeyError, type MasterKeyProvider } from './crypto/master-keys.ts';
import { openDatabase, type Database } from './db/connection.ts';
import { migrate } from './db/migrate.ts';
import { assertAppRoleIsConfined } from './db/tenant.ts';
import { JobWorker } from './jobs/queue.ts';
import { HANDLERS, SCHEDULES } from './schedules.ts';
import { PeopleDirectory } from './search/directory.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';

export interface BootOptions {
  /** Migrate before use (serve, seed); `lawful migrate` does it explicitly. */
  migrate?: boolean;
  db?: Database;
  master?: MasterKeyProvider;
  mailer?: Mailer;
}

export function embeddedDataDir(config: Config): string {
  return path.join(config.dataDir, 'pglite');
}

/**
 * Opens the database and the keys and checks that the installation is safe to run: schema
 * migrated, app role confined by row-level security, every master key the data needs present.
 */
export async function boot(config: Config, options: BootOptions = {}): Promise<AppContext & { keySource: string; keyCreated: boolean }> {
  const embedded = !config.databaseUrl;
  let keySource = 'provided';
  let keyCreated = false;
  let master = options.master;
  if (!master) {
    const loaded = loadKeyring({ env: process.env, keyFile: config.masterKeyFile, createIfMissing: embedded });
    master = loaded.keyring;
    keySource = loaded.source;
    keyCreated = loaded.created;
  }
  const db = options.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: embeddedDataDir(config) }));
  try {
    if (options.migrate ?? true) await migrate(db);
    await assertAppRoleIsConfined(db);
    const missing = (await masterKeysInUse(db)).filter((id) => !master.knows(id));
    if (missing.length > 0) {
      throw new MasterKeyError(`The database holds keys wrapped by master key(s) ${missing.join(', ')}, which are not configured.`);
    }
  } catch (error) {
    if (!options.db) await db.close();
    throw error;
  }
  const keys = new KeyService(master);
  await keys.loadSystemKey(db);
  const mailer =
    options.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, outboxDir: path.join(config.dataDir, 'outbox') });
  const app = { config, db, keys, mailer, people: new PeopleDirectory(db, keys) } as AppContext;
  app.jobs = new JobWorker(app, HANDLERS, SCHEDULES);
  if (options.migrate ?? true) {
    await app.jobs.installSchedules();
    await fillPhoneIndexes(app);
  }
  return Object.assign(app, { keySource, keyCreated });
}
