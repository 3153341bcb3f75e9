import { useRef, useState } from 'react';
import { usePagedList } from '../../api/pages.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { useMembers } from '../members/useMembers.ts';
import { Marked } from '../../ui/Marked.tsx';
import { useDebounced } from '../../ui/useDebounced.ts';
import { ListTransferLinks } from '../transfer/ListTransferLinks.tsx';
import type { ObjectSpec } from './objects.ts';
import type { CrmRecord } from './recordApis.ts';
import { RecordForm } from './RecordForm.tsx';
import { useSlashToSearch } from './useSlashToSearch.ts';

interface Props<R extends CrmRecord> {
  spec: ObjectSpec<R>;
  creating: boolean;
  canImport: boolean;
  canExport: boolean;
}

/** A list of records: search, sort, load more, import and export, and the form of a new one. */
export function ListPage<R extends CrmRecord>({ spec, creating, canImport, canExport }: Props<R>) {
  const [q, setQ] = useState('');
  const [sort, setSort] = useState(spec.sorts[0]?.value ?? '');
  const search = useDebounced(q.trim());
  // People are searched best match first; by name is the other order a search can take.
  const sorts =
    spec.rankedSearch && search
      ? [{ value: 'relevance', label: 'Best match' }, ...spec.sorts.filter((option) => /^-?(lastName|firstName)$/.test(option.value))]
      : spec.sorts;
  const shownSort = sorts.some((option) => option.value === sort) ? sort : sorts[0]!.value;
  const searchRef = useRef<HTMLInputElement>(null);
  const { nameOf } = useMembers();
  useSlashToSearch(searchRef);
  // Keyed by what was asked: a slow reply to an older search lands in its own entry and is never shown for a newer one.
  const list = usePagedList([spec.path, 'list', { q: search, sort: shownSort }], (cursor, signal) =>
    spec.api.list({ q: search || undefined, sort: shownSort, limit: 50, cursor }, signal),
  );

  return (
    <main>
      <header className="page-header">
        <h1>{spec.label}</h1>
        <ListTransferLinks
          object={spec.path}
          filters={{ q: search || undefined, sort: shownSort }}
          canImport={canImport}
          canExport={canExport}
        />
        <a className="button" href={`#/${spec.path}/new`}>
          New {spec.singular.toLowerCase()}
        </a>
      </header>
      {creating && (
        <RecordForm spec={spec} onSaved={(record) => navigate(`${spec.path}/${record.id}`)} onCancel={() => navigate(spec.path)} />
      )}
      <div className="toolbar">
        <input
          ref={searchRef}
          type="search"
          aria-label={`Search ${spec.label.toLowerCase()}`}
          placeholder="Search… (press /)"
          value={q}
          onChange={(event) => setQ(event.target.value)}
        />
        <select aria-label="Sort" value={shownSort} onChange={(event) => setSort(event.target.value)}>
          {sorts.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={list.error} />
      <table aria-label={spec.label}>
        <thead>
          <tr>
            {spec.columns.map((column) => (
              <th key={column.label}>{column.label}</th>
            ))}
            <th>Owner</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((item) => (
            <tr key={item.id}>
              {spec.columns.map((column, index) => (
                <td key={column.label}>
                  {index === 0 ? (
                    <a href={`#/${spec.path}/${item.id}`}>
                      {column.value(item) ? <Marked text={column.value(item)} ranges={spec.marks?.(item) ?? []} /> : '(unnamed)'}
                    </a>
                  ) : (
                    column.value(item)
                  )}
                </td>
              ))}
              <td>{nameOf(item.ownerId)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!list.isPending && list.items.length === 0 && <p className="muted">No {spec.label.toLowerCase()} found.</p>}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </main>
  );
}
