import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work nobody waits for (the job worker: sweeps, syncs, backups) runs marked as background. On
 * the embedded database, which has one connection, requests go first (pglite-dialect.ts); on a
 * PostgreSQL server the mark changes nothing, the pool serves both.
 */
const background = new AsyncLocalStorage<true>();

export function inBackground<T>(fn: () => Promise<T>): Promise<T> {
  return background.run(true, fn);
}

export function isBackground(): boolean {
  return background.getStore() === true;
}
