import type { Schemas } from '../../api/client.ts';

/** The import API's answers (server: src/transfer/schema.ts, importReport and importRunView). */
export type ImportReport = Schemas['ImportReport'];
export type ImportRun = Schemas['ImportRun'];
export type ImportObject = ImportReport['object'];
export type OnDuplicate = ImportReport['onDuplicate'];
export type Delimiter = NonNullable<ImportReport['format']>['delimiter'];

/** What the user chose on the wizard's first two screens. */
export interface ImportChoices {
  object: ImportObject;
  file: File;
  onDuplicate: OnDuplicate;
  encoding: string;
  /** '' lets the server detect it. */
  delimiter: Delimiter | '';
  /** Column → field ('' leaves the column out); empty until the user changes the guess. */
  mapping: Record<string, string>;
}
