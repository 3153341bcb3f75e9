import { useCallback, useState } from 'react';
import { CommandPalette } from './CommandPalette.tsx';
import { ShortcutsHelp } from './ShortcutsHelp.tsx';
import { useGlobalShortcuts } from './useGlobalShortcuts.ts';

/** The command palette and the shortcuts list, their keys, and a button for those who use a mouse. */
export function Commands({ memberId, can }: { memberId: string; can: (permission: string) => boolean }) {
  const [palette, setPalette] = useState(false);
  const [help, setHelp] = useState(false);
  const openPalette = useCallback(() => {
    setHelp(false);
    setPalette(true);
  }, []);
  const openHelp = useCallback(() => {
    setPalette(false);
    setHelp(true);
  }, []);
  useGlobalShortcuts({ palette: openPalette, help: openHelp });
  return (
    <>
      <button type="button" className="palette-button" onClick={openPalette} aria-keyshortcuts="Control+K Meta+K">
        Search or jump to… <kbd>Ctrl K</kbd>
      </button>
      <CommandPalette open={palette} memberId={memberId} can={can} onClose={() => setPalette(false)} />
      <ShortcutsHelp open={help} onClose={() => setHelp(false)} />
    </>
  );
}
