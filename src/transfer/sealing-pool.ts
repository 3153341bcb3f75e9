import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ContactPerson } from '../crm/contact-sealing.ts';
import type { WorkspaceKeys } from '../crypto/keys.ts';
import type { SealedPerson, SealTask } from './seal-people.ts';

/**
 * Sealing workers per process: one per core but the one the main thread (parsing, validation,
 * the database's answers) keeps; LAWFUL_SEALING_WORKERS overrides it, 0 seals in-process.
 */
export const POOL_SIZE = process.env.LAWFUL_SEALING_WORKERS
  ? Math.max(0, Number(process.env.LAWFUL_SEALING_WORKERS))
  : Math.max(1, os.availableParallelism() - 1);

/** A worker died with part of a batch in hand: that batch is not stored, nothing of it. */
export class SealingWorkerCrashed extends Error {}

interface Job {
  task: SealTask;
  resolve(sealed: SealedPerson[]): void;
  reject(error: Error): void;
}

/**
 * Imports encrypt and index people (six AES-GCM seals and three HMACs each) in worker threads,
 * so that the main thread parses the next rows and answers the database meanwhile. A batch is
 * split across the workers; a worker that dies fails the part it held (SealingWorkerCrashed)
 * and is replaced for the next task.
 */
export class SealingPool {
  private readonly workers = new Set<Worker>();
  private idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];

  constructor(
    readonly size: number = POOL_SIZE,
    private readonly script: URL = new URL('./seal-worker.mjs', import.meta.url),
  ) {}

  /** The people sealed under new keys, in order, the work split across the workers. */
  async sealAll(keys: WorkspaceKeys, people: ContactPerson[]): Promise<SealedPerson[]> {
    const parts = Math.max(1, Math.min(this.size, Math.ceil(people.length / 50)));
    const per = Math.ceil(people.length / parts);
    const chunks = Array.from({ length: parts }, (_, i) => people.slice(i * per, (i + 1) * per));
    return (await Promise.all(chunks.map((chunk) => this.seal({ keys, people: chunk })))).flat();
  }

  private seal(task: SealTask): Promise<SealedPerson[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.workers.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      // Held while it works: an idle pool never keeps the process alive.
      worker.ref();
      worker.postMessage(job.task);
    }
  }

  private spawn(): Worker {
    // The worker registers tsx itself (seal-worker.mjs); the parent's --import flags are not repeated.
    const worker = new Worker(this.script, { execArgv: [] });
    this.workers.add(worker);
    worker.on('message', (sealed: SealedPerson[]) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      job?.resolve(sealed.map(asBuffers));
      this.dispatch();
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`exit code ${code}`)));
    return worker;
  }

  private lost(worker: Worker, cause: Error): void {
    if (!this.workers.delete(worker)) return;
    this.idle = this.idle.filter((other) => other !== worker);
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    job?.reject(new SealingWorkerCrashed(`a sealing worker stopped (${cause.message})`, { cause }));
    this.dispatch();
  }

  async close(): Promise<void> {
    await Promise.all([...this.workers].map((worker) => worker.terminate()));
  }
}

/** Keys come back from a worker as plain Uint8Arrays; the driver sends Buffers as bytea. */
function asBuffers(person: SealedPerson): SealedPerson {
  const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { ...person, key: buffer(person.key), wrappedKey: buffer(person.wrappedKey) };
}

let shared: SealingPool | null = null;

/** The process's pool, started on the first import; null when sealing stays in-process (size 0). */
export function sharedSealingPool(): SealingPool | null {
  if (POOL_SIZE === 0) return null;
  shared ??= new SealingPool();
  return shared;
}
