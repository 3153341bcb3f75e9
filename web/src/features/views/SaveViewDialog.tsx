import { useRef, useState } from 'react';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { saveView, type View, type ViewObject } from './useViews.ts';

interface Props {
  object: ViewObject;
  shown: Pick<View, 'filters' | 'sort' | 'columns'>;
  onSaved(view: View): void;
}

/** "New view": names the list's filters, order and columns, for the member alone or for the workspace. */
export function SaveViewDialog({ object, shown, onSaved }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  // The form is there only while the dialog is open: closed, its fields do not stand among the page's.
  const [open, setOpen] = useState(false);

  async function save() {
    setSaving(true);
    setError(null);
    try {
      const view = await saveView({ object, name, shared, ...shown });
      dialog.current?.close();
      setName('');
      setShared(false);
      onSaved(view);
    } catch (reason) {
      setError(reason);
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={() => {
          setOpen(true);
          dialog.current?.showModal();
        }}
        title="Save the filters, sort and columns shown as a view"
      >
        New view
      </button>
      <dialog ref={dialog} aria-label="Save view" onClose={() => setOpen(false)}>
        <h2>Save this list as a view</h2>
        {open && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void save();
            }}
          >
            <label htmlFor="view-name">View name</label>
            <input id="view-name" required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
            <label className="inline">
              <input type="checkbox" checked={shared} onChange={(event) => setShared(event.target.checked)} /> Share with the workspace
            </label>
            <ErrorMessage error={error} />
            <div className="dialog-actions">
              <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
                Cancel
              </button>
              <button type="submit" disabled={saving || !name.trim()}>
                Save
              </button>
            </div>
          </form>
        )}
      </dialog>
    </>
  );
}
