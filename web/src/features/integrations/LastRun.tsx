import type { Schemas } from '../../api/client.ts';
import { dateTime, labelOf } from '../../ui/labels.ts';
import { RunTable } from './RunTable.tsx';

/** The last sync run: its mode, state, requests, counts and the records it could not take. */
export function LastRun({ run, order }: { run: Schemas['Run']; order: string[] }) {
  return (
    <>
      <p>
        Last run ({run.fullResync ? 'full resync' : labelOf(run.mode).toLowerCase()}
        {run.reconcile ? ', every link checked' : ''}): {labelOf(run.state).toLowerCase()}
        {run.finishedAt ? `, ${dateTime(run.finishedAt)}` : ''}; {run.requests} requests, {run.rateLimited} rate-limited
        {run.error ? ` — ${run.error}` : ''}
      </p>
      <RunTable run={run} order={order} />
      {run.failures.length > 0 && (
        <ul aria-label="Failures">
          {run.failures.map((failure) => (
            <li key={`${failure.object}:${failure.externalId}`} className="wrap">
              {failure.object} {failure.externalId}: {failure.reason}
            </li>
          ))}
          {run.failuresTotal > run.failures.length && (
            <li>
              … and {run.failuresTotal - run.failures.length} more (the first {run.failures.length} are listed).
            </li>
          )}
        </ul>
      )}
    </>
  );
}
