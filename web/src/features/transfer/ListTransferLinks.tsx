import { query } from '../../api.ts';

interface Props {
  object: 'contacts' | 'accounts' | 'leads' | 'opportunities';
  /** The list's current filters and sort: the export is the list as shown. */
  filters: Record<string, string | undefined>;
  canImport: boolean;
  canExport: boolean;
}

/** Import into a list, or export it as it is filtered, as CSV or JSON. */
export function ListTransferLinks({ object, filters, canImport, canExport }: Props) {
  return (
    <span className="transfer-links">
      {canImport && (
        <a className="button secondary" href={`#/import/${object}`}>
          Import
        </a>
      )}
      {canExport && (
        <>
          <a className="button secondary" href={`/api/v1/exports/${object}${query({ ...filters, format: 'csv' })}`} download>
            Export CSV
          </a>
          <a className="button secondary" href={`/api/v1/exports/${object}${query({ ...filters, format: 'json' })}`} download>
            Export JSON
          </a>
        </>
      )}
    </span>
  );
}
