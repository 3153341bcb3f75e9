import { useState } from 'react';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { ImportProgress } from './ImportProgress.tsx';
import { MappingTable } from './MappingTable.tsx';
import { PreviewTable } from './PreviewTable.tsx';
import { ReportSummary } from './ReportSummary.tsx';
import { UploadStep } from './UploadStep.tsx';
import { sendImport } from './sendImport.ts';
import type { ImportChoices, ImportObject, ImportReport } from './types.ts';

type Phase = 'choose' | 'checking' | 'checked' | 'importing' | 'done';
type Draft = Omit<ImportChoices, 'file'> & { file: File | null };

/**
 * Import a CSV file: choose it, see how it was read and which column goes where, check it with a
 * dry run (the first rows as they would be stored, what would fail and why), then import it with
 * live progress, and download the failing lines with their reasons.
 */
export function ImportWizard({ object }: { object: ImportObject }) {
  const [draft, setDraft] = useState<Draft>({ object, file: null, onDuplicate: 'skip', encoding: '', delimiter: '', mapping: {} });
  const [phase, setPhase] = useState<Phase>('choose');
  const [check, setCheck] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  // The mapping changed since the last dry run: check again before importing.
  const [stale, setStale] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function dryRun(next: Draft) {
    const { file } = next;
    if (!file) return;
    setPhase('checking');
    setError(null);
    try {
      setCheck(await sendImport({ ...next, file }, { dryRun: true }));
      setStale(false);
      setPhase('checked');
    } catch (caught) {
      setError(caught);
      setCheck(null);
      setPhase('choose');
    }
  }
  function choose(change: Partial<Draft>) {
    // Another file has other columns: its mapping is guessed afresh.
    const next = { ...draft, ...change, ...(change.file ? { mapping: {} } : {}) };
    setDraft(next);
    setResult(null);
    void dryRun(next);
  }
  const mapping = Object.keys(draft.mapping).length > 0 ? draft.mapping : (check?.mapping ?? {});
  function map(column: string, field: string) {
    const whole = Object.fromEntries((check?.columns ?? []).map((name) => [name, mapping[name] ?? '']));
    setDraft({ ...draft, mapping: { ...whole, [column]: field } });
    setStale(true);
  }

  return (
    <main className="import-wizard">
      <header className="page-header">
        <h1>Import {object}</h1>
        <a href={`#/${object}`}>Back to {object}</a>
      </header>
      <UploadStep onDuplicate={draft.onDuplicate} encoding={draft.encoding} delimiter={draft.delimiter} onChange={choose} />
      <ErrorMessage error={error} />
      {phase === 'checking' && <p className="muted">Checking the file…</p>}
      {check && draft.file && phase === 'checked' && (
        <>
          <section aria-label="How the file was read">
            <h2>Columns</h2>
            {check.format && (
              <p>
                Read as <strong>{check.format.encoding}</strong> ({check.format.encodingFrom}), <strong>{check.format.delimiter}</strong>
                -separated ({check.format.delimiterFrom}).
              </p>
            )}
            <MappingTable columns={check.columns} fields={check.fields} mapping={mapping} onChange={map} />
          </section>
          <section aria-label="Check">
            <h2>Check</h2>
            <PreviewTable report={check} />
            <ReportSummary report={check} fileName={draft.file.name} />
            {stale && (
              <button type="button" onClick={() => void dryRun(draft)}>
                Check again
              </button>
            )}
          </section>
          {!stale && (
            <button type="button" onClick={() => setPhase('importing')}>
              Import {check.rows} rows
            </button>
          )}
        </>
      )}
      {phase === 'importing' && check && draft.file && (
        <ImportProgress
          choices={{ ...draft, file: draft.file }}
          rows={check.rows}
          onDone={(report) => {
            setResult(report);
            setPhase('done');
          }}
          onError={(caught) => {
            setError(caught);
            setPhase('checked');
          }}
        />
      )}
      {phase === 'done' && result && draft.file && (
        <>
          <h2>Imported</h2>
          <progress aria-label="Rows imported" max={result.rows} value={result.rows} />
          <ReportSummary report={result} fileName={draft.file.name} />
          <a href={`#/${object}`}>See the {object}</a>
        </>
      )}
    </main>
  );
}
