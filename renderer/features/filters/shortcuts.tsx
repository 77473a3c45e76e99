// `?`: every keyboard shortcut of the window, in one list (Esc or `?` closes it).
import { useEffect, useRef } from 'react';
import { useApp, useAppStore } from '../../state/hooks';

export const SHORTCUTS: [string, string][] = [
  ['/', 'Focus the search'],
  ['Enter or ↓ (in the search)', 'Move into the results'],
  ['Esc (in the search)', 'Clear it; a second Esc returns to the results'],
  ['↑ ↓ or j k', 'Move between rows'],
  ['Home / End, PageUp / PageDown', 'First, last, a page up or down'],
  ['Enter (on a row)', 'Open the event in the inspector'],
  ['← → (on the inspector tabs)', 'Switch tabs'],
  ['Esc', 'Step back: inspector → its row → close the event → clear the search → close the panel'],
  ['?', 'Show or hide this list'],
];

export function Shortcuts() {
  const store = useAppStore();
  const open = useApp((s) => s.shortcutsOpen);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { if (open) ref.current?.focus(); }, [open]);
  if (!open) return null;
  return (
    <div className="shortcuts" role="dialog" aria-modal="false" aria-labelledby="hs-shortcuts-title" data-testid="shortcuts" tabIndex={-1} ref={ref}>
      <h2 id="hs-shortcuts-title" className="small">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([k, what]) => (
          <div key={k} className="shortcut"><dt><kbd>{k}</kbd></dt><dd>{what}</dd></div>
        ))}
      </dl>
      <button type="button" className="btn btn-ghost btn-xs" onClick={() => store.getState().setShortcutsOpen(false)}>Close</button>
    </div>
  );
}
