// A sealing worker that dies on its workerData.crashAt-th task, as a worker killed by the
// system (out of memory) would: the import's tests check that the batch it held is lost whole.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { sealPeople } = await import('../../src/transfer/seal-people.ts');
let tasks = 0;
parentPort.on('message', async (task) => {
  tasks++;
  if (tasks === (workerData?.crashAt ?? 2)) process.exit(70);
  parentPort.postMessage(await sealPeople(task));
});
