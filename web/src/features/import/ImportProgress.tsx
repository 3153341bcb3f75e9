import { useEffect, useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import { sendImport } from './sendImport.ts';
import type { ImportChoices, ImportReport, ImportRun } from './types.ts';

interface Props {
  choices: ImportChoices;
  /** The file's rows, from the dry run. */
  rows: number;
  onDone: (report: ImportReport) => void;
  onError: (error: unknown) => void;
}

const POLL_MS = 500;

/**
 * Sends the file and, while the request runs, follows the run by the id chosen here: each batch
 * of 500 rows commits its progress, which GET /imports/:id reads.
 */
export function ImportProgress({ choices, rows, onDone, onError }: Props) {
  // The run as last polled, and the seconds since the file was sent.
  const [progress, setProgress] = useState<{ run: ImportRun; seconds: number } | null>(null);
  useEffect(() => {
    const importId = crypto.randomUUID();
    const started = performance.now();
    let finished = false;
    const poll = setInterval(() => {
      unwrap(client.GET('/api/v1/imports/{id}', { params: { path: { id: importId } } })).then(
        (run) => !finished && setProgress({ run, seconds: (performance.now() - started) / 1000 }),
        () => undefined, // not started yet: the first batch has not committed
      );
    }, POLL_MS);
    sendImport(choices, { importId })
      .then((report) => {
        finished = true;
        onDone(report);
      }, onError)
      .finally(() => clearInterval(poll));
    return () => {
      finished = true;
      clearInterval(poll);
    };
    // One import per mount: the wizard mounts this once for each run it starts.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const run = progress?.run;
  const done = run?.rowsDone ?? 0;
  const seconds = progress?.seconds ?? 0;
  return (
    <section aria-label="Import progress">
      <progress aria-label="Rows imported" max={rows} value={done} />
      <p>
        {done} of {rows} rows · {seconds > 0 ? Math.round(done / seconds) : 0} rows/s · {run?.run.created ?? 0} created ·{' '}
        {run?.run.updated ?? 0} updated · {run?.run.failed ?? 0} errors so far
      </p>
    </section>
  );
}
