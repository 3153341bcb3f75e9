import type { ListFilters } from '../records/recordApis.ts';

/** The list's filters as a query string, empty ones left out; a filter given several times, repeated. */
function query(params: ListFilters): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const one of [value].flat()) if (one !== '') search.append(key, String(one));
  }
  return `?${search.toString()}`;
}

/** The export of a list as filtered (or of some of its records, with ids), as a file to download. */
export const exportHref = (object: ExportPath, filters: ListFilters, format: 'csv' | 'json') =>
  `/api/v1/exports/${object}${query({ ...filters, format })}`;

type ExportPath = 'contacts' | 'accounts' | 'leads' | 'opportunities';

interface Props {
  object: ExportPath;
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
          <a className="button secondary" href={exportHref(object, filters, 'csv')} download>
            Export CSV
          </a>
          <a className="button secondary" href={exportHref(object, filters, 'json')} download>
            Export JSON
          </a>
        </>
      )}
    </span>
  );
}
