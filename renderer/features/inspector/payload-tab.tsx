import { useMemo } from 'react';
import type { EventDetail } from '../../../shared/types';
import { JsonTree } from '../../ui/json-tree';
import { parseBody } from './payload';
import { useMask } from '../privacy/privacy';

export function PayloadTab({ event: e }: { event: EventDetail }) {
  const mask = useMask();
  const parsed = useMemo(() => parseBody(mask.request(e.request)), [e.request, mask]);
  const raw = useMemo(() => mask.json(e.raw), [e.raw, mask]);
  return (
    <div className="tab-body" data-testid="panel-payload">
      {parsed.kind === 'json' && <JsonTree value={parsed.value} />}
      {parsed.kind === 'form' && (
        <>
          <p className="muted">Form-encoded body, shown as fields.</p>
          <JsonTree value={parsed.value} />
        </>
      )}
      {parsed.kind === 'text' && (
        <>
          <div className="notice notice-error">The body is not valid JSON{parsed.error ? `: ${parsed.error}` : ''}. Shown as text.</div>
          <pre className="code-block">{parsed.text}</pre>
        </>
      )}
      {parsed.kind === 'binary' && <p className="muted">The body is not text; see the hex dump in Raw.</p>}
      {parsed.kind === 'empty' && <p className="muted">The request had no body.</p>}
      {e.raw !== undefined && (
        <details className="raw-object">
          <summary>The provider object this event came from</summary>
          <JsonTree value={raw} rootLabel="raw" testId="raw-json-tree" />
        </details>
      )}
    </div>
  );
}
