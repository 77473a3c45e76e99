import { useEffect, useRef, useState } from 'react';
import { copyText } from './copy';

/** `text` may be a function: costly clipboard text (a whole JSON document) is built only when clicked. */
export function CopyButton({ text, label = 'Copy', title, className = '' }: { text: string | (() => string); label?: string; title?: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'ok' | 'fail'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  return (
    <button
      type="button"
      className={`btn btn-ghost btn-xs ${className}`}
      title={title ?? (typeof text === 'function' || text.length > 80 ? 'Copy to clipboard' : `Copy ${text}`)}
      onClick={async (ev) => {
        ev.stopPropagation();
        let ok: boolean;
        try {
          ok = await copyText(typeof text === 'function' ? text() : text);
        } catch {
          ok = false;
        }
        setState(ok ? 'ok' : 'fail');
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => setState('idle'), 1200);
      }}
    >
      {state === 'ok' ? 'Copied' : state === 'fail' ? 'Copy failed' : label}
    </button>
  );
}
