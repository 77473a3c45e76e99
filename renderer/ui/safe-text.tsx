// Payload text as the eye should read it: invisible and direction-changing characters shown as dimmed
// markers (shared/invisible.ts), optionally cut to an excerpt first. Every view that shows a name or a
// message text from a payload renders it through this.
import { memo } from 'react';
import { excerpt, invisibleParts } from '../../shared/invisible';

export const SafeText = memo(function SafeText({ text, max }: { text: string | null | undefined; max?: number }) {
  if (text == null || text === '') return null;
  const s = max != null ? excerpt(text, max) : text;
  const parts = invisibleParts(s);
  if (parts.length === 1 && typeof parts[0] === 'string') return <>{parts[0]}</>;
  return (
    <>
      {parts.map((p, i) => (typeof p === 'string'
        ? p
        : <span key={i} className="invisible-mark" data-testid="invisible-mark" title={`Invisible character U+${p.code.toString(16).toUpperCase().padStart(4, '0')}`}>{p.mark}</span>))}
    </>
  );
});
