import { isTyping } from '../../ui/isTyping.ts';
import { useEffect, type RefObject } from 'react';

/** "/" jumps to the search box, as in most web apps, unless one is typing somewhere. */
export function useSlashToSearch(searchBox: RefObject<HTMLInputElement | null>) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || isTyping(event.target)) return;
      event.preventDefault();
      searchBox.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [searchBox]);
}
