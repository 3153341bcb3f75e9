import path from 'node:path';
import { Command, Option } from 'commander';
import { describeFailure } from './failure.ts';
import { chainOf, listBackups, rowCounts, verifyBackup, writeBackup } from '../backup/archive.ts';
import { restoreBackup } from '../backup/restore.ts';
import { citusLayout, citusStatements } from '../db/citus.ts';
import { anchorAuditChains, defaultAnchorSources, latestAnchors } from '../audit/anchors.ts';
import { verifyAllChains, verifyTenantChain } from '../audit/service.ts';
import { boot } from '../boot.ts';
import { loadConfig } from '../config.ts';
import { randomKey } from '../crypto/aead.ts';
import { rotateMasterKey, rotateTenantDataKey } from '../crypto/keys.ts';
import { loadKeyring, readKeyFile, writeKeyFile, LocalKeyring } from '../crypto/master-keys.ts';
import { openDatabase } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { embeddedDataDir } from '../boot.ts';
import { loggerOptions } from '../http/app.ts';
import { buildApp } from '../server.ts';
import { isEmpty, seedDemo } from '../seed/demo.ts';
import { IMPORT_OBJECTS, ON_DUPLICATE, type ImportObject } from '../transfer/import.ts';
import { runImport, type ImportCommandOptions } from './import.ts';
import { DELIMITERS } from '../transfer/import-text.ts';

const program = new Command();
program
  .name('lawful')
  .description('Lawful CRM: a CRM that is GDPR compliant by construction.\nConfiguration comes from the environment (see README).')
  .showHelpAfterError();

function printCredentials(seed: { email: string; password?: string; workspace: string; counts?: Record<string, number> }) {
  const counts = seed.counts
    ? Object.entries(seed.counts)
        .map(([what, n]) => `${n} ${what}`)
        .join(', ')
    : '';
  console.log(
    [
      '',
      `  Demo workspace created${counts ? ` with ${counts}` : ''}. Sign in with (shown only this once):`,
      `    workspace: ${seed.workspace}`,
      `    email:     ${seed.email}`,
      `    password:  ${seed.password}`,
      '',
    ].join('\n'),
  );
}

program
  .command('serve')
  .description('Migrate the database and start the HTTP server (embedded PGlite in ./data unless DATABASE_URL is set)')
  .addOption(new Option('-p, --port <port>', 'port to listen on').env('PORT'))
  .addOption(new Option('-H, --host <host>', 'address to bind').env('HOST'))
  .option('--no-seed', 'do not create the demo workspace on an empty embedded database')
  .action(async (options: { port?: string; host?: string; seed: boolean }) => {
    const config = loadConfig({
      ...process.env,
      ...(options.port ? { PORT: options.port } : {}),
      ...(options.host ? { HOST: options.host } : {}),
    });
    const app = await boot(config);
    if (app.keyCreated) console.log(`Created the master key in ${app.keySource}. Back it up: without it the data cannot be decrypted.`);
    if (!config.databaseUrl && options.seed && (await isEmpty(app))) {
      console.log('First start: creating the demo workspace (about half a minute)…');
      printCredentials(await seedDemo(app));
    }
    const server = await buildApp(app, { logger: loggerOptions(config.logLevel) });
    const shutdown = async () => {
      await server.close();
      await app.jobs.stop();
      await app.db.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    const address = await server.listen({ port: config.port, host: config.host });
    app.jobs.start(Number(process.env.LAWFUL_JOB_POLL_MS ?? 1000));
    app.people
      .warm()
      .catch((error: unknown) => console.error('Loading the search directory failed; it loads on first search instead:', error));
    console.log(
      `Lawful CRM listening on ${address} (API docs at ${address}/docs, database: ${config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'})`,
    );
    if (!config.smtpUrl) {
      console.warn(
        `WARNING: mail is not delivered. LAWFUL_SMTP_URL is not set, so every e-mail (invitations, confirmation links, privacy-portal sign-in links, campaigns) is written to ${path.join(config.dataDir, 'outbox')} and shown on the Outbox page; forward what a person is waiting for, or set LAWFUL_SMTP_URL.`,
      );
    }
  });

program
  .command('migrate')
  .description('Apply pending SQL migrations from migrations/ (refuses if an applied file changed)')
  .action(async () => {
    const config = loadConfig();
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: embeddedDataDir(config) });
    try {
      const { applied } = await migrate(db);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    } finally {
      await db.close();
    }
  });

program
  .command('citus-plan')
  .description(
    'Print the Citus statements that shard the migrated schema by workspace (see docs/scaling.md); exits 1 if a foreign key stands in the way',
  )
  .action(async () => {
    const config = loadConfig();
    const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: embeddedDataDir(config) });
    try {
      const layout = await citusLayout(db);
      for (const problem of layout.problems) console.error(`-- cannot shard: ${problem}`);
      for (const statement of citusStatements(layout)) console.log(statement);
      process.exitCode = layout.problems.length > 0 ? 1 : 0;
    } finally {
      await db.close();
    }
  });

program
  .command('seed')
  .description('Create demo data')
  .requiredOption('--demo', 'create the demo workspace with an Administrator login')
  .action(async () => {
    const app = await boot(loadConfig());
    try {
      console.log('Creating the demo workspace…');
      const seed = await seedDemo(app);
      if (seed.created) printCredentials(seed);
      else console.log(`The demo workspace "${seed.workspace}" already exists; nothing to do.`);
    } finally {
      await app.db.close();
    }
  });

program
  .command('import')
  .description(
    'Import a CSV file of contacts, accounts, leads or opportunities, with a progress bar (deduplicated: re-running a file is safe)',
  )
  .argument('<object>', 'contacts, accounts, leads or opportunities')
  .argument('<file>', 'the .csv file')
  .requiredOption('-w, --workspace <slug>', 'workspace to import into')
  .option('--as <email>', 'member the import is done as (default: the first Administrator)')
  .option('-m, --map <pairs>', 'column mapping "Column=field,Other=field" (fields: see the API docs)')
  .option('--dry-run', 'check and count everything, store nothing')
  .option('--report <file>', 'write the full report (every bad line) as JSON')
  .option(
    '--resumes <import id>',
    'continue an interrupted import of this same file (the id is printed, and listed by GET /api/v1/imports)',
  )
  .option('--encoding <name>', "the file's encoding (utf-8, utf-16le, windows-1252, …) instead of the detected one")
  .option('--delimiter <name>', 'comma, semicolon, tab or pipe, instead of the detected one')
  .option('--strict', 'fail a row with any invalid value, instead of importing it without that value')
  .addOption(
    new Option(
      '--on-duplicate <mode>',
      "a row matching an existing record: skip it, update it (the file's non-empty values win) or fill-empty (only its blanks filled)",
    )
      .choices(ON_DUPLICATE)
      .default('skip'),
  )
  .action(async (object: string, file: string, options: ImportCommandOptions) => {
    if (!IMPORT_OBJECTS.includes(object as ImportObject)) throw new Error(`object must be one of ${IMPORT_OBJECTS.join(', ')}`);
    if (options.delimiter && !(options.delimiter in DELIMITERS))
      throw new Error(`--delimiter must be one of ${Object.keys(DELIMITERS).join(', ')}`);
    const app = await boot(loadConfig());
    try {
      const report = await runImport(app, object as ImportObject, file, options);
      if (report.format)
        console.error(
          `Read as ${report.format.encoding} (${report.format.encodingFrom}), ${report.format.delimiter}-separated (${report.format.delimiterFrom}).`,
        );
      console.log(
        `${report.dryRun ? 'Dry run: would create' : 'Created'} ${report.created} ${object}, ` +
          (report.onDuplicate === 'skip'
            ? `${report.duplicates} duplicates skipped, `
            : `${report.duplicates} matched existing records (${report.updated} updated), `) +
          `${report.accountsCreated} accounts created, ${report.failed} rows failed (of ${report.rows}).` +
          (report.resumed
            ? ` Continued import ${report.resumed.from} after its ${report.resumed.rowsSkipped} rows; in all ${report.resumed.inAll.created} created.`
            : '') +
          (report.importId ? ` Import ${report.importId}.` : ''),
      );
      if (report.leftOut.count > 0)
        console.log(`${report.leftOut.count} rows imported without a value that was not valid (listed in the report).`);
      if (report.skipped.count > 0)
        console.log(
          `${report.skipped.count} rows skipped: ${[...new Set(report.skipped.lines.map((entry) => entry.errors[0]))].join(', ')}.`,
        );
      for (const error of report.errors.slice(0, 20)) console.log(`  line ${error.line}: ${error.errors.join('; ')}`);
      if (report.failed > 20)
        console.log(`  … ${report.failed - 20} more${options.report ? ` in ${options.report}` : ' (use --report FILE for all)'}`);
      process.exitCode = report.failed > 0 ? 2 : 0;
    } finally {
      await app.db.close();
    }
  });

const audit = program.command('audit').description('Audit trail tools');
audit
  .command('verify')
  .description(
    'Walk the hash chain of every workspace (or one), compare it with the latest signed anchor kept outside the database, and report the first broken link',
  )
  .option('-w, --workspace <slug>', 'only this workspace')
  .option('--anchors <location>', 'also read the anchors of the newest backup in this directory or s3:// bucket (a copy kept elsewhere)')
  .action(async (options: { workspace?: string; anchors?: string }) => {
    const app = await boot(loadConfig());
    try {
      const sources = defaultAnchorSources(app.config);
      const { anchors, forged } = await latestAnchors(app.config, sources);
      if (options.anchors) {
        const extra = await latestAnchors(app.config, { backupLocation: options.anchors });
        forged.push(...extra.forged);
        for (const [tenantId, anchor] of extra.anchors) if ((anchors.get(tenantId)?.seq ?? -1) < anchor.seq) anchors.set(tenantId, anchor);
      }
      let results;
      if (options.workspace) {
        const tenant = await app.db.kysely.selectFrom('tenants').select('id').where('slug', '=', options.workspace).executeTakeFirst();
        if (!tenant) throw new Error(`No workspace "${options.workspace}"`);
        results = [await verifyTenantChain(app.db, tenant.id, anchors.get(tenant.id))];
      } else {
        results = await verifyAllChains(app.db, anchors);
      }
      for (const result of results) {
        const anchored = result.anchoredAt ? `, anchored at event ${result.anchoredAt.seq} on ${result.anchoredAt.at}` : ', no anchor yet';
        console.log(
          result.ok
            ? `ok      ${result.tenantId}  ${result.events} events${anchored}`
            : `BROKEN  ${result.tenantId}  at event ${result.brokenAt!.seq}: ${result.brokenAt!.reason}`,
        );
      }
      for (const anchor of forged)
        console.log(
          `FORGED  ${anchor.tenantId}  an anchor of ${anchor.at} (event ${anchor.seq}) is not signed by this installation's anchor key`,
        );
      process.exitCode = results.every((result) => result.ok) && forged.length === 0 ? 0 : 1;
    } finally {
      await app.db.close();
    }
  });

program
  .command('backup')
  .description(
    'Write an encrypted (AES-256-GCM), compressed backup of the whole database with its manifest; older ones beyond the kept days are removed',
  )
  .option('--dir <dir>', 'backup directory or s3://bucket/prefix (default: LAWFUL_BACKUP_DIR, or data/backups)')
  .option('--incremental', 'only what changed since the newest backup (a full backup when there is none to build on)')
  .option('--keep-days <days>', 'days of backups to keep (default: LAWFUL_BACKUP_KEEP_DAYS, or 7)')
  .option('--list', 'list the complete backups instead')
  .action(async (options: { dir?: string; incremental?: boolean; keepDays?: string; list?: boolean }) => {
    const config = loadConfig();
    const location = options.dir ?? config.backupDir;
    if (options.list) {
      for (const b of await listBackups(location)) {
        const { state, written } = rowCounts(b);
        console.log(
          `${b.id}  ${b.kind}${b.base ? ` on ${b.base}` : ''}  ${b.takenAt}  schema ${b.schemaVersion}  ${state} rows${b.kind === 'incremental' ? ` (${written} changed)` : ''}  ${b.data.bytes + b.index.bytes} bytes`,
        );
      }
      return;
    }
    const keepDays = Number(options.keepDays ?? config.backupKeepDays);
    if (!Number.isInteger(keepDays) || keepDays < 1) throw new Error('--keep-days must be a whole number of days, 1 or more');
    const app = await boot(config);
    try {
      const manifest = await writeBackup(app.db, app.keys.master, location, {
        keepDays,
        kind: options.incremental ? 'incremental' : 'full',
      });
      await anchorAuditChains(app.db, app.config, { backup: { location, id: manifest.id } });
      const { state, written } = rowCounts(manifest);
      console.log(
        `Backup ${manifest.id} (${manifest.kind}${manifest.base ? ` on ${manifest.base}` : ''}): ${written} rows written of ${state} in ${manifest.tables.length} tables, ${manifest.data.bytes + manifest.index.bytes} bytes, in ${location}`,
      );
    } finally {
      await app.db.close();
    }
  });

program
  .command('restore')
  .description(
    'Verify a backup (and the backups it builds on), load it into a new, empty database, check every table against the recorded state, and apply again every erasure recorded since it was taken',
  )
  .argument('<id>', 'backup id (see lawful backup --list)')
  .option('--dir <dir>', 'backup directory or s3://bucket/prefix (default: LAWFUL_BACKUP_DIR, or data/backups)')
  .option('--into <target>', 'postgres:// URL of an empty database, or a directory for a new embedded database')
  .option('--verify-only', 'check checksums and the encryption tags, write nothing')
  .option('--live', 'also read the erasures recorded in the configured (live) database since the backup')
  .option(
    '--accept-unreplayed-erasures',
    'restore even without the erasure journal beside the backups: people erased after the backup may come back',
  )
  .action(
    async (
      id: string,
      options: { dir?: string; into?: string; verifyOnly?: boolean; live?: boolean; acceptUnreplayedErasures?: boolean },
    ) => {
      const config = loadConfig();
      const location = options.dir ?? config.backupDir;
      const { keyring } = loadKeyring({ env: process.env, keyFile: config.masterKeyFile, createIfMissing: false });
      if (options.verifyOnly) {
        for (const member of chainOf(await listBackups(location), id)) {
          const manifest = await verifyBackup(location, member.id, keyring);
          console.log(
            `Backup ${manifest.id} (${manifest.kind}) is intact: ${manifest.tables.length} tables, checksums and encryption tags verified.`,
          );
        }
        return;
      }
      if (!options.into) throw new Error('--into is required (a postgres:// URL or a directory)');
      const target = /^postgres(ql)?:\/\//.test(options.into)
        ? await openDatabase({ databaseUrl: options.into, dataDir: '' })
        : await openDatabase({ databaseUrl: undefined, dataDir: path.resolve(options.into) });
      const live = options.live ? await openDatabase({ databaseUrl: config.databaseUrl, dataDir: embeddedDataDir(config) }) : undefined;
      try {
        await migrate(target);
        const result = await restoreBackup(target, keyring, location, id, {
          ...(live ? { live } : {}),
          acceptUnreplayedErasures: options.acceptUnreplayedErasures === true,
        });
        if (result.journal === 'missing') {
          console.error(
            'WARNING: no erasure journal was found beside the backups. Erasures made after this backup could not be applied again: people erased since may be readable in the restored database.',
          );
        }
        console.log(
          `Restored ${result.rows} rows of ${result.manifest.id} (from ${result.chain.join(' + ')}), every table checked against the backup; erasures applied again: ${result.replayed.erasures}, keys destroyed again: ${result.replayed.keys}.`,
        );
      } finally {
        await target.close();
        await live?.close();
      }
    },
  );

const keys = program.command('keys').description('Master key management');
keys
  .command('generate')
  .description('Print a new random master key (base64) for LAWFUL_MASTER_KEY(S)')
  .action(() => console.log(randomKey().toString('base64')));
keys
  .command('rotate')
  .description(
    'Re-wrap every workspace key under the current master key, online. With a key file, a new master key is generated ' +
      'first and the old one kept until the re-wrap completes. With LAWFUL_MASTER_KEYS="new,old", the first key becomes current.',
  )
  .option('--keep-old', 'keep retired master keys in the key file after re-wrapping')
  .action(async (options: { keepOld?: boolean }) => {
    const config = loadConfig();
    const fromEnv = Boolean(process.env.LAWFUL_MASTER_KEYS ?? process.env.LAWFUL_MASTER_KEY);
    let master: LocalKeyring | undefined;
    if (!fromEnv) {
      const existing = readKeyFile(config.masterKeyFile);
      const rotated = [randomKey(), ...existing];
      writeKeyFile(config.masterKeyFile, rotated);
      master = new LocalKeyring(rotated);
    }
    const app = await boot(config, master ? { master } : {});
    try {
      const result = await rotateMasterKey(app.db, app.keys.master);
      console.log(`Re-wrapped ${result.rewrapped} keys of ${result.tenants} workspaces under ${app.keys.master.currentKeyId()}.`);
      if (!fromEnv && !options.keepOld) {
        writeKeyFile(config.masterKeyFile, readKeyFile(config.masterKeyFile).slice(0, 1));
        console.log(`Retired master keys removed from ${config.masterKeyFile}.`);
      }
      if (fromEnv) console.log('Every key is now wrapped by the first key of LAWFUL_MASTER_KEYS; the others can be removed.');
    } finally {
      await app.db.close();
    }
  });

keys
  .command('rotate-workspace')
  .description(
    "Rotate a workspace's data key online: new version, every person's key re-wrapped under it, the old version destroyed once unused",
  )
  .option('-w, --workspace <slug>', 'only this workspace (default: every workspace)')
  .action(async (options: { workspace?: string }) => {
    const app = await boot(loadConfig());
    try {
      let tenants = await app.db.kysely.selectFrom('tenants').select(['id', 'slug']).orderBy('slug').execute();
      if (options.workspace) tenants = tenants.filter((t) => t.slug === options.workspace);
      if (tenants.length === 0) throw new Error(`No workspace ${options.workspace}`);
      for (const tenant of tenants) {
        const result = await rotateTenantDataKey(app.db, app.keys.master, tenant.id);
        console.log(
          `${tenant.slug}: data key version ${result.version}, ${result.rewrapped} keys re-wrapped, old versions destroyed: ${result.destroyed.join(', ') || 'none yet (run again in a minute)'}`,
        );
      }
    } finally {
      await app.db.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`lawful: ${describeFailure(error)}`);
  process.exit(1);
});
