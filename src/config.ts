import path from 'node:path';

export interface Config {
  /** PostgreSQL server; when absent the embedded PGlite database in dataDir is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  /** Base URL people reach the server at, used in links sent by email. */
  publicUrl: string;
  /** `__Host-` cookies with Secure; turn off only for plain-HTTP access from another host. */
  secureCookies: boolean;
  allowSignup: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  logLevel: string;
  trustProxy: boolean;
  /** Header a trusted proxy sets to the client's country (e.g. cf-ipcountry); read only with trustProxy. */
  countryHeader: string | undefined;
  masterKeyFile: string;
  /** Where the signed heads of the audit chains are appended (outside the database: src/audit/anchors.ts). */
  auditAnchorFile: string;
  /** A snapshot export that lost more than this share of the records it linked has its deletions held for review. */
  syncMaxShrink: number;
  /** Days between full-id reconciliations of a connection's objects (deletions a vendor's log lost). */
  syncReconcileDays: number;
  /** The Ed25519 key that signs them; created on first use. Every node needs the same one. */
  auditAnchorKeyFile: string;
  /** Each workspace's CSV drop folders lie in its own subtree of this directory (named by its id). */
  syncDropDir: string;
  /** Folders the installation mapped to one workspace each, by workspace id (LAWFUL_SYNC_DROP_MOUNTS="id=/path,…"). */
  syncDropMounts: Record<string, string>;
  /** Hosts besides the vendors' own that connectors may call (LAWFUL_INTEGRATION_HOSTS, comma-separated): a proxy, a sandbox. */
  integrationHosts: string[];
  /**
   * The installation's OAuth apps at each vendor (LAWFUL_OAUTH_<HUBSPOT|SALESFORCE|PIPEDRIVE>_CLIENT_ID
   * and _CLIENT_SECRET; _AUTHORIZE_URL and _TOKEN_URL for a sandbox): with one, a workspace
   * connects that CRM by signing in there ("Connect HubSpot") instead of pasting tokens.
   */
  oauthApps: Partial<
    Record<'hubspot' | 'salesforce' | 'pipedrive', { clientId: string; clientSecret: string; authorizeUrl?: string; tokenUrl?: string }>
  >;
  /** Those hosts may be loopback, private or link-local addresses (LAWFUL_INTEGRATION_ALLOW_INTERNAL, off by default). */
  integrationAllowInternal: boolean;
  /** Where `lawful backup` writes (a directory, or s3://bucket/prefix), and how many days of backups it keeps. */
  backupDir: string;
  backupKeepDays: number;
  /** Hourly backups (full once a day) and a daily restore drill by the job worker (LAWFUL_BACKUP_SCHEDULE, on by default). */
  backupSchedule: boolean;
  /** How long a claimed job is a node's before another may take it over (LAWFUL_JOB_LEASE_SECONDS); long jobs renew it. */
  jobLeaseSeconds: number;
  /** PEM certificate and key: with both, the server speaks HTTPS only and sends HSTS. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Requests a minute: per member or API token, per client address, and per address on the sign-in endpoints. */
  rateLimits: { principal: number; address: number; signIn: number };
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a whole number, 1 or more, got ${value}`);
  return number;
}

function share(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 1)
    throw new Error(`${name} must be a share between 0 and 1 (0.2 = 20 %), got ${value}`);
  return number;
}

function oauthApps(env: NodeJS.ProcessEnv): Config['oauthApps'] {
  const apps: Config['oauthApps'] = {};
  for (const kind of ['hubspot', 'salesforce', 'pipedrive'] as const) {
    const prefix = `LAWFUL_OAUTH_${kind.toUpperCase()}_`;
    const clientId = env[`${prefix}CLIENT_ID`];
    const clientSecret = env[`${prefix}CLIENT_SECRET`];
    if (!clientId && !clientSecret) continue;
    if (!clientId || !clientSecret) throw new Error(`${prefix}CLIENT_ID and ${prefix}CLIENT_SECRET go together`);
    apps[kind] = {
      clientId,
      clientSecret,
      ...(env[`${prefix}AUTHORIZE_URL`] ? { authorizeUrl: env[`${prefix}AUTHORIZE_URL`] } : {}),
      ...(env[`${prefix}TOKEN_URL`] ? { tokenUrl: env[`${prefix}TOKEN_URL`] } : {}),
    };
  }
  return apps;
}

function dropMounts(value: string | undefined): Record<string, string> {
  const mounts: Record<string, string> = {};
  for (const entry of (value ?? '').split(',').filter((part) => part.trim())) {
    const [workspaceId, folder] = entry.split('=').map((part) => part.trim());
    if (!workspaceId || !/^[0-9a-f-]{36}$/i.test(workspaceId) || !folder || !path.isAbsolute(folder)) {
      throw new Error(`LAWFUL_SYNC_DROP_MOUNTS entries are <workspace id>=<absolute folder>, got ${entry}`);
    }
    mounts[workspaceId.toLowerCase()] = path.resolve(folder);
  }
  return mounts;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(env.LAWFUL_DATA_DIR ?? 'data');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const host = env.HOST ?? '127.0.0.1';
  if (Boolean(env.LAWFUL_TLS_CERT) !== Boolean(env.LAWFUL_TLS_KEY))
    throw new Error('LAWFUL_TLS_CERT and LAWFUL_TLS_KEY go together: set both, or neither');
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir,
    host,
    port,
    publicUrl: (env.LAWFUL_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    secureCookies: flag(env.LAWFUL_SECURE_COOKIES, true),
    allowSignup: flag(env.LAWFUL_ALLOW_SIGNUP, true),
    smtpUrl: env.LAWFUL_SMTP_URL || undefined,
    mailFrom: env.LAWFUL_MAIL_FROM ?? 'Lawful CRM <no-reply@lawful.localhost>',
    logLevel: env.LOG_LEVEL ?? 'info',
    trustProxy: flag(env.LAWFUL_TRUST_PROXY, false),
    countryHeader: env.LAWFUL_COUNTRY_HEADER?.toLowerCase() || undefined,
    masterKeyFile: path.resolve(env.LAWFUL_MASTER_KEY_FILE ?? path.join(dataDir, 'master-keys.json')),
    auditAnchorFile: path.resolve(env.LAWFUL_AUDIT_ANCHOR_FILE ?? path.join(dataDir, 'audit-anchors.jsonl')),
    syncMaxShrink: share(env.LAWFUL_SYNC_MAX_SHRINK, 0.2, 'LAWFUL_SYNC_MAX_SHRINK'),
    syncReconcileDays: positive(env.LAWFUL_SYNC_RECONCILE_DAYS, 7, 'LAWFUL_SYNC_RECONCILE_DAYS'),
    auditAnchorKeyFile: path.resolve(env.LAWFUL_AUDIT_ANCHOR_KEY_FILE ?? path.join(dataDir, 'audit-anchor-key.pem')),
    syncDropDir: path.resolve(env.LAWFUL_SYNC_DROP_DIR ?? path.join(dataDir, 'sync-drops')),
    syncDropMounts: dropMounts(env.LAWFUL_SYNC_DROP_MOUNTS),
    integrationHosts: (env.LAWFUL_INTEGRATION_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    integrationAllowInternal: flag(env.LAWFUL_INTEGRATION_ALLOW_INTERNAL, false),
    oauthApps: oauthApps(env),
    backupDir: env.LAWFUL_BACKUP_DIR?.startsWith('s3://')
      ? env.LAWFUL_BACKUP_DIR
      : path.resolve(env.LAWFUL_BACKUP_DIR ?? path.join(dataDir, 'backups')),
    backupKeepDays: positive(env.LAWFUL_BACKUP_KEEP_DAYS, 7, 'LAWFUL_BACKUP_KEEP_DAYS'),
    backupSchedule: flag(env.LAWFUL_BACKUP_SCHEDULE, true),
    jobLeaseSeconds: positive(env.LAWFUL_JOB_LEASE_SECONDS, 60, 'LAWFUL_JOB_LEASE_SECONDS'),
    rateLimits: {
      principal: positive(env.LAWFUL_RATE_LIMIT_API, 1200, 'LAWFUL_RATE_LIMIT_API'),
      address: positive(env.LAWFUL_RATE_LIMIT_IP, 3000, 'LAWFUL_RATE_LIMIT_IP'),
      signIn: positive(env.LAWFUL_RATE_LIMIT_SIGN_IN, 30, 'LAWFUL_RATE_LIMIT_SIGN_IN'),
    },
    tls:
      env.LAWFUL_TLS_CERT && env.LAWFUL_TLS_KEY
        ? { certFile: path.resolve(env.LAWFUL_TLS_CERT), keyFile: path.resolve(env.LAWFUL_TLS_KEY) }
        : undefined,
  };
}
