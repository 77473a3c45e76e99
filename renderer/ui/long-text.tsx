// A long value from a payload: its start, with "show all" for the rest. Laying out a megabyte of text
// (worse: one unbroken token) freezes the page, and nobody reads past the first screens of it anyway.
// Wraps anywhere, so a single long token cannot widen the inspector; invisible characters are markers.
import { useState } from 'react';
import { SafeText } from './safe-text';
import { formatBytes } from './format';

/** Characters shown before "show all". */
export const LONG_TEXT_CUT = 4000;

export function LongText({ text, cut = LONG_TEXT_CUT, testId }: { text: string; cut?: number; testId?: string }) {
  const [all, setAll] = useState(false);
  const long = text.length > cut;
  return (
    <span className="pre-wrap long-text" data-testid={testId}>
      <SafeText text={text} max={long && !all ? cut : undefined} />
      {long && !all && (
        <>
          {' '}
          <button type="button" className="btn btn-ghost btn-xs" data-testid="show-all" onClick={() => setAll(true)}>
            Show all {text.length.toLocaleString('en-US')} characters{text.length > 100_000 ? ` (${formatBytes(text.length)})` : ''}
          </button>
        </>
      )}
    </span>
  );
}
