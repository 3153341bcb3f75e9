import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, patch, post, query, type Page } from './api.ts';
import type { Field, ObjectSpec } from './objects.ts';
import { CustomFieldInput } from './features/custom-fields/CustomFieldInput.tsx';
import { useCustomFields } from './features/custom-fields/useCustomFields.ts';

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

/**
 * The actions of a page: each clears the last error, runs, then reloads the page's data, or
 * shows what went wrong. Usable as a form's onSubmit or a button's onClick.
 */
export function pageActions(setError: (error: unknown) => void, reload: () => void) {
  return (fn: () => Promise<unknown>) => async (event?: FormEvent) => {
    event?.preventDefault();
    setError(null);
    try {
      await fn();
      reload();
    } catch (caught) {
      setError(caught);
    }
  };
}

/** Converts a record to form values (text inputs) and back to an API body. */
function toFormValue(field: Field, value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return value === null || value === undefined ? '' : String(value);
}

function fromFormValue(field: Field, value: string): unknown {
  const trimmed = value.trim();
  if (field.type === 'email-list' || field.type === 'phone-list') return trimmed ? trimmed.split(/\s*,\s*/).filter(Boolean) : [];
  if (field.type === 'number') return trimmed === '' ? null : Number(trimmed);
  return trimmed === '' ? (field.required ? '' : null) : trimmed;
}

function AccountPicker({ id, value, onChange }: { id: string; value: string; onChange(value: string): void }) {
  const [search, setSearch] = useState('');
  const [options, setOptions] = useState<Array<{ id: string; name: string }>>([]);
  useEffect(() => {
    const timer = setTimeout(() => {
      get<Page<{ id: string; name: string }>>(`/api/v1/accounts${query({ q: search || undefined, limit: 50, sort: 'name' })}`)
        .then(async (page) => {
          const list = page.items;
          if (value && !list.some((account) => account.id === value)) {
            const current = await get<{ id: string; name: string }>(`/api/v1/accounts/${value}`).catch(() => null);
            if (current) list.unshift(current);
          }
          setOptions(list);
        })
        .catch(() => setOptions([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [search, value]);
  return (
    <span className="picker">
      <input
        aria-label="Search accounts"
        placeholder="Search accounts…"
        value={search}
        onChange={(event) => setSearch(event.target.value)}
      />
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">— none —</option>
        {options.map((account) => (
          <option key={account.id} value={account.id}>
            {account.name}
          </option>
        ))}
      </select>
    </span>
  );
}

export function RecordForm({
  spec,
  record,
  initial,
  onSaved,
  onCancel,
}: {
  spec: ObjectSpec;
  record?: any;
  initial?: Record<string, unknown>;
  onSaved(record: any): void;
  onCancel(): void;
}) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(spec.fields.map((field) => [field.key, toFormValue(field, record?.[field.key] ?? initial?.[field.key])])),
  );
  const [custom, setCustom] = useState<Record<string, unknown>>(() => ({ ...(record?.custom ?? {}) }));
  const customFields = useCustomFields(spec.recordType).fields;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = {};
    // Custom values: an emptied field is sent as null (removed); on create, empty ones are left out.
    const customBody = Object.fromEntries(
      customFields
        .map((field) => [field.key, custom[field.key] ?? null] as const)
        .filter(([key, value]) => (record ? value !== null || record.custom?.[key] !== undefined : value !== null)),
    );
    if (Object.keys(customBody).length > 0) body.custom = customBody;
    for (const field of spec.fields) {
      const value = fromFormValue(field, values[field.key] ?? '');
      // On create, empty optional fields are simply left out.
      if (!record && (value === null || (Array.isArray(value) && value.length === 0))) continue;
      body[field.key] = value;
    }
    try {
      onSaved(record ? await patch(`/api/v1/${spec.path}/${record.id}`, body) : await post(`/api/v1/${spec.path}`, body));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="record-form" onSubmit={submit} aria-label={`${record ? 'Edit' : 'New'} ${spec.singular.toLowerCase()}`}>
      {spec.fields.map((field) => {
        const id = `field-${field.key}`;
        const value = values[field.key] ?? '';
        const set = (next: string) => setValues((current) => ({ ...current, [field.key]: next }));
        return (
          <label key={field.key} htmlFor={id}>
            <span>{field.label}</span>
            {field.type === 'select' ? (
              <select id={id} value={value} onChange={(event) => set(event.target.value)}>
                <option value="">—</option>
                {field.options!.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            ) : field.type === 'account' ? (
              <AccountPicker id={id} value={value} onChange={set} />
            ) : (
              <input
                id={id}
                type={field.type === 'date' ? 'date' : field.type === 'number' ? 'number' : 'text'}
                value={value}
                required={field.required}
                onChange={(event) => set(event.target.value)}
              />
            )}
          </label>
        );
      })}
      {customFields.map((field) => (
        <CustomFieldInput
          key={field.id}
          field={field}
          value={custom[field.key]}
          onChange={(next) => setCustom((current) => ({ ...current, [field.key]: next }))}
        />
      ))}
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="submit" disabled={busy}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Notes, calls, emails and meetings on one record, newest first. */
export function Timeline({ recordType, recordId }: { recordType: string; recordId: string }) {
  const [notes, setNotes] = useState<any[]>([]);
  const [body, setBody] = useState('');
  const [kind, setKind] = useState('note');
  const [error, setError] = useState<unknown>(null);
  const load = () =>
    get<Page<any>>(`/api/v1/notes${query({ recordType, recordId, limit: 100 })}`).then((page) => setNotes(page.items), setError);
  useEffect(() => {
    void load();
  }, [recordType, recordId]);
  async function add(event: FormEvent) {
    event.preventDefault();
    try {
      await post('/api/v1/notes', { kind, body, record: { type: recordType, id: recordId } });
      setBody('');
      await load();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <section aria-label="Timeline">
      <h2>Timeline</h2>
      <form className="inline" onSubmit={add}>
        <select aria-label="Activity type" value={kind} onChange={(event) => setKind(event.target.value)}>
          {['note', 'call', 'email', 'meeting'].map((option) => (
            <option key={option}>{option}</option>
          ))}
        </select>
        <input
          aria-label="Note"
          placeholder="Log a note, call, email or meeting…"
          value={body}
          onChange={(event) => setBody(event.target.value)}
          required
        />
        <button type="submit">Add</button>
      </form>
      <ErrorMessage error={error} />
      <ol className="timeline">
        {notes.map((note) => (
          <li key={note.id}>
            <span className="badge">{note.kind}</span> <time>{new Date(note.occurredAt).toLocaleString()}</time>
            <p>{note.body}</p>
          </li>
        ))}
        {notes.length === 0 && <li className="muted">Nothing logged yet.</li>}
      </ol>
    </section>
  );
}

export function TaskList({ filter, memberId }: { filter: Record<string, string | undefined>; memberId?: string }) {
  const [tasks, setTasks] = useState<any[]>([]);
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const load = () => get<Page<any>>(`/api/v1/tasks${query({ ...filter, limit: 100 })}`).then((page) => setTasks(page.items), setError);
  useEffect(() => {
    void load();
  }, [JSON.stringify(filter)]);
  async function add(event: FormEvent) {
    event.preventDefault();
    try {
      const record = filter.recordType && filter.recordId ? { type: filter.recordType, id: filter.recordId } : undefined;
      await post('/api/v1/tasks', {
        title,
        ...(due ? { dueAt: new Date(due).toISOString() } : {}),
        ...(record ? { record } : {}),
        ...(memberId ? { assigneeId: memberId } : {}),
      });
      setTitle('');
      setDue('');
      await load();
    } catch (caught) {
      setError(caught);
    }
  }
  async function toggle(task: any) {
    try {
      await patch(`/api/v1/tasks/${task.id}`, { done: !task.done });
      await load();
    } catch (caught) {
      setError(caught);
    }
  }
  async function remove(task: any) {
    try {
      await del(`/api/v1/tasks/${task.id}`);
      await load();
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <section aria-label="Tasks">
      <h2>Tasks</h2>
      <form className="inline" onSubmit={add}>
        <input aria-label="Task title" placeholder="New task…" value={title} onChange={(event) => setTitle(event.target.value)} required />
        <input aria-label="Due" type="datetime-local" value={due} onChange={(event) => setDue(event.target.value)} />
        <button type="submit">Add task</button>
      </form>
      <ErrorMessage error={error} />
      <ul className="tasks">
        {tasks.map((task) => (
          <li key={task.id} className={task.done ? 'done' : ''}>
            <label>
              <input type="checkbox" checked={task.done} onChange={() => toggle(task)} /> {task.title}
            </label>
            {task.dueAt && <time> due {new Date(task.dueAt).toLocaleString()}</time>}
            {task.record && (
              <a href={`#/${task.record.type === 'opportunity' ? 'opportunities' : `${task.record.type}s`}/${task.record.id}`}>
                {' '}
                open {task.record.type}
              </a>
            )}
            <button type="button" className="link" onClick={() => remove(task)} aria-label={`Delete task ${task.title}`}>
              ×
            </button>
          </li>
        ))}
        {tasks.length === 0 && <li className="muted">No tasks.</li>}
      </ul>
    </section>
  );
}
