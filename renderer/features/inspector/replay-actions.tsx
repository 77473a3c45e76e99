// The inspector's request tools: Replay as is, Edit & replay (body, headers, target), Copy as cURL.
import { useEffect, useState } from 'react';
import type { ArgsOf, ReplayResult } from '../../../shared/ipc';
import type { EventDetail } from '../../../shared/types';
import { useAppStore } from '../../state/hooks';
import { copyText } from '../../ui/copy';
import { formatDuration } from '../../ui/format';
import { headerEdits, headersToText, parseHeadersText, replayTarget } from './replay-helpers';
import { useMask, usePrivacy } from '../privacy/privacy';

type Outcome = { ok: true; value: ReplayResult } | { ok: false; error: string };

export function ReplayActions({ event: e }: { event: EventDetail }) {
  const store = useAppStore();
  const req = e.request;
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [editing, setEditing] = useState(false);
  const [curlState, setCurlState] = useState<string | null>(null);
  // The editor shows the original body: not while privacy mode is on.
  const privacyOn = useMask().on;

  // A different request: forget the previous answer and close the editor.
  useEffect(() => {
    setOutcome(null);
    setEditing(false);
    setCurlState(null);
  }, [req.id]);

  const replay = async (args: ArgsOf<'replay:send'>) => {
    setBusy(true);
    setOutcome(null);
    const r = await store.getState().replaySend(args);
    setBusy(false);
    setOutcome(r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error });
    // A forward to a URL is recorded on this request: show it.
    if (r.ok && r.value.target !== 'receiver') void store.getState().refreshDetail();
  };

  const copyCurl = async () => {
    setCurlState('…');
    // Privacy mode at the moment of the click decides: what lands on the clipboard is what the screen shows.
    const r = await store.getState().requestCurl(req.id, usePrivacy.getState().on);
    if (!r.ok) { setCurlState(`cURL failed: ${r.error}`); return; }
    setCurlState((await copyText(r.value)) ? 'Copied' : 'Copy failed');
    setTimeout(() => setCurlState(null), 1500);
  };

  return (
    <div className="replay-actions" data-testid="replay-actions">
      <div className="panel-row">
        <button type="button" className="btn btn-xs" data-admin-only disabled={busy} onClick={() => void replay({ requestId: req.id })} data-testid="replay">Replay</button>
        <button type="button" className="btn btn-xs" data-admin-only aria-expanded={editing && !privacyOn} disabled={privacyOn} title={privacyOn ? 'Turn privacy mode off to edit the original body' : undefined} onClick={() => setEditing((v) => !v)} data-testid="edit-replay">Edit &amp; replay</button>
        <button type="button" className="btn btn-xs" onClick={() => void copyCurl()} data-testid="copy-curl">{curlState && curlState.length < 14 ? curlState : 'Copy as cURL'}</button>
        {busy && <span className="muted small">Replaying…</span>}
      </div>
      {curlState && curlState.length >= 14 && <div className="field-error">{curlState}</div>}
      {editing && !privacyOn && <ReplayEditor event={e} busy={busy} onSend={(args) => void replay(args)} />}
      {outcome && <ReplayOutcome outcome={outcome} />}
    </div>
  );
}

function ReplayOutcome({ outcome }: { outcome: Outcome }) {
  if (!outcome.ok) return <div className="field-error" role="alert" data-testid="replay-result">Replay failed: {outcome.error}</div>;
  const r = outcome.value;
  const good = r.status != null && r.status < 400;
  return (
    <div className={`notice${good ? '' : ' notice-error'}`} data-testid="replay-result">
      {r.status != null ? <>Answered <strong data-testid="replay-status">HTTP {r.status}</strong></> : <>No answer</>}
      {' '}from {r.target === 'receiver' ? 'the receiver' : <code className="wrap">{r.target}</code>} in {formatDuration(r.durationMs)}
      {' · '}<span data-testid="replay-resigned">{r.resigned ? 're-signed with your secret' : 'original signature kept'}</span>
      {r.requestId != null && <> · stored as request #{r.requestId}</>}
      {r.error && <div className="notice-detail">{r.error}</div>}
    </div>
  );
}

function ReplayEditor({ event: e, busy, onSend }: { event: EventDetail; busy: boolean; onSend(args: { requestId: number; body?: string; headers?: Record<string, string>; target?: string }): void }) {
  const req = e.request;
  const [body, setBody] = useState(req.bodyIsText ? req.body : '');
  const [headersText, setHeadersText] = useState(() => headersToText(req.headers));
  const [mode, setMode] = useState<'receiver' | 'url'>('receiver');
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = () => {
    const parsed = parseHeadersText(headersText);
    if ('error' in parsed) { setError(`Headers: ${parsed.error}`); return; }
    const target = replayTarget(mode, url);
    if (!target) { setError('Target: a full http:// or https:// URL.'); return; }
    setError(null);
    const edits = headerEdits(req.headers, parsed.headers);
    onSend({
      requestId: req.id,
      ...(req.bodyIsText && body !== req.body ? { body } : {}),
      ...(Object.keys(edits).length ? { headers: edits } : {}),
      target,
    });
  };

  return (
    <form className="replay-editor" data-admin-only data-testid="replay-editor" onSubmit={(ev) => { ev.preventDefault(); submit(); }}>
      <label className="small muted" htmlFor="replay-body">Body</label>
      {req.bodyIsText ? (
        <textarea id="replay-body" className="input textarea mono" rows={8} value={body} spellCheck={false} onChange={(ev) => setBody(ev.target.value)} data-testid="replay-body" />
      ) : (
        <p className="muted small">The body is binary: it is replayed as stored.</p>
      )}
      <label className="small muted" htmlFor="replay-headers">Headers (one “name: value” per line; delete a line to drop it)</label>
      <textarea id="replay-headers" className="input textarea mono" rows={5} value={headersText} spellCheck={false} onChange={(ev) => setHeadersText(ev.target.value)} data-testid="replay-headers" />
      <div className="panel-row">
        <label><input type="radio" name="replay-target" checked={mode === 'receiver'} onChange={() => setMode('receiver')} /> receiver</label>
        <label><input type="radio" name="replay-target" checked={mode === 'url'} onChange={() => setMode('url')} data-testid="replay-target-url-mode" /> URL</label>
        {mode === 'url' && <input className="input grow" value={url} placeholder="http://localhost:3000/webhook" onChange={(ev) => setUrl(ev.target.value)} data-testid="replay-target-url" />}
      </div>
      <p className="muted small">An edited body is re-signed with your first secret, unless you change the signature header yourself.</p>
      {error && <div className="field-error" role="alert">{error}</div>}
      <button type="submit" className="btn btn-xs" disabled={busy} data-testid="replay-send">Send</button>
    </form>
  );
}
