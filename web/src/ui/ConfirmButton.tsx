import { useRef, useState, type ReactNode } from 'react';

/**
 * A button for an irreversible action: it opens a dialog that says what will happen (and to how
 * many), and the action runs only on the dialog's confirm button.
 */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  onConfirm,
  disabled,
  tone = 'danger',
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  /** The look of the opening button; the dialog's confirm button is always the action's. */
  tone?: 'danger' | 'primary' | 'secondary';
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // What the dialog says is rendered only while it is open, so it can fetch a count when asked.
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className={tone === 'primary' ? undefined : tone}
        disabled={disabled}
        onClick={() => {
          setOpen(true);
          dialog.current?.showModal();
        }}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-label={title} onClose={() => setOpen(false)}>
        <h2>{title}</h2>
        {open && children}
        <form method="dialog" className="dialog-actions">
          <button value="cancel" className="secondary">
            Cancel
          </button>
          <button type="button" className="danger" onClick={() => (dialog.current?.close(), onConfirm())}>
            {confirmLabel}
          </button>
        </form>
      </dialog>
    </>
  );
}
