import { useRef, type ReactNode } from 'react';

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
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <button type="button" className="danger" disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} aria-label={title}>
        <h2>{title}</h2>
        {children}
        <form method="dialog" className="dialog-actions">
          <button value="cancel">Cancel</button>
          <button type="button" className="danger" onClick={() => (dialog.current?.close(), onConfirm())}>
            {confirmLabel}
          </button>
        </form>
      </dialog>
    </>
  );
}
