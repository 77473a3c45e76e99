// The Stats panel: over 1 h, 24 h or 7 d — the delivery funnel, failures by error code (explained),
// events per minute, and how fast forward targets answer against Meta's guidance. Follows new events.
import { useEffect, useRef, useState } from 'react';
import type { LatencyStats, StatsExtra } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';
import { formatDateTime, formatRowTime, formatTime } from '../../ui/format';
import {
  chartBars, failureRows, formatMs, formatRate, latencyMarks, MARK_TEXT, STATS_REFRESH_MS, STATS_WINDOWS, type Mark, type StatsWindowId,
} from './stats-helpers';

export function StatsPanel() {
  const store = useAppStore();
  const [win, setWin] = useState<StatsWindowId>('24h');
  const windowMs = STATS_WINDOWS.find((w) => w.id === win)!.ms;
  const insights = useApp((s) => s.insights);
  const flushCount = useApp((s) => s.flushCount);
  const lastLoad = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The window changed (or the panel opened): load now.
  useEffect(() => {
    lastLoad.current = Date.now();
    void store.getState().loadInsights(windowMs);
  }, [windowMs, store]);

  // Events arrived: refresh, at most once per STATS_REFRESH_MS.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    if (timer.current) return;
    const wait = Math.max(0, lastLoad.current + STATS_REFRESH_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      lastLoad.current = Date.now();
      void store.getState().loadInsights(windowMs);
    }, wait);
  }, [flushCount, windowMs, store]);
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);

  const data = insights.windowMs === windowMs ? insights.data : null;
  return (
    <div className="stats-panel" data-testid="stats-panel">
      <div className="panel-row">
        <div className="segmented" role="group" aria-label="Time window">
          {STATS_WINDOWS.map((w) => (
            <button key={w.id} type="button" className={`btn btn-xs${w.id === win ? ' is-active' : ''}`} aria-pressed={w.id === win}
              data-testid={`stats-window-${w.id}`} onClick={() => setWin(w.id)}>{w.label}</button>
          ))}
        </div>
        <span className="spacer" />
        {insights.loading && <span className="muted small">Updating…</span>}
        {insights.at != null && !insights.loading && <span className="muted small" data-testid="stats-updated">Updated {formatTime(insights.at)}</span>}
      </div>
      {insights.error && <p className="field-error" role="alert" data-testid="stats-error">{insights.error}</p>}
      {!data ? (
        !insights.error && <p className="muted">Loading…</p>
      ) : (
        <>
          <FunnelSection extra={data.extra} />
          <FailuresSection byErrorCode={data.stats.byErrorCode} />
          <PerMinuteSection extra={data.extra} />
          <LatencySection latency={data.extra.handlerLatency} />
          <PricingSection extra={data.extra} />
          <HistoryImportSection extra={data.extra} />
        </>
      )}
    </div>
  );
}

function FunnelSection({ extra }: { extra: StatsExtra }) {
  const f = extra.funnel;
  const steps = [
    { id: 'sent', label: 'Sent', count: f.sent, rate: null as number | null, rateLabel: '' },
    { id: 'delivered', label: 'Delivered', count: f.delivered, rate: f.rates.delivered, rateLabel: 'of sent' },
    { id: 'read', label: 'Read', count: f.read, rate: f.rates.read, rateLabel: 'of delivered' },
  ];
  const top = Math.max(1, f.sent, f.failed);
  return (
    <section className="panel-section" data-testid="stats-funnel">
      <h3 className="section-title">Delivery funnel</h3>
      <p className="muted small">{f.total} outgoing {f.total === 1 ? 'message' : 'messages'} with status updates in this window.</p>
      <ol className="funnel">
        {steps.map((s) => (
          <li key={s.id} className={`funnel-step funnel-${s.id}`} data-testid={`funnel-${s.id}`}>
            <span className="funnel-label">{s.label}</span>
            <span className="funnel-bar" aria-hidden="true"><span style={{ width: `${(s.count / top) * 100}%` }} /></span>
            <span className="funnel-count" data-testid={`funnel-${s.id}-count`}>{s.count}</span>
            <span className="funnel-rate muted small" data-testid={`funnel-${s.id}-rate`}>{s.rateLabel ? `${formatRate(s.rate)} ${s.rateLabel}` : ''}</span>
          </li>
        ))}
        <li className="funnel-step funnel-failed" data-testid="funnel-failed">
          <span className="funnel-label">Failed</span>
          <span className="funnel-bar" aria-hidden="true"><span style={{ width: `${(f.failed / top) * 100}%` }} /></span>
          <span className="funnel-count" data-testid="funnel-failed-count">{f.failed}</span>
          <span className="funnel-rate muted small" data-testid="funnel-failed-rate">{`${formatRate(f.rates.failed)} of all`}</span>
        </li>
      </ol>
    </section>
  );
}

function FailuresSection({ byErrorCode }: { byErrorCode: Record<string, number> }) {
  const rows = failureRows(byErrorCode);
  return (
    <section className="panel-section" data-testid="stats-failures">
      <h3 className="section-title">Errors by code (failed statuses and error events)</h3>
      {rows.length === 0 ? (
        <p className="muted small">No failed messages in this window.</p>
      ) : (
        <table className="table">
          <thead><tr><th>Code</th><th>Count</th><th>What it means · what to do</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.code} data-testid="failure-row">
                <td className="error-code">{r.code}</td>
                <td className="num">{r.count}</td>
                <td><strong>{r.title}</strong>{r.action && <div className="muted">{r.action}</div>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const CHART_W = 500;
const CHART_H = 80;

function PerMinuteSection({ extra }: { extra: StatsExtra }) {
  const { bars, max } = chartBars(extra.perMinute, CHART_W, CHART_H);
  const total = extra.perMinute.reduce((a, b) => a + b.total, 0);
  const per = bars[0]?.minutes ?? 1;
  return (
    <section className="panel-section" data-testid="stats-per-minute">
      <h3 className="section-title">Events per minute</h3>
      <p className="muted small" data-testid="stats-total">{total} {total === 1 ? 'event' : 'events'}{max > 0 ? ` · busiest ${per === 1 ? 'minute' : `${per}-minute bar`}: ${max}` : ''}</p>
      <svg className="minute-chart" viewBox={`0 0 ${CHART_W} ${CHART_H}`} preserveAspectRatio="none" role="img"
        aria-label={`Events per ${per === 1 ? 'minute' : `${per} minutes`}`} data-testid="stats-chart">
        <line x1={0} y1={CHART_H - 0.5} x2={CHART_W} y2={CHART_H - 0.5} className="chart-axis" />
        {bars.filter((b) => b.total > 0).map((b) => (
          <g key={b.t}>
            <rect x={b.x} y={b.y} width={b.w} height={b.h} className="chart-bar" data-testid="chart-bar">
              <title>{`${formatTime(b.t)}: ${b.total} ${b.total === 1 ? 'event' : 'events'}${b.failed ? `, ${b.failed} failed` : ''}`}</title>
            </rect>
            {b.failed > 0 && <rect x={b.x} y={CHART_H - (b.failed / max) * CHART_H} width={b.w} height={(b.failed / max) * CHART_H} className="chart-bar-failed" />}
          </g>
        ))}
      </svg>
      {extra.perMinute.length > 0 && (
        <div className="chart-range muted small"><span title={formatDateTime(extra.since)}>{formatRowTime(extra.since, extra.until)}</span><span title={formatDateTime(extra.until)}>{formatTime(extra.until)}</span></div>
      )}
    </section>
  );
}

function MarkBadge({ mark, testid }: { mark: Mark; testid: string }) {
  return <span className={`mark mark-${mark}`} data-testid={testid}>{MARK_TEXT[mark]}</span>;
}

function LatencySection({ latency }: { latency: LatencyStats }) {
  const marks = latencyMarks(latency);
  return (
    <section className="panel-section" data-testid="stats-latency">
      <h3 className="section-title">Handler latency (forwards)</h3>
      {latency.count === 0 && latency.errors === 0 ? (
        <p className="muted small" data-testid="latency-empty">No forwarded webhooks in this window. Add a forward target in Settings to measure your handler.</p>
      ) : (
        <>
          <dl className="fields">
            <div className="field"><dt>Answered</dt><dd>{latency.count}{latency.errors ? ` · ${latency.errors} without an answer` : ''}</dd></div>
            <div className="field"><dt>p50 · p95 · p99</dt><dd data-testid="latency-percentiles">{formatMs(latency.p50)} · {formatMs(latency.p95)} · {formatMs(latency.p99)}</dd></div>
            <div className="field"><dt>Median ≤ 250 ms</dt><dd>{formatMs(latency.p50)} <MarkBadge mark={marks.median} testid="latency-median-mark" /></dd></div>
            <div className="field"><dt>Over 1 s &lt; 1 %</dt><dd>{formatRate(latency.overOneSecond)} <MarkBadge mark={marks.slow} testid="latency-slow-mark" /></dd></div>
          </dl>
          <p className="muted small">Meta expects webhook handlers to answer fast: a median of at most 250 ms and under 1 % of answers slower than 1 s; slow answers get retried and, in the end, the webhook disabled.</p>
        </>
      )}
    </section>
  );
}

/** Per-message pricing from status webhooks: distinct messages over the last 7 days, by category. */
function PricingSection({ extra }: { extra: StatsExtra }) {
  const p = extra.pricing;
  if (!p) return null;
  const cats = Object.entries(p.byCategory).sort((a, b) => b[1].billable - a[1].billable || a[0].localeCompare(b[0]));
  return (
    <section className="panel-section" data-testid="stats-pricing">
      <h3 className="section-title">Billable messages this week</h3>
      <p className="muted small">
        Meta&apos;s per-message pricing on status updates, last 7 days (since {formatDateTime(p.since)}):{' '}
        <strong data-testid="pricing-billable">{p.billable}</strong> billable, <span data-testid="pricing-free">{p.free}</span> free.
      </p>
      {cats.length > 0 && (
        <table className="table pricing-table">
          <thead><tr><th>Category</th><th>Billable</th><th>Free</th></tr></thead>
          <tbody>
            {cats.map(([cat, c]) => (
              <tr key={cat} data-testid="pricing-row" data-category={cat}>
                <td>{cat}</td>
                <td className="num" data-testid="pricing-row-billable">{c.billable}</td>
                <td className="num">{c.free}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Coexistence: how far the import of the WhatsApp Business app's past chats has come. */
function HistoryImportSection({ extra }: { extra: StatsExtra }) {
  const h = extra.historyImport;
  if (!h) return null;
  return (
    <section className="panel-section" data-testid="stats-history-import">
      <h3 className="section-title">Chat history import</h3>
      {h.declined ? (
        <p className="muted small">The business declined to share its chat history: no past messages will arrive.</p>
      ) : (
        <p className="small">
          <progress className="import-progress" max={100} value={h.progress ?? undefined} aria-label="Chat history import progress" />{' '}
          <strong data-testid="history-import-progress">{h.progress != null ? `${h.progress}%` : 'progress unknown'}</strong>
          {h.phase != null ? ` · phase ${h.phase + 1} of 3` : ''} · {h.messages} past message{h.messages === 1 ? '' : 's'} imported
          <span className="muted"> · last update {formatRowTime(h.at)}</span>
        </p>
      )}
      <p className="muted small">Imported messages are searchable and shown in each conversation; they never notify and are not counted above.</p>
    </section>
  );
}
