import { useRef, useState, type FormEvent } from 'react';

/**
 * A button for an action that needs a reason (an identity check, a rejection sent to the person,
 * a legal hold): it opens a dialog with a labelled field instead of the browser's prompt().
 */
export function ReasonButton({
  label,
  title,
  field,
  submitLabel,
  onSubmit,
  initial = '',
  className = 'secondary',
}: {
  label: string;
  title: string;
  field: string;
  submitLabel: string;
  onSubmit: (reason: string) => void;
  initial?: string;
  className?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState(initial);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    dialog.current?.close();
    onSubmit(reason.trim());
  };
  return (
    <>
      <button type="button" className={className} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={title}>
        <h2>{title}</h2>
        <form onSubmit={submit}>
          <label>
            <span>{field}</span>
            <textarea value={reason} required maxLength={2000} rows={3} onChange={(event) => setReason(event.target.value)} />
          </label>
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className={className === 'danger' ? 'danger' : undefined}>
              {submitLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
