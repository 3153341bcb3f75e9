import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';

/**
 * Where backup files live: a local directory, or a bucket of any S3-compatible service (AWS S3,
 * MinIO, Ceph, R2, ...). Either way a file becomes visible only once it is complete: a directory
 * writes under a temporary name and renames, S3 shows an object only when its upload completes.
 */
/** How a backup's manifest file is named: `<id>.manifest.json`. */
export const MANIFEST_SUFFIX = '.manifest.json';

export interface BackupStore {
  readonly location: string;
  /** Names of the stored files (not the incomplete ones). */
  list(): Promise<string[]>;
  readText(name: string): Promise<string | null>;
  /** Written whole or not at all. */
  writeText(name: string, text: string): Promise<void>;
  read(name: string): Promise<Readable | null>;
  /** A stream to pipe a file into; commit() makes it visible, abort() drops it. */
  create(name: string): BackupUpload;
  remove(name: string): Promise<void>;
}

export interface BackupUpload {
  stream: Writable;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export class DirectoryStore implements BackupStore {
  constructor(readonly location: string) {}

  private ensure(): void {
    fs.mkdirSync(this.location, { recursive: true, mode: 0o700 });
  }

  async list(): Promise<string[]> {
    if (!fs.existsSync(this.location)) return [];
    return fs.readdirSync(this.location).filter((name) => !name.endsWith('.partial'));
  }

  async readText(name: string): Promise<string | null> {
    const file = path.join(this.location, name);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  }

  async writeText(name: string, text: string): Promise<void> {
    this.ensure();
    const partial = this.partialOf(name);
    fs.writeFileSync(partial, text, { mode: 0o600 });
    this.settle(partial, name);
  }

  async read(name: string): Promise<Readable | null> {
    const file = path.join(this.location, name);
    return fs.existsSync(file) ? fs.createReadStream(file) : null;
  }

  create(name: string): BackupUpload {
    this.ensure();
    const partial = this.partialOf(name);
    return {
      stream: fs.createWriteStream(partial, { mode: 0o600 }),
      commit: async () => this.settle(partial, name),
      abort: async () => fs.rmSync(partial, { force: true }),
    };
  }

  async remove(name: string): Promise<void> {
    fs.rmSync(path.join(this.location, name), { force: true });
  }

  /** What a killed backup left behind: never part of a backup. */
  clearIncomplete(): void {
    if (!fs.existsSync(this.location)) return;
    for (const name of fs.readdirSync(this.location))
      if (name.endsWith('.partial')) fs.rmSync(path.join(this.location, name), { force: true });
  }

  private partialOf(name: string): string {
    return path.join(this.location, `.${name}.partial`);
  }

  /** Flushed to disk, then renamed into place. */
  private settle(partial: string, name: string): void {
    const fd = fs.openSync(partial, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(partial, path.join(this.location, name));
  }
}

export interface S3Options {
  /** Another service than AWS: its URL (path-style addressing is then used). */
  endpoint?: string;
  region?: string;
}

/**
 * A bucket and key prefix. Credentials come from the AWS SDK's usual sources (AWS_ACCESS_KEY_ID
 * and AWS_SECRET_ACCESS_KEY, a profile, an instance role). The SDK is loaded only when used.
 */
export class S3Store implements BackupStore {
  readonly location: string;
  private client: Promise<import('@aws-sdk/client-s3').S3Client> | undefined;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly options: S3Options = {},
  ) {
    this.location = `s3://${bucket}/${prefix}`;
  }

  private async s3() {
    this.client ??= import('@aws-sdk/client-s3').then(
      ({ S3Client }) =>
        new S3Client({
          region: this.options.region ?? process.env.AWS_REGION ?? 'us-east-1',
          ...(this.options.endpoint ? { endpoint: this.options.endpoint, forcePathStyle: true } : {}),
          // Other S3-compatible services do not all know the newer default checksums.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
    );
    return { client: await this.client, commands: await import('@aws-sdk/client-s3') };
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  async list(): Promise<string[]> {
    const { client, commands } = await this.s3();
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new commands.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) names.push(object.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names.filter((name) => !name.includes('/'));
  }

  async readText(name: string): Promise<string | null> {
    const body = await this.read(name);
    if (!body) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async writeText(name: string, text: string): Promise<void> {
    const { client, commands } = await this.s3();
    await client.send(
      new commands.PutObjectCommand({ Bucket: this.bucket, Key: this.key(name), Body: text, ContentType: 'application/json' }),
    );
  }

  async read(name: string): Promise<Readable | null> {
    const { client, commands } = await this.s3();
    try {
      const object = await client.send(new commands.GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return object.Body as Readable;
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  create(name: string): BackupUpload {
    const body = new PassThrough();
    // Multipart, 8 MiB parts: a large backup is never held in memory whole.
    const upload = Promise.all([this.s3(), import('@aws-sdk/lib-storage')]).then(
      ([{ client }, { Upload }]) =>
        new Upload({ client, params: { Bucket: this.bucket, Key: this.key(name), Body: body }, partSize: 8 * 1024 * 1024 }),
    );
    const done = upload.then((u) => u.done());
    done.catch(() => {});
    return {
      stream: body,
      commit: async () => {
        await done;
      },
      abort: async () => {
        body.destroy();
        await (await upload).abort().catch(() => {});
      },
    };
  }

  async remove(name: string): Promise<void> {
    const { client, commands } = await this.s3();
    await client.send(new commands.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
  }
}

/** A directory path, or s3://bucket/prefix (LAWFUL_BACKUP_S3_ENDPOINT for a service other than AWS). */
export function openBackupStore(location: string | BackupStore, env: NodeJS.ProcessEnv = process.env): BackupStore {
  if (typeof location !== 'string') return location;
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!s3) return new DirectoryStore(path.resolve(location));
  const prefix = s3[2] && !s3[2].endsWith('/') ? `${s3[2]}/` : (s3[2] ?? '');
  return new S3Store(s3[1]!, prefix, { endpoint: env.LAWFUL_BACKUP_S3_ENDPOINT, region: env.AWS_REGION });
}
