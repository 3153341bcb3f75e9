import type { ListFilters } from '../records/recordApis.ts';

/** The list's filters as a query string, empty ones left out; a filter given several times, repeated. */
function query(params: ListFilters): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const one of [value].flat()) if (one !== '') search.append(key, String(one));
  }
  return `?${search.toString()}`;
}

interface Props {
  object: 'contacts' | 'accounts' | 'leads' | 'opportunities';
  /** The list's current filters and sort: the export is the list as shown. */
  filters: ListFilters;
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
