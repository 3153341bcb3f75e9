import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES, open, randomKey, seal } from './aead.ts';

/**
 * What the rest of the code needs from a master key: wrap and unwrap the keys stored in the
 * database. A KMS (AWS KMS, Vault transit, ...) implements the same interface, keeping the
 * master key itself out of this process.
 */
export interface MasterKeyProvider {
  /** Id of the key new wraps use. */
  currentKeyId(): string;
  knows(keyId: string): boolean;
  wrap(key: Uint8Array, context: string): Promise<{ keyId: string; wrapped: Buffer }>;
  unwrap(keyId: string, wrapped: Uint8Array, context: string): Promise<Buffer>;
}

export class MasterKeyError extends Error {}

export function masterKeyId(key: Uint8Array): string {
  return 'mk_' + crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function decodeMasterKey(encoded: string): Buffer {
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new MasterKeyError(`A master key must be ${KEY_BYTES} bytes, base64-encoded (got ${key.length} bytes).`);
  }
  return key;
}

/** Master keys held in this process: the first is current, the others are kept to unwrap until rotated away. */
export class LocalKeyring implements MasterKeyProvider {
  private readonly keys = new Map<string, Buffer>();
  private readonly current: string;

  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new MasterKeyError('No master key configured.');
    for (const key of keys) this.keys.set(masterKeyId(key), key);
    this.current = masterKeyId(keys[0]!);
  }

  currentKeyId(): string {
    return this.current;
  }

  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  async wrap(key: Uint8Array, context: string) {
    return { keyId: this.current, wrapped: seal(this.keys.get(this.current)!, key, context) };
  }

  async unwrap(keyId: string, wrapped: Uint8Array, context: string) {
    const master = this.keys.get(keyId);
    if (!master) throw new MasterKeyError(`Master key ${keyId} is not configured; it is needed to unwrap stored keys.`);
    return open(master, wrapped, context);
  }
}

interface KeyFile {
  keys: string[]; // base64, current first
}

export function readKeyFile(file: string): Buffer[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
  if (!Array.isArray(parsed.keys)) throw new MasterKeyError(`${file} has no "keys" array`);
  return parsed.keys.map(decodeMasterKey);
}

export function writeKeyFile(file: string, keys: Buffer[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify({ keys: keys.map((key) => key.toString('base64')) }, null, 2) + '\n', {
    mode: 0o600,
  });
  fs.renameSync(temporary, file);
}

/**
 * Master keys come from LAWFUL_MASTER_KEYS (comma-separated base64, current first) or
 * LAWFUL_MASTER_KEY (one key), else from a key file. The embedded setup creates the file on
 * first start; a PostgreSQL setup must be given its key explicitly, since every node has to share it.
 */
export function loadKeyring(options: { env: NodeJS.ProcessEnv; keyFile: string; createIfMissing: boolean }): {
  keyring: LocalKeyring;
  source: string;
  created: boolean;
} {
  const list = options.env.LAWFUL_MASTER_KEYS ?? options.env.LAWFUL_MASTER_KEY;
  if (list) {
    const keys = list.split(',').filter(Boolean).map(decodeMasterKey);
    return { keyring: new LocalKeyring(keys), source: 'environment', created: false };
  }
  if (fs.existsSync(options.keyFile)) {
    return { keyring: new LocalKeyring(readKeyFile(options.keyFile)), source: options.keyFile, created: false };
  }
  if (!options.createIfMissing) {
    throw new MasterKeyError(
      `No master key: set LAWFUL_MASTER_KEY (32 random bytes, base64; "lawful keys generate" prints one) ` +
        `or create ${options.keyFile}.`,
    );
  }
  writeKeyFile(options.keyFile, [randomKey()]);
  return { keyring: new LocalKeyring(readKeyFile(options.keyFile)), source: options.keyFile, created: true };
}
