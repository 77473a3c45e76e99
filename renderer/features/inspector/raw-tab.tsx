import { useMemo, useState } from 'react';
import type { EventDetail } from '../../../shared/types';
import { CopyButton } from '../../ui/copy-button';
import { formatBytes } from '../../ui/format';
import { base64ToBytes, hexDump } from '../../ui/hex-dump';
import { useMask } from '../privacy/privacy';
import { escapeInvisible } from '../../../shared/invisible';

/** Longer bodies show their start until asked: laying out a megabyte of unbroken text freezes the page. */
const RAW_CUT = 64 * 1024;

export function RawTab({ event: e }: { event: EventDetail }) {
  const mask = useMask();
  // Privacy mode: the body is pseudonymised field by field, and a binary one is not dumped at all.
  const req = useMemo(() => mask.request(e.request), [e.request, mask]);
  const [all, setAll] = useState(false);
  const cut = req.bodyIsText && !all && req.body.length > RAW_CUT;
  const dump = useMemo(() => {
    if (req.bodyIsText) return null;
    try {
      return hexDump(base64ToBytes(req.body));
    } catch {
      return 'The stored body could not be decoded.';
    }
  }, [req.body, req.bodyIsText]);
  // The raw view shows what was received, so invisible characters are written as escapes (\u202E), not
  // markers: what a developer would type to find them (shared/invisible.ts).
  const shown = useMemo(() => (req.bodyIsText ? escapeInvisible(cut ? `${req.body.slice(0, RAW_CUT)}…` : req.body) : ''), [req.body, req.bodyIsText, cut]);
  const target = `${req.path}${req.query ? `?${req.query}` : ''}`;
  return (
    <div className="tab-body" data-testid="panel-raw">
      <div className="request-line">
        <code><strong>{req.method}</strong> {target}</code>
        <span className="muted"> → HTTP {req.responseStatus}</span>
      </div>
      <h3 className="section-title">Headers ({req.headers.length})</h3>
      <table className="table headers-table">
        <tbody>
          {req.headers.map(([k, v], i) => (
            <tr key={i}>
              <th scope="row"><code>{k}</code></th>
              <td><code className="wrap">{escapeInvisible(v)}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="section-title">
        Body <span className="muted">({formatBytes(req.bodySize)}{req.bodyIsText ? '' : ', binary'})</span>{' '}
        {req.bodyIsText && <CopyButton text={req.body} label="Copy body" />}
      </h3>
      {req.bodyIsText ? (
        <>
          <pre className="code-block" data-testid="raw-body">{shown}</pre>
          {cut && (
            <button type="button" className="btn btn-xs" data-testid="raw-show-all" onClick={() => setAll(true)}>
              Show all {formatBytes(req.bodySize)}
            </button>
          )}
        </>
      ) : (
        <pre className="code-block hex" data-testid="raw-hex">{dump}</pre>
      )}
    </div>
  );
}
