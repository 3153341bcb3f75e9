/** The import API's answers as the wizard reads them (server: src/crm/import.ts, importRunView). */

export type ImportObject = 'contacts' | 'accounts' | 'leads' | 'opportunities';
export type OnDuplicate = 'skip' | 'update' | 'fill-empty';

export interface LineNotes<Line> {
  count: number;
  lines: Line[];
  truncated: boolean;
}

export interface RowError {
  line: number;
  errors: string[];
  cells?: string[];
}

export interface ImportReport {
  importId: string | null;
  dryRun: boolean;
  rows: number;
  created: number;
  duplicates: number;
  updated: number;
  onDuplicate: OnDuplicate;
  matched: LineNotes<{ line: number; recordId: string; outcome: 'skipped' | 'updated' | 'unchanged' | 'refused'; reason?: string }>;
  accountsCreated: number;
  failed: number;
  errors: RowError[];
  errorsTruncated: boolean;
  leftOut: LineNotes<{ line: number; errors: string[] }>;
  skipped: LineNotes<{ line: number; errors: string[] }>;
  format: { encoding: string; encodingFrom: string; delimiter: string; delimiterFrom: string } | null;
  mapping: Record<string, string>;
  columns: string[];
  fields: string[];
  preview: Array<{ line: number; values: Record<string, unknown>; leftOut: string[] }> | null;
}

export interface ImportRun {
  id: string;
  state: 'running' | 'finished' | 'interrupted';
  rowsDone: number;
  run: { created: number; duplicates: number; updated: number; failed: number; accountsCreated: number };
}

/** What the user chose on the wizard's first two screens. */
export interface ImportChoices {
  object: ImportObject;
  file: File;
  onDuplicate: OnDuplicate;
  encoding: string;
  delimiter: string;
  /** Column → field ('' leaves the column out); empty until the user changes the guess. */
  mapping: Record<string, string>;
}

export function importPath(choices: ImportChoices, extra: Record<string, string>): string {
  const params = new URLSearchParams({ fileName: choices.file.name, onDuplicate: choices.onDuplicate, includeRows: 'true', ...extra });
  if (choices.encoding) params.set('encoding', choices.encoding);
  if (choices.delimiter) params.set('delimiter', choices.delimiter);
  if (Object.keys(choices.mapping).length > 0) params.set('map', JSON.stringify(choices.mapping));
  return `/api/v1/imports/${choices.object}?${params.toString()}`;
}
