import crypto from 'node:crypto';
import readline from 'node:readline';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { BackupStore } from './store.ts';

/** A stored file of JSON lines, gzip-compressed then sealed with AES-256-GCM. */
export interface SealedFile {
  name: string;
  iv: string;
  authTag: string;
  bytes: number;
  sha256: string;
}

export class BackupCorruptError extends Error {}

/** Writes JSON lines into a store as one sealed file; visible only after finish(). */
export class SealedWriter {
  private readonly lines = new PassThrough();
  private readonly iv = crypto.randomBytes(12);
  private readonly cipher: crypto.CipherGCM;
  private readonly hash = crypto.createHash('sha256');
  private bytes = 0;
  private failure: Error | null = null;
  private readonly written: Promise<void>;
  private readonly upload;

  constructor(
    store: BackupStore,
    readonly name: string,
    key: Buffer,
  ) {
    this.cipher = crypto.createCipheriv('aes-256-gcm', key, this.iv);
    this.upload = store.create(name);
    const counting = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.hash.update(chunk);
        this.bytes += chunk.length;
        done(null, chunk);
      },
    });
    this.written = pipeline(this.lines, zlib.createGzip(), this.cipher, counting, this.upload.stream).catch((error: Error) => {
      this.failure = error;
      throw error;
    });
    this.written.catch(() => {});
  }

  async write(value: unknown): Promise<void> {
    // The writing side failed (disk full, bucket refused): stop the reading side too.
    if (this.failure || this.lines.destroyed)
      throw new Error(`the backup file ${this.name} could not be written${this.failure ? `: ${this.failure.message}` : ''}`);
    if (!this.lines.write(`${JSON.stringify(value)}\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.lines.off('drain', done).off('close', done);
          resolve();
        };
        this.lines.on('drain', done).on('close', done);
      });
    }
  }

  async finish(): Promise<SealedFile> {
    this.lines.end();
    await this.written;
    await this.upload.commit();
    return {
      name: this.name,
      iv: this.iv.toString('base64'),
      authTag: this.cipher.getAuthTag().toString('base64'),
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
    };
  }

  async abort(error: Error): Promise<void> {
    this.lines.destroy(error);
    await this.written.catch(() => {});
    await this.upload.abort();
  }
}

/** The SHA-256 of a stored file, as it is on the medium. */
export async function storedSha256(store: BackupStore, sealed: SealedFile, label: string): Promise<void> {
  const stream = await store.read(sealed.name);
  if (!stream) throw new BackupCorruptError(`${label}: the file ${sealed.name} is missing`);
  const hash = crypto.createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== sealed.sha256) throw new BackupCorruptError(`${label}: the file ${sealed.name} does not match its checksum`);
}

/** The lines of a sealed file, decrypted and decompressed as they are read; a wrong tag rejects at the end. */
export async function* readSealedLines<T>(store: BackupStore, sealed: SealedFile, key: Buffer, label: string): AsyncGenerator<T> {
  const stream = await store.read(sealed.name);
  if (!stream) throw new BackupCorruptError(`${label}: the file ${sealed.name} is missing`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(sealed.authTag, 'base64'));
  const plain = stream.pipe(decipher).pipe(zlib.createGunzip());
  const failure = new Promise<never>((_, reject) => {
    for (const part of [stream, decipher, plain])
      part.on('error', (error) => reject(new BackupCorruptError(`${label} cannot be read: ${error.message}`)));
  });
  failure.catch(() => {});
  const iterator = readline.createInterface({ input: plain, crlfDelay: Infinity })[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), failure]);
      if (next.done) return;
      if (next.value) yield JSON.parse(next.value) as T;
    }
  } finally {
    stream.destroy();
  }
}
