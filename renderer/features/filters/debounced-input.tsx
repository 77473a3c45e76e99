import { forwardRef, useEffect, useRef, useState, type InputHTMLAttributes } from 'react';

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'> & {
  value: string;
  onCommit(value: string): void;
  delayMs?: number;
  /** Esc with text clears it (and commits ''), the key then goes no further; Esc when empty passes on. */
  escapeClears?: boolean;
};

/** A text input that reports after typing pauses, and follows outside changes (URL, Esc) when idle. */
export const DebouncedInput = forwardRef<HTMLInputElement, Props>(function DebouncedInput({ value, onCommit, delayMs = 250, escapeClears = false, ...rest }, ref) {
  const [draft, setDraft] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const commitRef = useRef(onCommit);
  commitRef.current = onCommit;
  const [prev, setPrev] = useState(value);
  if (prev !== value) {
    setPrev(value);
    if (!timer.current) setDraft(value);
  }
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  return (
    <input
      {...rest}
      ref={ref}
      value={draft}
      onChange={(e) => {
        const v = e.target.value;
        setDraft(v);
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => {
          timer.current = null;
          commitRef.current(v);
        }, delayMs);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          if (timer.current) clearTimeout(timer.current);
          timer.current = null;
          commitRef.current(draft);
        }
        if (e.key === 'Escape' && escapeClears && draft !== '') {
          e.preventDefault();
          if (timer.current) clearTimeout(timer.current);
          timer.current = null;
          setDraft('');
          commitRef.current('');
          return;
        }
        rest.onKeyDown?.(e);
      }}
    />
  );
});
