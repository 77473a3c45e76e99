// The Tools panel: forwarding to local handlers (each handler's outbox), the simulator, export of the
// current filter, import, and bulk replay.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { SimulateResult } from '../../../shared/ipc';
import type { EventFilter, ForwardTargetSummary } from '../../../shared/types';
import { resolveToken } from '../../state/bridge';
import { useApp, useAppStore } from '../../state/hooks';
import { usePrivacy } from '../privacy/privacy';
import {
  buildSimulateArgs, DEFAULT_SIMULATOR_FORM, detectImportFormat, errorCodeOptions, EXPORT_FORMATS, exportHref,
  META_MESSAGE_TYPES, sequenceFor, STATUS_SEQUENCES, TWILIO_MESSAGE_TYPES, type ExportFormatId, type SimulatorForm,
} from './tools-helpers';

export function ToolsPanel() {
  return (
    <div className="tools-panel" data-testid="tools-panel">
      <ForwardSection />
      <SimulatorSection />
      <ExportSection />
      <ImportSection />
      <ReplayFilteredSection />
    </div>
  );
}

/** How often the Forward section asks for the outbox's counts while it is open. */
const FORWARD_REFRESH_MS = 2000;

/**
 * Tools → Forward: per handler, what waits (queued, retrying), what was delivered and given up in the last
 * 24 hours, the last error, and "Retry now" / "Drop" (docs/api.md "Forwards"). Every string is rendered
 * as text: a handler's error can quote what it answered.
 */
function ForwardSection() {
  const store = useAppStore();
  const [targets, setTargets] = useState<ForwardTargetSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const load = useCallback(async () => {
    const r = await store.getState().forwardsSummary();
    if (r.ok) { setTargets(r.value); setError(null); } else setError(r.error);
  }, [store]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), FORWARD_REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);
  const act = async (what: 'retry' | 'drop', target: string) => {
    const r = what === 'retry' ? await store.getState().forwardsRetry(target) : await store.getState().forwardsDrop(target);
    setMsg(r.ok ? (what === 'retry' ? `${r.value} forward${r.value === 1 ? '' : 's'} sent again now.` : `${r.value} forward${r.value === 1 ? '' : 's'} dropped.`) : r.error);
    void load();
  };
  return (
    <section className="panel-section" data-testid="forward-section">
      <h3 className="section-title">Forward</h3>
      <p className="muted small">Every webhook goes to each handler in the order received; a handler that is down, slow or answers 5xx gets retries, and what waits is kept on disk across restarts. Set the handlers in Settings (or --forward-to).</p>
      {error && <div className="field-error" role="alert">{error}</div>}
      {targets && targets.length === 0 && <p className="small" data-testid="forward-none">No handler set.</p>}
      {targets && targets.length > 0 && (
        <table className="small" data-testid="forward-targets">
          <thead><tr><th scope="col">Handler</th><th scope="col">Queued</th><th scope="col">Retrying</th><th scope="col">Delivered (24 h)</th><th scope="col">Given up</th><th scope="col">Last error</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {targets.map((t) => (
              <tr key={t.target} data-testid="forward-target">
                <td><code>{t.target}</code>{!t.configured && <span className="muted"> (no longer set)</span>}</td>
                <td data-testid="forward-queued">{t.queued}</td>
                <td data-testid="forward-retrying">{t.retrying}{t.nextAttemptAt != null && <span className="muted"> · next {new Date(t.nextAttemptAt).toLocaleTimeString()}</span>}</td>
                <td data-testid="forward-delivered">{t.delivered}</td>
                <td data-testid="forward-given-up">{t.givenUp}</td>
                <td className="muted">{t.lastError ?? '—'}</td>
                <td>
                  <button type="button" className="btn btn-xs" data-admin-only disabled={t.queued + t.retrying + t.givenUp === 0} onClick={() => void act('retry', t.target)} data-testid="forward-retry">Retry now</button>{' '}
                  <button type="button" className="btn btn-xs btn-ghost" data-admin-only disabled={t.queued + t.retrying === 0} onClick={() => void act('drop', t.target)} data-testid="forward-drop">Drop</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {msg && <div className="small" role="status" data-testid="forward-result">{msg}</div>}
    </section>
  );
}

function filterWords(f: EventFilter): string {
  const parts: string[] = [];
  if (f.status?.length) parts.push(`status ${f.status.join(', ')}`);
  if (f.kind?.length) parts.push(`kind ${f.kind.join(', ')}`);
  if (f.provider?.length) parts.push(`provider ${f.provider.join(', ')}`);
  if (f.signature?.length) parts.push(`signature ${f.signature.join(', ')}`);
  if (f.contact) parts.push(`contact ${f.contact}`);
  if (f.q) parts.push(`“${f.q}”`);
  if (f.messageId) parts.push(`message ${f.messageId}`);
  if (f.since != null || f.until != null) parts.push('a time range');
  return parts.length ? parts.join(' · ') : 'all events';
}

function SimulatorSection() {
  const store = useAppStore();
  const [form, setForm] = useState<SimulatorForm>(DEFAULT_SIMULATOR_FORM);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: true; value: SimulateResult } | { ok: false; error: string } | null>(null);
  const patch = (p: Partial<SimulatorForm>) => setForm((f) => ({ ...f, ...p }));
  const types = form.provider === 'twilio' ? TWILIO_MESSAGE_TYPES : META_MESSAGE_TYPES;
  const sequences = STATUS_SEQUENCES[form.provider];
  const statuses = sequenceFor(form.provider, form.sequence);
  const fails = statuses.includes('failed') || statuses.includes('undelivered');
  const codes = useMemo(() => errorCodeOptions(form.provider), [form.provider]);

  const send = async () => {
    const built = buildSimulateArgs(form);
    if ('error' in built) { setResult({ ok: false, error: built.error }); return; }
    setBusy(true);
    setResult(null);
    const r = await store.getState().simulateSend(built.args);
    setBusy(false);
    setResult(r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error });
  };

  return (
    <form className="panel-section" data-admin-only data-testid="simulator" onSubmit={(ev) => { ev.preventDefault(); void send(); }}>
      <h3 className="section-title">Simulator</h3>
      <p className="muted small">Builds provider-shaped webhooks, signs them with your secret and sends them through the receiver (or the public URL).</p>
      <div className="form-grid">
        <label>Kind
          <select value={form.kind} onChange={(ev) => patch({ kind: ev.target.value as SimulatorForm['kind'] })} data-testid="sim-kind">
            <option value="message">incoming message</option>
            <option value="status">status updates</option>
          </select>
        </label>
        <label>Provider
          <select value={form.provider} data-testid="sim-provider" onChange={(ev) => {
            const provider = ev.target.value as SimulatorForm['provider'];
            const allowed: readonly string[] = provider === 'twilio' ? TWILIO_MESSAGE_TYPES : META_MESSAGE_TYPES;
            patch({ provider, sequence: STATUS_SEQUENCES[provider][0].id, errorCode: '', batch: provider === 'twilio' ? false : form.batch,
              messageType: allowed.includes(form.messageType) ? form.messageType : 'text' });
          }}>
            <option value="meta">Meta</option>
            <option value="twilio">Twilio</option>
          </select>
        </label>
        {form.kind === 'message' ? (
          <>
            <label>Message type
              <select value={form.messageType} onChange={(ev) => patch({ messageType: ev.target.value })} data-testid="sim-type">
                {types.map((t) => <option key={t} value={t}>{t}</option>)}
              </select>
            </label>
            <label className="span-2">Text
              <input className="input" value={form.text} placeholder="Hello from the simulator" onChange={(ev) => patch({ text: ev.target.value })} data-testid="sim-text" />
            </label>
          </>
        ) : (
          <>
            <label className="span-2">Statuses
              <select value={form.sequence} onChange={(ev) => patch({ sequence: ev.target.value })} data-testid="sim-sequence">
                {sequences.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
              </select>
            </label>
            {fails && (
              <label className="span-2">Error code
                <select value={form.errorCode} onChange={(ev) => patch({ errorCode: ev.target.value })} data-testid="sim-error-code">
                  <option value="">default</option>
                  {codes.map((c) => <option key={c.code} value={c.code}>{c.label}</option>)}
                </select>
              </label>
            )}
          </>
        )}
        <label>Contact
          <input className="input" value={form.contactId} placeholder="5511987654321" inputMode="numeric" onChange={(ev) => patch({ contactId: ev.target.value })} data-testid="sim-contact" />
        </label>
        <label>Delay between (ms)
          <input className="input" value={form.delayMs} inputMode="numeric" onChange={(ev) => patch({ delayMs: ev.target.value })} data-testid="sim-delay" />
        </label>
        <label>Target
          <select value={form.target} onChange={(ev) => patch({ target: ev.target.value as SimulatorForm['target'] })} data-testid="sim-target">
            <option value="receiver">receiver (in process)</option>
            <option value="public">public URL (through the tunnel)</option>
          </select>
        </label>
      </div>
      <fieldset className="chaos">
        <legend className="small muted">Chaos</legend>
        <label title="Every step in one POST (Meta only)">
          <input type="checkbox" checked={form.batch} disabled={form.provider === 'twilio'} onChange={(ev) => patch({ batch: ev.target.checked })} data-testid="sim-batch" /> batch
        </label>
        <label title="Shuffle the order the steps arrive in">
          <input type="checkbox" checked={form.reorder} onChange={(ev) => patch({ reorder: ev.target.checked })} data-testid="sim-reorder" /> reorder
        </label>
        <label title="Deliver the first step again at the end">
          <input type="checkbox" checked={form.duplicate} onChange={(ev) => patch({ duplicate: ev.target.checked })} data-testid="sim-duplicate" /> duplicate
        </label>
      </fieldset>
      <div className="panel-row">
        <button type="submit" className="btn" disabled={busy} data-testid="sim-send">{busy ? 'Sending…' : 'Send'}</button>
        {result && result.ok && (
          <span className="small" data-testid="sim-result">
            Sent {result.value.sent} webhook{result.value.sent === 1 ? '' : 's'} · answered {result.value.statuses.join(', ') || '—'}
          </span>
        )}
      </div>
      {result && !result.ok && <div className="field-error" role="alert" data-testid="sim-error">{result.error}</div>}
    </form>
  );
}

function ExportSection() {
  const store = useAppStore();
  const filter = useApp((s) => s.filter);
  const isDesktop = useApp((s) => s.isDesktop);
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  const token = useMemo(() => {
    if (isDesktop) return null;
    let storage: Storage | null = null;
    try { storage = sessionStorage; } catch { /* disabled */ }
    return resolveToken(location.search, storage);
  }, [isDesktop]);

  // Redacted by default while privacy mode is on: what is on screen is what would be shared. The default
  // follows the switch the moment it changes, also while this panel is open; the box can still be changed.
  const privacyOn = usePrivacy((s) => s.on);
  const [redact, setRedact] = useState(privacyOn);
  useEffect(() => { setRedact(privacyOn); }, [privacyOn]);
  const save = async (format: ExportFormatId) => {
    setMsg(null);
    const r = await store.getState().exportSave(format, redact);
    if (!r.ok) setMsg({ error: true, text: r.error });
    else setMsg({ error: false, text: r.value.saved ? `Saved to ${r.value.path ?? 'the chosen file'}.` : 'Cancelled.' });
  };

  return (
    <section className="panel-section" data-testid="export">
      <h3 className="section-title">Export</h3>
      <p className="muted small">The current filter: <span data-testid="export-filter">{filterWords(filter)}</span>.</p>
      <label className="panel-row small" title="Names, numbers and message text become stable pseudonyms (also inside the bodies); signature and token headers are left out">
        <input type="checkbox" checked={redact} onChange={(ev) => setRedact(ev.target.checked)} data-testid="export-redact" />
        Redact personal data (names, numbers, message text) — for sharing
      </label>
      <div className="panel-row">
        {EXPORT_FORMATS.map(({ format, label }) => isDesktop ? (
          <button key={format} type="button" className="btn btn-xs" onClick={() => void save(format)} data-testid={`export-${format}`}>{label}</button>
        ) : token ? (
          <a key={format} className="btn btn-xs" href={exportHref(format, filter, token, '', redact)} download data-testid={`export-${format}`}>{label}</a>
        ) : null)}
      </div>
      {!isDesktop && !token && <p className="field-error">No token in this page's address: reopen the address printed by serve.</p>}
      {msg && <div className={msg.error ? 'field-error' : 'muted small'} role={msg.error ? 'alert' : undefined}>{msg.text}</div>}
    </section>
  );
}

function ImportSection() {
  const store = useAppStore();
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ error: boolean; text: string; details?: string[] } | null>(null);
  const onFile = async (file: File | undefined, input: HTMLInputElement) => {
    if (!file) return;
    setBusy(true);
    setMsg(null);
    try {
      const text = await file.text();
      const format = detectImportFormat(file.name, text);
      const r = await store.getState().importFile(text, format);
      if (r.ok) {
        setMsg({
          error: false,
          text: `Imported ${r.value.imported} request${r.value.imported === 1 ? '' : 's'} from ${format.toUpperCase()}${r.value.skipped ? `, skipped ${r.value.skipped}` : ''}.`,
          details: r.value.errors.slice(0, 5),
        });
      } else {
        setMsg({ error: true, text: r.error });
      }
    } catch (err) {
      setMsg({ error: true, text: `Could not read the file: ${(err as Error).message}` });
    } finally {
      setBusy(false);
      input.value = '';
    }
  };
  return (
    <section className="panel-section" data-admin-only data-testid="import">
      <h3 className="section-title">Import</h3>
      <p className="muted small">A HAR file (from browser dev tools, Hookscope or another capture) or Hookscope NDJSON with requests. Imported requests are normalised like live ones; they are not forwarded.</p>
      <input type="file" accept=".har,.ndjson,.jsonl,.json,application/json" disabled={busy} aria-label="File to import (HAR or NDJSON)"
        onChange={(ev) => void onFile(ev.target.files?.[0], ev.target)} data-testid="import-file" />
      {busy && <span className="muted small"> Importing…</span>}
      {msg && (
        <div className={msg.error ? 'field-error' : 'small'} role={msg.error ? 'alert' : undefined} data-testid="import-result">
          {msg.text}
          {msg.details?.length ? <ul className="small muted">{msg.details.map((d, i) => <li key={i}>{d}</li>)}</ul> : null}
        </div>
      )}
    </section>
  );
}

function ReplayFilteredSection() {
  const store = useAppStore();
  const filter = useApp((s) => s.filter);
  const total = useApp((s) => s.total);
  const [confirming, setConfirming] = useState(false);
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ error: boolean; text: string } | null>(null);
  const run = async () => {
    setBusy(true);
    setConfirming(false);
    const r = await store.getState().replayFiltered(target.trim() || undefined);
    setBusy(false);
    setMsg(r.ok ? { error: false, text: `Replayed ${r.value.replayed}${r.value.failed ? `, ${r.value.failed} failed` : ''}.` } : { error: true, text: r.error });
  };
  return (
    <section className="panel-section" data-testid="replay-filtered-section">
      <h3 className="section-title">Replay all matching the filter</h3>
      <p className="muted small">Sends the requests behind {filterWords(filter)} ({total} event{total === 1 ? '' : 's'}) again, once per request.</p>
      <div className="panel-row">
        <input className="input grow" value={target} placeholder="receiver (default), or a handler URL" onChange={(ev) => setTarget(ev.target.value)} data-testid="replay-filtered-target" />
        {!confirming ? (
          <button type="button" className="btn btn-xs" disabled={busy || total === 0} onClick={() => setConfirming(true)} data-admin-only data-testid="replay-filtered">{busy ? 'Replaying…' : 'Replay all…'}</button>
        ) : null}
      </div>
      {confirming && (
        <div className="notice" role="alertdialog" aria-label="Confirm replay" data-testid="replay-filtered-confirm">
          Replay the requests of {total} event{total === 1 ? '' : 's'} to {target.trim() || 'the receiver'}? New requests will be stored.{' '}
          <button type="button" className="btn btn-xs" onClick={() => void run()} data-testid="replay-filtered-yes">Replay</button>{' '}
          <button type="button" className="btn btn-xs btn-ghost" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      )}
      {msg && <div className={msg.error ? 'field-error' : 'small'} role={msg.error ? 'alert' : undefined} data-testid="replay-filtered-result">{msg.text}</div>}
    </section>
  );
}
