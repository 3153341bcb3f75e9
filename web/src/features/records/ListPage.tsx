import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { usePagedList } from '../../api/pages.ts';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { useDebounced } from '../../ui/useDebounced.ts';
import type { Viewer } from '../admin/viewer.ts';
import { BulkBar } from '../bulk/BulkBar.tsx';
import { bulkApi } from '../bulk/bulkApi.ts';
import { ListTransferLinks } from '../transfer/ListTransferLinks.tsx';
import { FilterBar } from '../views/FilterBar.tsx';
import type { View } from '../views/useViews.ts';
import { ViewPicker } from '../views/ViewPicker.tsx';
import { ColumnPicker } from './ColumnPicker.tsx';
import { EmptyList } from './EmptyList.tsx';
import type { ObjectSpec } from './objects.ts';
import type { CrmRecord, ListFilters } from './recordApis.ts';
import { RecordForm } from './RecordForm.tsx';
import { RecordTable } from './RecordTable.tsx';
import { useSlashToSearch } from './useSlashToSearch.ts';

interface Props<R extends CrmRecord> {
  spec: ObjectSpec<R>;
  creating: boolean;
  viewer: Viewer;
}

/** What is selected for a bulk action, for one list as filtered: rows ticked, or the whole view (with its count). */
interface Selection {
  of: string;
  ids: ReadonlySet<string>;
  wholeView: number | null;
}

/** A view's filters as the list takes them: its search apart, values a query string can carry. */
function filtersOf(view: View | null): { q: string; filters: ListFilters } {
  const { q, ...rest } = view?.filters ?? {};
  const filters: ListFilters = {};
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value === 'string' || typeof value === 'number') filters[key] = value;
    else if (Array.isArray(value)) filters[key] = value.map(String);
  }
  return { q: typeof q === 'string' ? q : '', filters };
}

/** A list of records: views, filters, search, sort, columns, selection and bulk actions, import and export. */
export function ListPage<R extends CrmRecord>({ spec, creating, viewer }: Props<R>) {
  const defaultSort = spec.sorts[0]?.value ?? '';
  const [view, setView] = useState<View | null>(null);
  const [q, setQ] = useState('');
  const [sort, setSort] = useState(defaultSort);
  const [filters, setFilters] = useState<ListFilters>({});
  const [columns, setColumns] = useState<string[]>([]);
  const [notice, setNotice] = useState('');
  const search = useDebounced(q.trim());
  // People are searched best match first; by name is the other order a search can take.
  const sorts =
    spec.rankedSearch && search
      ? [{ value: 'relevance', label: 'Best match' }, ...spec.sorts.filter((option) => /^-?(lastName|firstName)$/.test(option.value))]
      : spec.sorts;
  const shownSort = sorts.some((option) => option.value === sort) ? sort : sorts[0]!.value;
  const searchRef = useRef<HTMLInputElement>(null);
  useSlashToSearch(searchRef);
  const queryClient = useQueryClient();
  const asked = { q: search, sort: shownSort, filters };
  // Keyed by what was asked: a slow reply to an older search lands in its own entry and is never shown for a newer one.
  const list = usePagedList([spec.path, 'list', asked], (cursor, signal) =>
    spec.api.list({ q: search || undefined, sort: shownSort, limit: 50, cursor, filters }, signal),
  );
  const viewFilters: ListFilters = search ? { ...filters, q: search } : filters;

  const listKey = JSON.stringify(asked);
  const [selection, setSelection] = useState<Selection>({ of: listKey, ids: new Set(), wholeView: null });
  // A selection belongs to the list as it was filtered: filter it differently and nothing is selected.
  const current = selection.of === listKey ? selection : { of: listKey, ids: new Set<string>(), wholeView: null };
  const select = (ids: string[], selected: boolean) => {
    const next = new Set(current.ids);
    for (const id of ids) {
      if (selected) next.add(id);
      else next.delete(id);
    }
    setSelection({ of: listKey, ids: next, wholeView: null });
  };
  const [countError, setCountError] = useState<unknown>(null);
  const selectWholeView = () =>
    void bulkApi
      .count(spec.path, viewFilters)
      .then(({ count }) => (setCountError(null), setSelection({ of: listKey, ids: current.ids, wholeView: count })), setCountError);
  const pageSelected = list.items.length > 0 && list.items.every((item) => current.ids.has(item.id));

  const pick = (next: View | null) => {
    const { q: viewQ, filters: viewed } = filtersOf(next);
    setView(next);
    setQ(viewQ);
    setFilters(viewed);
    setSort(next?.sort ?? defaultSort);
    setColumns(next?.columns ?? []);
    setNotice('');
  };
  const shown = (key: string) => columns.length === 0 || columns.includes(key);
  const plural = spec.label.toLowerCase();

  return (
    <main>
      <header className="page-header">
        <h1>{spec.label}</h1>
        <ListTransferLinks
          object={spec.path}
          filters={{ ...viewFilters, sort: shownSort }}
          canImport={viewer.can('crm.import')}
          canExport={viewer.can('crm.export')}
        />
        <a className="button" href={`#/${spec.path}/new`}>
          New {spec.singular.toLowerCase()}
        </a>
      </header>
      {creating && (
        <RecordForm spec={spec} onSaved={(record) => navigate(`${spec.path}/${record.id}`)} onCancel={() => navigate(spec.path)} />
      )}
      <div className="toolbar">
        <ViewPicker object={spec.recordType} current={view} onPick={pick} shown={{ filters: viewFilters, sort: shownSort, columns }} />
        <input
          ref={searchRef}
          type="search"
          aria-label={`Search ${plural}`}
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
        <ColumnPicker options={[...spec.columns.slice(1), { key: 'owner', label: 'Owner' }]} value={columns} onChange={setColumns} />
      </div>
      <FilterBar object={spec.recordType} specs={spec.filters} people={spec.people ?? false} value={filters} onChange={setFilters} />
      {notice && <p role="status">{notice}</p>}
      {(current.ids.size > 0 || current.wholeView !== null) && (
        <>
          {pageSelected && current.wholeView === null && (list.hasMore || current.ids.size < list.items.length) && (
            <button type="button" className="link" onClick={selectWholeView}>
              Select every {spec.singular.toLowerCase()} of this view
            </button>
          )}
          <ErrorMessage error={countError} />
          <BulkBar
            path={spec.path}
            plural={plural}
            target={current.wholeView !== null ? { filters: viewFilters } : { ids: [...current.ids] }}
            count={current.wholeView ?? current.ids.size}
            canDelete={viewer.can('crm.delete')}
            canSegment={viewer.can('campaigns.manage')}
            canExport={viewer.can('crm.export')}
            onDone={(message) => {
              setNotice(message);
              setSelection({ of: listKey, ids: new Set(), wholeView: null });
              void queryClient.invalidateQueries({ queryKey: [spec.path] });
            }}
          />
        </>
      )}
      <ErrorMessage error={list.error} />
      <RecordTable spec={spec} items={list.items} shown={shown} selected={current.ids} onSelect={select} />
      {!list.isPending && list.items.length === 0 && (
        <EmptyList plural={plural} filtered={Boolean(search) || Object.keys(filters).length > 0} role={viewer.role} />
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </main>
  );
}
