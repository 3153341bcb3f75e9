import { SyncPanel } from './features/integrations/SyncPanel.tsx';
import { useEffect, useRef, useState } from 'react';
import { del, get, post, query, type Page } from './api.ts';
import { ErrorMessage, RecordForm, TaskList, Timeline } from './components.tsx';
import { ConsentPanel } from './consent.tsx';
import { OBJECTS, STAGE_LABELS, type ObjectSpec } from './objects.ts';
import { navigate } from './router.ts';
import { ListTransferLinks } from './features/transfer/ListTransferLinks.tsx';
import { usePagedList } from './api/pages.ts';
import { LoadMore } from './ui/LoadMore.tsx';
import { ConfirmButton } from './ui/ConfirmButton.tsx';
import { AccountLink } from './ui/AccountLink.tsx';
import { CustomFieldValues } from './features/custom-fields/CustomFieldValues.tsx';
import { useDebounced } from './ui/useDebounced.ts';

const recordLink = (spec: ObjectSpec, id: string) => `#/${spec.path}/${id}`;

export function ListPage({
  spec,
  creating,
  canImport,
  canExport,
}: {
  spec: ObjectSpec;
  creating: boolean;
  canImport: boolean;
  canExport: boolean;
}) {
  const [q, setQ] = useState('');
  const [sort, setSort] = useState(spec.sorts[0]!.value);
  const search = useDebounced(q.trim());
  const searchRef = useRef<HTMLInputElement>(null);
  // Keyed by what was asked: a slow reply to an older search lands in its own entry and is never shown for a newer one.
  const list = usePagedList([spec.path, 'list', { q: search, sort }], (cursor, signal) =>
    get<Page<any>>(`/api/v1/${spec.path}${query({ q: search || undefined, sort, limit: 50, cursor })}`, signal),
  );
  const items = list.items;
  useEffect(() => {
    // "/" jumps to the search box, as in most web apps.
    const onKey = (event: KeyboardEvent) => {
      if (
        event.key === '/' &&
        !(
          event.target instanceof HTMLInputElement ||
          event.target instanceof HTMLTextAreaElement ||
          event.target instanceof HTMLSelectElement
        )
      ) {
        event.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <main>
      <header className="page-header">
        <h1>{spec.label}</h1>
        <ListTransferLinks object={spec.path} filters={{ q: q.trim() || undefined, sort }} canImport={canImport} canExport={canExport} />
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
        <select aria-label="Sort" value={sort} onChange={(event) => setSort(event.target.value)}>
          {spec.sorts.map((option) => (
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
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              {spec.columns.map((column, index) => (
                <td key={column.label}>
                  {index === 0 ? <a href={recordLink(spec, item.id)}>{column.value(item) || '(unnamed)'}</a> : column.value(item)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {!list.isPending && items.length === 0 && <p className="muted">No {spec.label.toLowerCase()} found.</p>}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </main>
  );
}

function RelatedList({ title, spec, filter }: { title: string; spec: ObjectSpec; filter: Record<string, string> }) {
  const [items, setItems] = useState<any[]>([]);
  useEffect(() => {
    get<Page<any>>(`/api/v1/${spec.path}${query({ ...filter, limit: 100 })}`).then(
      (page) => setItems(page.items),
      () => setItems([]),
    );
  }, [spec.path, JSON.stringify(filter)]);
  return (
    <section aria-label={title}>
      <h2>
        {title} ({items.length})
      </h2>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            <a href={recordLink(spec, item.id)}>{spec.title(item)}</a>
            {spec.path === 'opportunities' && (
              <span className="muted">
                {' '}
                · {STAGE_LABELS[item.stage]} · {item.amount} {item.currency}
              </span>
            )}
          </li>
        ))}
        {items.length === 0 && <li className="muted">None.</li>}
      </ul>
    </section>
  );
}

export function DetailPage({ spec, id, memberId }: { spec: ObjectSpec; id: string; memberId: string }) {
  const [record, setRecord] = useState<any>(null);
  const [editing, setEditing] = useState(false);
  const [addingContact, setAddingContact] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setRecord(null);
    setEditing(false);
    get(`/api/v1/${spec.path}/${id}`).then(setRecord, setError);
  }, [spec.path, id]);
  if (error)
    return (
      <main>
        <ErrorMessage error={error} />
      </main>
    );
  if (!record) return <main className="muted">Loading…</main>;

  async function remove() {
    try {
      await del(`/api/v1/${spec.path}/${id}`);
      navigate(spec.path);
    } catch (caught) {
      setError(caught);
    }
  }
  async function convert() {
    try {
      const result = await post(`/api/v1/leads/${id}/convert`, {});
      navigate(`contacts/${result.contactId}`);
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <main>
      <header className="page-header">
        <h1>{spec.title(record)}</h1>
        <div className="actions">
          {spec.path === 'leads' && record.status !== 'converted' && <button onClick={convert}>Convert</button>}
          <button className="secondary" onClick={() => setEditing(!editing)}>
            {editing ? 'Close editor' : 'Edit'}
          </button>
          <ConfirmButton
            label="Delete"
            title={`Delete ${spec.title(record)}?`}
            confirmLabel={`Delete ${spec.singular.toLowerCase()}`}
            onConfirm={() => void remove()}
          >
            <p>The {spec.singular.toLowerCase()} is deleted with its notes and tasks. The audit trail keeps that it existed.</p>
          </ConfirmButton>
        </div>
      </header>
      {editing ? (
        <RecordForm
          spec={spec}
          record={record}
          onSaved={(saved) => {
            setRecord(saved);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <dl className="fields">
          {spec.fields.map((field) => (
            <div key={field.key}>
              <dt>{field.label.replace(/ \(.*\)$/, '')}</dt>
              <dd>
                {field.type === 'account' && record[field.key] ? (
                  <AccountLink id={record[field.key]} />
                ) : Array.isArray(record[field.key]) ? (
                  record[field.key].join(', ')
                ) : (
                  (record[field.key] ?? '—')
                )}
              </dd>
            </div>
          ))}
          <CustomFieldValues object={spec.recordType} values={record.custom} />
          {record.provenance && (
            <div>
              <dt>Source</dt>
              <dd>
                {record.provenance.sourceType}
                {record.provenance.sourceRef ? ` (${record.provenance.sourceRef})` : ''}, collected{' '}
                {new Date(record.provenance.collectedAt).toLocaleDateString()}
              </dd>
            </div>
          )}
        </dl>
      )}
      {spec.path === 'accounts' && (
        <>
          <RelatedList title="Contacts" spec={OBJECTS.contacts} filter={{ accountId: id }} key={`contacts-${addingContact}`} />
          {addingContact ? (
            <RecordForm
              spec={OBJECTS.contacts}
              initial={{ accountId: id, country: record.country }}
              onSaved={() => setAddingContact(false)}
              onCancel={() => setAddingContact(false)}
            />
          ) : (
            <button className="secondary" onClick={() => setAddingContact(true)}>
              Add contact at {record.name}
            </button>
          )}
          <RelatedList title="Opportunities" spec={OBJECTS.opportunities} filter={{ accountId: id }} />
        </>
      )}
      {spec.path === 'contacts' && <RelatedList title="Opportunities" spec={OBJECTS.opportunities} filter={{ contactId: id }} />}
      {(spec.path === 'contacts' || spec.path === 'leads') && <ConsentPanel path={spec.path} id={id} />}
      <SyncPanel recordType={spec.recordType} recordId={id} />
      <div className="columns">
        <Timeline recordType={spec.recordType} recordId={id} />
        <TaskList filter={{ recordType: spec.recordType, recordId: id }} memberId={memberId} />
      </div>
    </main>
  );
}

/** The pipeline: drag a card to another stage, or use its stage menu from the keyboard. */
export function TasksPage({ memberId }: { memberId: string }) {
  const [showDone, setShowDone] = useState(false);
  return (
    <main>
      <header className="page-header">
        <h1>My tasks</h1>
        <label>
          <input type="checkbox" checked={showDone} onChange={(event) => setShowDone(event.target.checked)} /> show done
        </label>
      </header>
      <TaskList filter={{ assigneeId: memberId, done: showDone ? undefined : 'false' }} memberId={memberId} />
    </main>
  );
}
