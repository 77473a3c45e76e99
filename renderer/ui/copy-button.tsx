import { useEffect, useRef, useState } from 'react';
import { copyText } from './copy';

export function CopyButton({ text, label = 'Copy', title, className = '' }: { text: string; label?: string; title?: string; className?: string }) {
  const [state, setState] = useState<'idle' | 'ok' | 'fail'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  return (
    <button
      type="button"
      className={`btn btn-ghost btn-xs ${className}`}
      title={title ?? `Copy ${text.length > 80 ? 'to clipboard' : text}`}
      onClick={async (ev) => {
        ev.stopPropagation();
        const ok = await copyText(text);
        setState(ok ? 'ok' : 'fail');
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => setState('idle'), 1200);
      }}
    >
      {state === 'ok' ? 'Copied' : state === 'fail' ? 'Copy failed' : label}
    </button>
  );
}
