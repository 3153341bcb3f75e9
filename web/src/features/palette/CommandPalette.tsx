import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { navigate } from '../../router.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Marked } from '../../ui/Marked.tsx';
import { useDebounced } from '../../ui/useDebounced.ts';
import { actionsFor, paletteEntries, type PaletteEntry } from './paletteEntries.ts';

/** Records are searched from two characters on, as the server's type-ahead is built for. */
const MIN_QUERY = 2;

/**
 * Ctrl-K / Cmd-K: one box to find any contact, lead, account, deal or task and to start the
 * common actions, driven from the keyboard (arrows, Enter, Escape), announced to screen readers
 * as a combobox with its list of options.
 */
interface Props {
  open: boolean;
  memberId: string;
  can: (permission: string) => boolean;
  onClose: () => void;
}

export function CommandPalette({ open, memberId, can, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const search = useDebounced(q.trim(), 150);
  const actions = useMemo(() => actionsFor(can), [can]);
  const results = useQuery({
    queryKey: ['palette', search],
    queryFn: ({ signal }) => paletteEntries(search, memberId, actions, signal),
    enabled: open && search.length >= MIN_QUERY,
  });

  useEffect(() => {
    if (open && !dialog.current?.open) dialog.current?.showModal();
    if (!open && dialog.current?.open) dialog.current.close();
  }, [open]);
  // Each opening starts empty.
  const close = () => {
    setQ('');
    setActive(0);
    onClose();
  };

  const entries: PaletteEntry[] = search.length >= MIN_QUERY ? (results.data ?? []) : actions;
  const choose = (entry: PaletteEntry | undefined) => {
    if (!entry) return;
    close();
    navigate(entry.href);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => (entries.length === 0 ? 0 : (current + step + entries.length) % entries.length));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      choose(entries[Math.min(active, entries.length - 1)]);
    }
  };

  return (
    <dialog ref={dialog} className="palette" aria-label="Command palette" onClose={close}>
      <input
        autoFocus
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-options"
        aria-activedescendant={entries[active] ? `palette-${entries[active].key}` : undefined}
        aria-label="Search records or type a command"
        placeholder="Search contacts, leads, accounts, deals, tasks… or type a command"
        value={q}
        onChange={(event) => {
          setQ(event.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <ErrorMessage error={results.error} />
      <ul id="palette-options" role="listbox" aria-label="Results">
        {entries.map((entry, index) => (
          <li
            key={entry.key}
            id={`palette-${entry.key}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? 'active' : undefined}
            // On movement only: an option appearing under a resting pointer must not take the selection from the keyboard.
            onMouseMove={() => setActive(index)}
            onClick={() => choose(entry)}
          >
            <span className="badge">{entry.kind}</span> <Marked text={entry.label} ranges={entry.marks ?? []} />
          </li>
        ))}
        {search.length >= MIN_QUERY && results.data && entries.length === 0 && (
          <li className="muted" role="presentation">
            Nothing matches “{search}”.
          </li>
        )}
      </ul>
      <p className="muted palette-hint">↑ ↓ to move, Enter to open, Esc to close · ? lists every shortcut</p>
    </dialog>
  );
}
