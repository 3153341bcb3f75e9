import { useEffect, useRef } from 'react';

export const SHORTCUTS: Array<{ keys: string; does: string }> = [
  { keys: 'Ctrl K / ⌘ K', does: 'Open the command palette: find any record or task, start an action' },
  { keys: '/', does: "Jump to the list's search box" },
  { keys: '?', does: 'Show this list' },
  { keys: '↑ ↓, Enter', does: 'In the palette: move through the results, open one' },
  { keys: 'Esc', does: 'Close the palette or a dialog' },
];

/** The keyboard shortcuts, in a dialog opened with "?". */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (open && !dialog.current?.open) dialog.current?.showModal();
    if (!open && dialog.current?.open) dialog.current.close();
  }, [open]);
  return (
    <dialog ref={dialog} aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">What they do</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.keys}>
              <td>
                <kbd>{shortcut.keys}</kbd>
              </td>
              <td>{shortcut.does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
