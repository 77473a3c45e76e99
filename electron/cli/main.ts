// `hookscope`: the command line over a running Hookscope's control API (README "From the terminal";
// docs/api.md). Node only — no Electron — so it runs from a checkout (`npx hookscope …` after
// `npm run build`), in CI, and against a team server.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DoctorFinding, EventPage, HookEvent, ReplayResult } from '../../shared/types';
import type { ReplayManyResult } from '../../shared/types';
import type { SimulateResult } from '../../shared/ipc';
import { healthStateWords, type HealthCheck } from '../../shared/health';
import { CliError, connect, EXIT, oneLine, openLive, type Connection } from './connect';

const USAGE = `Usage: hookscope <command> [options]

Commands:
  tail [filters] [--since 10m] [--json]     print events as they arrive (Ctrl-C stops)
  trigger message|status|failed [options]   send simulated, signed webhooks through the receiver
  wait --for 'status=read messageId=…' [--timeout 30s] [--since 1m]
                                            exit 0 when a matching event is stored, 1 on timeout
  export [filters] [--format ndjson|ndjson-requests|csv|har] [--redact] [-o FILE]
  replay REQUEST_ID [--target URL]          send a stored request again (or: replay [filters])
  doctor [--self-check]                     the setup doctor; exit 1 when it finds an error
  health [--all] [--json]                   the health checks that are on; exit 1 when one is firing

Filters (as in the feed): --status read,failed  --kind message  --provider meta|twilio
  --signature valid  --contact 5511*  --q words  --message-id ID  --since 10m|ISO  --until …
  --where field=value (repeatable, passed to the server as it is)
Connection: --url http://127.0.0.1:4751 (HOOKSCOPE_URL)  --token T (HOOKSCOPE_TOKEN)
  --data-dir DIR (HOOKSCOPE_DATA_DIR): where serve keeps serve.json and ui-token, found by default.
Exit codes: 0 done, 1 nothing matched / timed out / a check failed, 2 token refused,
  3 no running Hookscope, 64 wrong usage.
`;

type Flags = Record<string, string[]>;

/** Flags each command accepts; anything else is refused with one line (EXIT.usage). */
const CONNECTION = ['url', 'token', 'data-dir'];
const FILTERS = ['status', 'kind', 'provider', 'signature', 'contact', 'q', 'message-id', 'since', 'until', 'where'];
const BOOLEAN = new Set(['json', 'redact', 'self-check', 'help', 'no-color', 'all']);
const ACCEPTS: Record<string, string[]> = {
  tail: [...FILTERS, 'json', 'no-color'],
  trigger: ['provider', 'text', 'contact', 'name', 'message-id', 'count', 'error-code', 'type', 'statuses', 'business-number', 'json'],
  wait: ['for', 'timeout', 'since', 'json'],
  export: [...FILTERS, 'format', 'redact', 'o', 'output'],
  replay: [...FILTERS, 'target', 'json'],
  doctor: ['self-check', 'json'],
  health: ['all', 'json', 'no-color'],
};

export function parseArgs(argv: string[]): { command: string | null; positional: string[]; flags: Flags } {
  const flags: Flags = {};
  const positional: string[] = [];
  let command: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    const m = /^--?([a-z][a-z-]*)(?:=(.*))?$/s.exec(a);
    if (m) {
      const name = m[1];
      let value = m[2];
      if (value === undefined) {
        if (BOOLEAN.has(name)) value = 'true';
        else {
          if (i + 1 >= argv.length) throw new CliError(EXIT.usage, `--${name} needs a value`);
          value = argv[++i];
        }
      }
      (flags[name] ??= []).push(value);
    } else if (command == null) command = a;
    else positional.push(a);
  }
  return { command, positional, flags };
}

function one(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return v?.[v.length - 1];
}

/** `30s`, `10m`, `2h`, `1d`, `500ms` → milliseconds. */
export function parseDuration(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) throw new CliError(EXIT.usage, `${what}: "${s}" is not a duration (e.g. 30s, 10m, 2h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}

/** A point in time: a duration ago (`10m`), an ISO date, or ms since the epoch. */
export function parseWhen(s: string, what: string, now = Date.now()): number {
  if (/^\d{12,}$/.test(s)) return Number(s);
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d)?$/.test(s)) return now - parseDuration(s, what);
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new CliError(EXIT.usage, `${what}: "${s}" is neither a duration ago (10m) nor a date`);
  return t;
}

/** The feed's filters as control-API query parameters (docs/api.md, GET /api/events). */
function filterParams(flags: Flags): URLSearchParams {
  const p = new URLSearchParams();
  for (const name of ['status', 'kind', 'provider', 'signature', 'contact', 'q']) {
    const v = one(flags, name);
    if (v != null) p.set(name, v);
  }
  const mid = one(flags, 'message-id');
  if (mid != null) p.set('messageId', mid);
  const since = one(flags, 'since');
  if (since != null) p.set('since', String(parseWhen(since, '--since')));
  const until = one(flags, 'until');
  if (until != null) p.set('until', String(parseWhen(until, '--until')));
  for (const w of flags.where ?? []) p.append('where', w);
  return p;
}

// ---- output ----

/**
 * Payload words are a stranger's: control characters (terminal escapes), and bidi overrides that reorder
 * what the terminal shows, are replaced before they reach it (docs/api.md "Trust boundary").
 */
export function safeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ');
}

function colours(enabled: boolean) {
  const c = (code: string) => (s: string) => (enabled ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { dim: c('2'), red: c('31'), green: c('32'), yellow: c('33'), cyan: c('36'), bold: c('1') };
}

function time(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** One event as one line: time, provider, kind/status, contact, text excerpt, error code with its title. */
export function eventLine(e: HookEvent, colour: boolean): string {
  const c = colours(colour);
  const what = e.status ? `${e.kind}/${e.status}` : e.kind;
  const tone = e.status === 'failed' || e.signature === 'invalid' ? c.red : e.status === 'read' || e.status === 'incoming' ? c.green : (s: string) => s;
  const who = e.contactId ? `${safeText(e.contactId)}${e.contactName ? ` (${safeText(e.contactName).slice(0, 40)})` : ''}` : '-';
  const text = e.text ? safeText(e.text).replace(/\s+/g, ' ').trim() : '';
  const excerpt = text.length > 80 ? `${text.slice(0, 79)}…` : text;
  const err = e.errorCode ? c.red(` ${safeText(e.errorCode)}${e.errorTitle ? ` ${safeText(e.errorTitle)}` : ''}`) : '';
  return `${c.dim(time(e.receivedAt))} ${c.cyan((e.provider ?? '-').padEnd(6))} ${tone(what.padEnd(16))} ${who}${excerpt ? `  ${excerpt}` : ''}${err}`;
}

function useColour(flags: Flags, stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && !flags['no-color'];
}

// ---- commands ----

async function tail(conn: Connection, flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const json = !!flags.json;
  const colour = useColour(flags, out);
  const params = filterParams(flags);
  // Live pushes carry every event; which ones pass the filter is the server's answer (the same code as the
  // feed, field filters included), asked once per pushed batch.
  const filtered = [...params.keys()].some((k) => k !== 'since' && k !== 'until');
  const until = params.get('until');
  const print = (e: HookEvent) => out.write(`${json ? JSON.stringify(e) : eventLine(e, colour)}\n`);
  let lastId = 0;
  let chain = Promise.resolve();
  const stop = new AbortController();
  let failure: unknown = null;

  const onBatch = (batch: HookEvent[]) => {
    chain = chain.then(async () => {
      const fresh = batch.filter((e) => e.id > lastId).sort((a, b) => a.id - b.id);
      if (fresh.length === 0) return;
      let keep = fresh;
      if (filtered || until) {
        const p = new URLSearchParams(params);
        // Exactly this batch's range (ids below the next one), so later arrivals cannot push it off the page.
        p.set('since', String(Math.min(...fresh.map((e) => e.receivedAt))));
        p.set('before', String(fresh[fresh.length - 1].id + 1));
        p.set('limit', '1000');
        const page = await conn.json<EventPage>(`/api/events?${p}`);
        const ids = new Set(page.items.map((e) => e.id));
        keep = fresh.filter((e) => ids.has(e.id));
      }
      for (const e of keep) print(e);
      lastId = Math.max(lastId, fresh[fresh.length - 1].id);
    }).catch((err) => { failure = err; stop.abort(); });
  };

  const live = await openLive(conn, stop.signal, (f) => { if (f.event === 'events:appended') onBatch(f.data as HookEvent[]); });
  // On stderr, so stdout stays the events alone (NDJSON with --json); scripts may wait for this line.
  process.stderr.write(`hookscope: following ${conn.url} (Ctrl-C stops)\n`);
  const quit = () => { stop.abort(); };
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  if (params.has('since')) {
    // History first (oldest first), then what arrived while it was read; ids tell the two apart.
    chain = chain.then(async () => {
      const p = new URLSearchParams(params);
      p.set('limit', '1000');
      const page = await conn.json<EventPage>(`/api/events?${p}`);
      const items = [...page.items].sort((a, b) => a.id - b.id);
      for (const e of items) print(e);
      if (items.length) lastId = items[items.length - 1].id;
      if (page.total > items.length && !json) process.stderr.write(`hookscope: showing the last ${items.length} of ${page.total} earlier events\n`);
    }).catch((err) => { failure = err; stop.abort(); });
  }
  await Promise.race([live.ended, new Promise<void>((r) => stop.signal.addEventListener('abort', () => r()))]);
  await chain;
  if (failure) throw failure;
  if (!stop.signal.aborted) throw new CliError(EXIT.unreachable, `the Hookscope at ${conn.url} closed the live stream (stopped?)`);
  return EXIT.ok;
}

/** `status=read messageId=wamid…` → filter parameters; keys are those of GET /api/events. */
export function parseCondition(s: string): URLSearchParams {
  const keys = ['status', 'kind', 'provider', 'signature', 'contact', 'q', 'messageId', 'where'];
  const p = new URLSearchParams();
  const words = s.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new CliError(EXIT.usage, `--for needs conditions like 'status=read messageId=wamid…'`);
  for (const w of words) {
    const eq = w.indexOf('=');
    const k = eq > 0 ? w.slice(0, eq) : '';
    if (!keys.includes(k)) throw new CliError(EXIT.usage, `unknown filter "${eq > 0 ? k : w}" in --for (use ${keys.join(', ')} as key=value)`);
    p.append(k, w.slice(eq + 1));
  }
  return p;
}

async function wait(conn: Connection, flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const cond = one(flags, 'for');
  if (!cond) throw new CliError(EXIT.usage, `wait needs --for 'status=read messageId=…'`);
  const params = parseCondition(cond);
  const timeoutMs = parseDuration(one(flags, 'timeout') ?? '30s', '--timeout');
  // An event stored shortly before the wait began counts: a script may send, then start waiting.
  params.set('since', String(parseWhen(one(flags, 'since') ?? '1m', '--since')));
  params.set('limit', '1');
  const stop = new AbortController();
  let found: HookEvent | null = null;
  let checking = false;
  let again = false;
  let failure: unknown = null;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  const check = async () => {
    if (checking) { again = true; return; }
    checking = true;
    try {
      do {
        again = false;
        const page = await conn.json<EventPage>(`/api/events?${params}`);
        if (page.items[0]) { found = page.items[0]; done(); return; }
      } while (again);
    } catch (err) {
      failure = err; done();
    } finally {
      checking = false;
    }
  };
  const timer = setTimeout(done, timeoutMs);
  process.once('SIGINT', () => { stop.abort(); done(); });
  const live = await openLive(conn, stop.signal, (f) => { if (f.event === 'events:appended') void check(); });
  live.ended.catch((err) => { failure = err; }).finally(() => done());
  void check();
  await finished;
  clearTimeout(timer);
  stop.abort();
  if (failure) throw failure;
  if (!found) {
    process.stderr.write(`hookscope: no event matching "${oneLine(cond)}" within ${one(flags, 'timeout') ?? '30s'}\n`);
    return EXIT.notFound;
  }
  out.write(`${flags.json ? JSON.stringify(found) : eventLine(found, useColour(flags, out))}\n`);
  return EXIT.ok;
}

async function trigger(conn: Connection, positional: string[], flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const what = positional[0];
  const presets: Record<string, Record<string, unknown>> = {
    message: { kind: 'message' },
    status: { kind: 'status' },
    delivered: { kind: 'status', statuses: ['sent', 'delivered'] },
    read: { kind: 'status', statuses: ['sent', 'delivered', 'read'] },
    failed: { kind: 'status', statuses: ['sent', 'failed'], errorCode: '131047' },
  };
  if (!what || !presets[what]) throw new CliError(EXIT.usage, `trigger what? one of: ${Object.keys(presets).join(', ')}`);
  const body: Record<string, unknown> = { ...presets[what] };
  const set = (flag: string, key: string, map: (v: string) => unknown = (v) => v) => { const v = one(flags, flag); if (v != null) body[key] = map(v); };
  set('provider', 'provider');
  set('text', 'text');
  set('contact', 'contactId', (v) => v.replace(/^\+/, ''));
  set('name', 'contactName');
  set('message-id', 'messageId');
  set('error-code', 'errorCode');
  set('type', 'messageType');
  set('business-number', 'businessNumber');
  set('statuses', 'statuses', (v) => v.split(',').map((s) => s.trim()).filter(Boolean));
  set('count', 'count', (v) => { const n = Number(v); if (!Number.isInteger(n)) throw new CliError(EXIT.usage, `--count: "${v}" is not a whole number`); return n; });
  const r = await conn.json<SimulateResult>('/api/simulate', { method: 'POST', body: JSON.stringify(body) });
  const bad = r.statuses.filter((s) => s < 200 || s >= 300);
  if (flags.json) out.write(`${JSON.stringify(r)}\n`);
  else out.write(`sent ${r.sent} webhook${r.sent === 1 ? '' : 's'}: receiver answered ${r.statuses.join(', ') || '-'}; request ids ${r.requestIds.join(', ') || '-'}\n`);
  if (bad.length) {
    process.stderr.write(`hookscope: the receiver refused ${bad.length} of them (${bad.join(', ')}): see the Rejected view or hookscope doctor\n`);
    return EXIT.notFound;
  }
  return EXIT.ok;
}

async function exportCmd(conn: Connection, flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const p = filterParams(flags);
  p.set('format', one(flags, 'format') ?? 'ndjson');
  if (flags.redact) p.set('redact', '1');
  const res = await conn.api(`/api/export?${p}`);
  if (!res.body) return EXIT.ok;
  const file = one(flags, 'o') ?? one(flags, 'output');
  if (file) await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file, { mode: 0o600 }));
  else await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), out, { end: false });
  if (file) process.stderr.write(`hookscope: wrote ${file}\n`);
  return EXIT.ok;
}

async function replay(conn: Connection, positional: string[], flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const target = one(flags, 'target');
  const id = positional[0];
  if (id != null) {
    if (!/^\d+$/.test(id)) throw new CliError(EXIT.usage, `replay takes a request id (a number), not "${id}"`);
    const r = await conn.json<ReplayResult>(`/api/replay/${id}`, { method: 'POST', body: JSON.stringify(target ? { target } : {}) });
    if (flags.json) out.write(`${JSON.stringify(r)}\n`);
    else out.write(`replayed request ${id} to ${r.target}: ${r.status ?? 'no answer'}${r.error ? ` (${oneLine(r.error)})` : ''} in ${r.durationMs} ms\n`);
    return r.status != null && r.status >= 200 && r.status < 300 ? EXIT.ok : EXIT.notFound;
  }
  const p = filterParams(flags);
  if ([...p.keys()].length === 0) throw new CliError(EXIT.usage, 'replay needs a request id, or filters to replay every request behind them');
  if (target) p.set('target', target);
  const r = await conn.json<ReplayManyResult>(`/api/replay?${p}`, { method: 'POST' });
  out.write(`${JSON.stringify(r)}\n`);
  return EXIT.ok;
}

async function doctor(conn: Connection, flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const { findings } = await conn.json<{ findings: DoctorFinding[] }>(`/api/doctor${flags['self-check'] ? '?selfCheck=1' : ''}`);
  const c = colours(useColour(flags, out));
  if (flags.json) out.write(`${JSON.stringify(findings)}\n`);
  else {
    const mark = { ok: c.green('ok   '), info: c.cyan('info '), warn: c.yellow('warn '), error: c.red('error') };
    for (const f of findings) out.write(`${mark[f.level]} ${oneLine(f.title)}${f.detail ? c.dim(` — ${oneLine(f.detail)}`) : ''}\n`);
  }
  return findings.some((f) => f.level === 'error') ? EXIT.notFound : EXIT.ok;
}

/**
 * The health checks (docs/api.md "Health checks"): one line each — state, name, value, what it means.
 * Exit 1 while one is firing, so a cron job or a CI step can page someone.
 */
async function health(conn: Connection, flags: Flags, out: NodeJS.WriteStream): Promise<number> {
  const { checks } = await conn.json<{ checks: HealthCheck[] }>('/api/health');
  const shown = flags.all ? checks : checks.filter((h) => h.enabled);
  const firing = checks.some((h) => h.state === 'firing');
  if (flags.json) { out.write(`${JSON.stringify(shown)}\n`); return firing ? EXIT.notFound : EXIT.ok; }
  const c = colours(useColour(flags, out));
  if (shown.length === 0) out.write('no health check is on: turn them on in the Health panel, or PUT /api/health/{id} (hookscope health --all lists them)\n');
  const stamp = (ms: number) => { const d = new Date(ms); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')} ${time(ms).slice(0, 5)}`; };
  for (const h of shown) {
    const state = healthStateWords(h, stamp);
    const tone = h.state === 'firing' ? c.red : h.state === 'ok' ? c.green : c.dim;
    const value = h.value == null ? '' : ` ${h.value}${h.unit === '%' ? ' %' : ` ${h.unit}`}`;
    out.write(`${tone(state.padEnd(28))} ${h.name}${c.dim(value)}${h.summary ? c.dim(` — ${safeText(oneLine(h.summary))}`) : ''}\n`);
  }
  return firing ? EXIT.notFound : EXIT.ok;
}

export async function run(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const { command, positional, flags } = parseArgs(argv);
  if (!command || command === 'help' || flags.help) { out.write(USAGE); return command || flags.help ? EXIT.ok : EXIT.usage; }
  const accepts = ACCEPTS[command];
  if (!accepts) throw new CliError(EXIT.usage, `unknown command "${command}" (hookscope help lists them)`);
  for (const name of Object.keys(flags)) {
    if (!accepts.includes(name) && !CONNECTION.includes(name)) {
      throw new CliError(EXIT.usage, `unknown ${FILTERS.includes(name) || command === 'tail' || command === 'export' ? 'filter' : 'option'} --${name} for ${command} (hookscope help lists them)`);
    }
  }
  const conn = connect({ url: one(flags, 'url'), token: one(flags, 'token'), dataDir: one(flags, 'data-dir') });
  switch (command) {
    case 'tail': return tail(conn, flags, out);
    case 'wait': return wait(conn, flags, out);
    case 'trigger': return trigger(conn, positional, flags, out);
    case 'export': return exportCmd(conn, flags, out);
    case 'replay': return replay(conn, positional, flags, out);
    case 'doctor': return doctor(conn, flags, out);
    case 'health': return health(conn, flags, out);
    default: throw new CliError(EXIT.usage, `unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof CliError) {
      process.stderr.write(`hookscope: ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`hookscope: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    process.exit(1);
  },
);
