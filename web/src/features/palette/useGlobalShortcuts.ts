import { isTyping } from '../../ui/isTyping.ts';
import { useEffect } from 'react';

/** Ctrl-K / Cmd-K opens the palette from anywhere (even while typing); "?" the shortcuts list, unless typing. */
export function useGlobalShortcuts(handlers: { palette: () => void; help: () => void }) {
  const { palette, help } = handlers;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        palette();
      } else if (event.key === '?' && !isTyping(event.target)) {
        event.preventDefault();
        help();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [palette, help]);
}
