// The Health panel: each health check (docs/api.md "Health checks") with its state (ok / firing since …),
// a chart of the value it watches against its threshold, the events behind it one click away (as the
// feed's filter), when it fired and recovered, and its switch and thresholds. Reloads as events arrive,
// as notifications come in (firing and recovery are notifications) and every half minute while open.
import { useEffect, useRef, useState } from 'react';
import { HEALTH_PRESETS, healthStateWords, type HealthCheck, type HealthParams } from '../../../shared/health';
import type { EventFilter, Rule } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';
import { usePanel } from '../../state/panel-state';
import { formatDateTime, formatTime } from '../../ui/format';
import { useMask } from '../privacy/privacy';
import { sparkline } from './sparkline';

/** Least time between two reloads caused by pushes; and the reload period while the panel is open. */
const REFRESH_MS = 5_000;
const PERIOD_MS = 30_000;

export function HealthPanel() {
  const store = useAppStore();
  const health = useApp((s) => s.health);
  const flushCount = useApp((s) => s.flushCount);
  const unread = useApp((s) => s.unreadNotifications);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    last.current = Date.now();
    void store.getState().loadHealth();
    const every = setInterval(() => { last.current = Date.now(); void store.getState().loadHealth(); }, PERIOD_MS);
    return () => { clearInterval(every); if (timer.current) clearTimeout(timer.current); };
  }, [store]);

  // New events or notifications: read again, at most once per REFRESH_MS.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      void store.getState().loadHealth();
    }, Math.max(0, last.current + REFRESH_MS - Date.now()));
  }, [flushCount, unread, store]);

  const checks = health.checks;
  return (
    <div className="health-panel" data-testid="health-panel">
      <div className="panel-row">
        <p className="muted small grow">Checks watch what single events cannot show: silence, failure rates, stuck messages, signatures, quality. Firing and recovery are notified.</p>
        {health.at != null && <span className="muted small" data-testid="health-updated">Checked {formatTime(health.at)}</span>}
      </div>
      {health.error && <p className="field-error" role="alert" data-testid="health-error">{health.error}</p>}
      {checks == null ? (
        !health.error && <p className="muted">Loading…</p>
      ) : (
        <ul className="health-list">
          {[...checks].sort((a, b) => rank(a) - rank(b)).map((c) => <CheckItem key={c.id} check={c} />)}
        </ul>
      )}
    </div>
  );
}

/** Firing first, then on, then off; in preset order within each. */
const rank = (c: HealthCheck) => (c.state === 'firing' ? 0 : c.state === 'ok' ? 10 : 20) + Object.keys(HEALTH_PRESETS).indexOf(c.id);

function CheckItem({ check: c }: { check: HealthCheck }) {
  const store = useAppStore();
  const canAdmin = useApp((s) => s.identity?.role !== 'viewer');
  const mask = useMask();
  const rules = useApp((s) => s.rules);
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingId = `health-${c.id}-name`;

  const update = async (change: { enabled?: boolean; params?: HealthParams }) => {
    setBusy(true);
    setError(null);
    const r = await store.getState().updateHealth(c.id, change);
    setBusy(false);
    if (!r.ok) setError(r.error);
    return r.ok;
  };
  const show = (filter: EventFilter) => {
    const s = store.getState();
    s.setView('events');
    s.replaceFilter(filter);
    usePanel.getState().close();
  };

  return (
    <li className={`health-item health-${c.state}`} data-testid={`health-${c.id}`} data-state={c.state} aria-labelledby={headingId}>
      <div className="panel-row">
        <label className="inline-check" title={c.enabled ? 'On: click to turn off' : 'Off: click to turn on'}>
          <input type="checkbox" checked={c.enabled} disabled={busy || !canAdmin} data-admin-only data-testid="health-toggle"
            aria-label={`Watch ${c.name}`} onChange={(ev) => void update({ enabled: ev.target.checked })} />
        </label>
        <h3 className="section-title grow" id={headingId}>{c.name}</h3>
        <span className={`health-state health-state-${c.state}`} data-testid="health-state">
          {healthStateWords(c, (ms) => formatDateTime(ms).slice(0, 16))}
        </span>
      </div>
      <p className="muted small">Watches {c.watches}.</p>
      {c.enabled && (
        <>
          {c.summary && <p className="wrap-words" data-testid="health-summary">{mask.text(c.summary)}</p>}
          <Chart check={c} />
          <div className="panel-row health-links">
            {c.filter && (
              <button type="button" className="btn btn-xs" data-testid="health-events" onClick={() => show(c.filter!)}>Show the events</button>
            )}
            {c.id === 'signatures' && (
              <button type="button" className="btn btn-xs" data-testid="health-rejected" onClick={() => usePanel.getState().open('rejected')}>Open the rejected log</button>
            )}
          </div>
          {c.messageIds && c.messageIds.length > 0 && (
            <ul className="health-ids" aria-label="Stuck messages" data-testid="health-stuck-ids">
              {c.messageIds.map((id) => (
                <li key={id}>
                  <button type="button" className="btn btn-xs btn-ghost mono" title="Show this message's events" onClick={() => show({ messageId: id })}>{mask.id(id)}</button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="panel-row">
        <span className="muted small grow" data-testid="health-params">{paramWords(c, rules)}</span>
        <button type="button" className="btn btn-xs" data-admin-only disabled={!canAdmin} aria-expanded={editing} data-testid="health-edit"
          onClick={() => setEditing((e) => !e)}>{editing ? 'Close' : 'Thresholds…'}</button>
      </div>
      {editing && <ParamsForm check={c} busy={busy} onSave={async (params) => { if (await update({ params })) setEditing(false); }} />}
      <History check={c} />
    </li>
  );
}

function Chart({ check: c }: { check: HealthCheck }) {
  const W = 240;
  const H = 48;
  if (c.series.length === 0) return null;
  const s = sparkline(c.series, c.threshold, W, H);
  const lastValue = c.series[c.series.length - 1].value;
  const unit = c.unit === '%' ? ' %' : ` ${c.unit}`;
  const label = `${c.name}: ${c.watches}, from ${formatTime(c.series[0].at)} to ${formatTime(c.series[c.series.length - 1].at)}; now ${lastValue}${unit}${c.threshold != null ? `, fires at ${c.threshold}${unit}` : ''}.`;
  return (
    <figure className="health-chart" data-testid="health-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={label}>
        {s.thresholdY != null && <line x1={0} x2={W} y1={s.thresholdY} y2={s.thresholdY} className="health-threshold" data-testid="health-threshold" />}
        <polyline points={s.points} className="health-line" fill="none" />
      </svg>
      <figcaption className="muted small">now {lastValue}{unit}{c.threshold != null && <> · fires at {c.threshold}{unit}</>}</figcaption>
    </figure>
  );
}

function History({ check: c }: { check: HealthCheck }) {
  const mask = useMask();
  if (c.history.length === 0) return null;
  return (
    <details className="health-history" data-testid="health-history">
      <summary>Fired {c.history.length === 1 ? 'once' : `${c.history.length} times`}</summary>
      <ul>
        {c.history.map((h) => (
          <li key={h.id} className="small">
            <time dateTime={new Date(h.firedAt).toISOString()}>{formatDateTime(h.firedAt)}</time>
            {' → '}
            {h.recoveredAt != null ? <>recovered <time dateTime={new Date(h.recoveredAt).toISOString()}>{formatDateTime(h.recoveredAt)}</time></> : <strong>still firing</strong>}
            <span className="muted wrap-words"> — {mask.text(h.summary)}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

const LABELS: Record<keyof HealthParams, string> = {
  minutes: 'Minutes', provider: 'Provider', businessId: 'Business number id', from: 'Working hours from', to: 'to',
  percent: 'Fire at (per cent)', windowMinutes: 'Window (minutes)', minSent: 'At least (messages)', errorCode: 'Error code only', count: 'Fire at (count)',
  ruleId: 'Also post to (a rule\'s HTTP actions)',
};
const NUMERIC = new Set<keyof HealthParams>(['minutes', 'percent', 'windowMinutes', 'minSent', 'count']);

function paramWords(c: HealthCheck, rules: readonly Rule[]): string {
  return HEALTH_PRESETS[c.id].params
    .filter((k) => c.params[k] != null && c.params[k] !== '')
    .map((k) => k === 'ruleId' ? `posts to “${rules.find((r) => r.id === c.params.ruleId)?.name ?? `rule #${c.params.ruleId}`}”`
      : `${LABELS[k].toLowerCase()} ${String(c.params[k])}`).join(' · ');
}

/** Rules with an http action: what a check may post to. */
const postable = (rules: readonly Rule[]) => rules.filter((r) => (r.actions ?? []).some((a) => a.type === 'http'));

function ParamsForm({ check: c, busy, onSave }: { check: HealthCheck; busy: boolean; onSave(p: HealthParams): void }) {
  const keys = HEALTH_PRESETS[c.id].params;
  const rules = postable(useApp((s) => s.rules));
  const [form, setForm] = useState<Record<string, string>>(() => Object.fromEntries(keys.map((k) => [k, c.params[k] == null ? '' : String(c.params[k])])));
  const submit = () => {
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = (form[k] ?? '').trim();
      if (NUMERIC.has(k)) { if (v !== '') out[k] = Number(v); } else if (k === 'ruleId') out[k] = v === '' ? null : Number(v); else out[k] = v === '' ? null : v;
    }
    onSave(out as HealthParams);
  };
  return (
    <form className="form-grid health-form" data-testid="health-form" onSubmit={(ev) => { ev.preventDefault(); submit(); }}>
      {keys.map((k) => (
        <label key={k}>{c.id === 'stuck' && k === 'minutes' ? 'Minutes at sent' : c.id === 'silence' && k === 'minutes' ? 'Minutes without a webhook' : LABELS[k]}
          {k === 'ruleId' ? (
            <select className="input" value={form[k]} onChange={(ev) => setForm({ ...form, [k]: ev.target.value })} data-testid={`health-param-${k}`}>
              <option value="">Nowhere (notifications only)</option>
              {rules.map((r) => <option key={r.id} value={String(r.id)}>{r.name}</option>)}
            </select>
          ) : k === 'provider' ? (
            <select className="input" value={form[k]} onChange={(ev) => setForm({ ...form, [k]: ev.target.value })} data-testid={`health-param-${k}`}>
              <option value="">Either</option>
              <option value="meta">Meta</option>
              <option value="twilio">Twilio</option>
            </select>
          ) : (
            <input className="input" type={NUMERIC.has(k) ? 'number' : k === 'from' || k === 'to' ? 'time' : 'text'} min={NUMERIC.has(k) ? 1 : undefined}
              value={form[k]} onChange={(ev) => setForm({ ...form, [k]: ev.target.value })} data-testid={`health-param-${k}`} />
          )}
        </label>
      ))}
      <div className="span-2">
        <button type="submit" className="btn btn-xs" disabled={busy} data-testid="health-save">Save</button>
      </div>
    </form>
  );
}
