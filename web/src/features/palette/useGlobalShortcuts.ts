import { useEffect } from 'react';

const typing = (target: EventTarget | null) =>
  target instanceof HTMLInputElement ||
  target instanceof HTMLTextAreaElement ||
  target instanceof HTMLSelectElement ||
  (target instanceof HTMLElement && target.isContentEditable);

/** Ctrl-K / Cmd-K opens the palette from anywhere (even while typing); "?" the shortcuts list, unless typing. */
export function useGlobalShortcuts(handlers: { palette: () => void; help: () => void }) {
  const { palette, help } = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        palette();
      } else if (event.key === '?' && !typing(event.target)) {
        event.preventDefault();
        help();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [palette, help]);
}
