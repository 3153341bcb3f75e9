// A sealing worker (sealing-pool.ts): encrypts and indexes the people of an import's batch off the
// main thread. Plain JavaScript so that it can load the TypeScript sources through tsx's loader,
// which worker threads do not inherit from the main thread on Node 20.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { sealPeople } = await import('./seal-people.ts');
parentPort.on('message', async (task) => parentPort.postMessage(await sealPeople(task)));
