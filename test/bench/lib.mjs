// Shared bench helpers: statistics, realistic signed Meta payloads, the serve process, the core bundle.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HEADLESS = join(ROOT, 'dist-electron/headless.mjs');
export const SECRET = 'bench-app-secret-0123456789abcdef';

/** The config a helper process was started with (see runChild). */
export function childConfig() {
  return JSON.parse(readFileSync(process.argv[2], 'utf8'));
}

export function tmp(prefix) {
  return mkdtempSync(join(tmpdir(), `hookscope-bench-${prefix}-`));
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarise(samples) {
  const s = Float64Array.from(samples).sort();
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function sign(body, secret = SECRET) {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

// --- Realistic WhatsApp Cloud API payloads (compact JSON, as Meta sends them) -------------------

const FIRST = ['Ana', 'Bruno', 'Chloé', 'Dmitri', 'Esra', 'Farah', 'Giulia', 'Hiro', 'Ines', 'Jonas', 'Kwame', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya'];
const LAST = ['Silva', 'Müller', 'Dubois', 'Ivanov', 'Yılmaz', 'Haddad', 'Rossi', 'Tanaka', 'García', 'Berg', 'Mensah', 'Novak'];
const WORDS = ('hello order delivery tomorrow price invoice refund thanks please status tracking address change cancel ' +
  'payment card receipt booking table tonight available size colour return exchange discount coupon urgent help ' +
  'question support appointment confirm reschedule photo document pickup store opening hours weekend').split(' ');
const STATUS_MIX = [['delivered', 30], ['read', 25], ['sent', 20], ['failed', 3], ['played', 1], ['deleted', 1]]; // + 20 % incoming messages
const ERRORS = [[131026, 'Message undeliverable'], [130472, "User's number is part of an experiment"], [131047, 'Re-engagement message'], [131051, 'Unsupported message type']];

/** A small deterministic PRNG so every run generates the same data. */
export function rng(seed = 42) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function contactOf(i) {
  return { waId: `4479${String(10000000 + (i % 5000) * 7919 % 90000000).padStart(8, '0')}`, name: `${FIRST[i % FIRST.length]} ${LAST[(i >> 4) % LAST.length]}` };
}

function sentence(r, n) {
  const w = [];
  for (let i = 0; i < n; i++) w.push(WORDS[Math.floor(r() * WORDS.length)]);
  return w.join(' ');
}

function wrap(value) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' }, ...value }, field: 'messages' }] }],
  };
}

/** The i-th payload of a realistic stream: 20 % incoming texts, the rest statuses of outgoing messages. */
export function metaPayload(i, r) {
  const c = contactOf(Math.floor(r() * 5000));
  const ts = String(1_700_000_000 + i);
  const pick = r() * 100;
  if (pick < 20) {
    return wrap({
      contacts: [{ profile: { name: c.name }, wa_id: c.waId }],
      messages: [{ from: c.waId, id: `wamid.HBgM${i.toString(36).padStart(10, '0')}IN`, timestamp: ts, text: { body: sentence(r, 3 + Math.floor(r() * 12)) }, type: 'text' }],
    });
  }
  let acc = 20;
  let status = 'delivered';
  for (const [s, w] of STATUS_MIX) { acc += w; if (pick < acc) { status = s; break; } }
  const st = {
    id: `wamid.HBgM${Math.floor(i / 3).toString(36).padStart(10, '0')}OUT`, status, timestamp: ts, recipient_id: c.waId,
    conversation: { id: `conv${(i % 997).toString(16)}`, origin: { type: 'service' } },
    pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
  };
  if (status === 'failed') {
    const [code, title] = ERRORS[i % ERRORS.length];
    st.errors = [{ code, title, message: title, error_data: { details: `${title}: see the error code reference` } }];
  }
  return wrap({ statuses: [st] });
}

/** `n` distinct signed bodies for the load generator. */
export function signedBodies(n, secret = SECRET) {
  const r = rng(7);
  const out = [];
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify(metaPayload(i, r));
    out.push({ body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(body, secret) } });
  }
  return out;
}

// --- Child processes ---------------------------------------------------------------------------

/** Starts the real serve entry and waits for its `ui:` line; resolves with URLs and the spawn→ready time. */
function passThrough(...names) {
  return Object.fromEntries(names.filter((n) => process.env[n] != null).map((n) => [n, process.env[n]]));
}

/** `entry`: another build's serve entry, for A/B runs of two builds (default: this checkout's). */
export function startServe({ dataDir = tmp('serve'), env = {}, token = 'bench-token', timeoutMs = 60_000, nodeArgs = [], entry = HEADLESS } = {}) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, entry, '--data-dir', dataDir, '--port', '0', '--ui-port', '0', '--ui-token', token], {
    // HOOKSCOPE_READ_WORKER / HOOKSCOPE_DERIVE / HOOKSCOPE_ACK_FSYNC pass through, for A/B runs.
    // HOOKSCOPE_ACCEPT_UNSIGNED: the benches that post unsigned webhooks need it (providers without a secret are closed).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOOKSCOPE_ACCEPT_UNSIGNED: 'meta,twilio', ...passThrough('HOOKSCOPE_READ_WORKER', 'HOOKSCOPE_DERIVE', 'HOOKSCOPE_ACK_FSYNC'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((res, rej) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`serve did not start:\n${out}\n${err}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`serve exited with ${code}: ${err}`)); });
    child.stdout.on('data', (d) => {
      out += d;
      const ui = /^ui: (\S+)$/m.exec(out);
      if (!ui) return;
      clearTimeout(timer);
      const readyMs = performance.now() - t0;
      const receiverUrl = /^receiver: (\S+)$/m.exec(out)[1];
      const u = new URL(ui[1]);
      child.removeAllListeners('exit');
      res({
        child, dataDir, receiverUrl, uiUrl: ui[1], uiBase: `${u.protocol}//${u.host}`, token, readyMs,
        stderr: () => err,
        stop: () => new Promise((r) => {
          // Gone already (an exit code, or a signal): say so instead of waiting for an exit that has passed.
          if (child.exitCode != null || child.signalCode != null) {
            if (child.exitCode !== 0) console.error(`serve had already stopped (${child.exitCode ?? child.signalCode}): ${err.slice(-2000)}`);
            return r(child.exitCode ?? child.signalCode);
          }
          child.once('exit', (c) => r(c));
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

let cfgSeq = 0;
/** Runs a bench helper script in its own process; it prints one JSON line at the end. */
export function runChild(script, config, { onLine } = {}) {
  // The config travels through a file: bodies are too large for argv.
  const cfgFile = join(tmpdir(), `hookscope-bench-cfg-${process.pid}-${++cfgSeq}.json`);
  writeFileSync(cfgFile, JSON.stringify(config));
  const child = spawn(process.execPath, [join(ROOT, 'test/bench', script), cfgFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.on('exit', () => rmSync(cfgFile, { force: true }));
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
    if (onLine) for (const l of String(d).split('\n')) if (l.startsWith('@')) onLine(l.slice(1));
  });
  const done = new Promise((res, rej) => {
    child.on('exit', (code) => {
      const last = out.trim().split('\n').filter((l) => !l.startsWith('@')).pop();
      if (code !== 0 || !last) return rej(new Error(`${script} exited with ${code}: ${out.slice(-500)}`));
      try { res(JSON.parse(last)); } catch (e) { rej(new Error(`${script}: bad output ${last.slice(0, 200)}`)); }
    });
  });
  return { child, done };
}

/** Bundles the store, schema and normaliser (TypeScript) so the bench can use them from plain ESM. */
export async function loadCore() {
  const { build } = await import('esbuild');
  // One cache per checkout: node_modules may be shared by several worktrees building different sources.
  const outDir = join(ROOT, 'node_modules/.cache/hookscope-bench', createHash('sha256').update(ROOT).digest('hex').slice(0, 12));
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'core.mjs');
  await build({
    stdin: {
      contents: "export { openStore } from './electron/core/store/store'; export { eventDeriver } from './electron/core/ingest/derive-events'; export { MIGRATIONS } from './electron/core/store/schema'; export { normaliseMeta } from './shared/normalise'; export { pack, PACKED } from './electron/core/store/pack'; export { forgetContact, eraseTraces } from './electron/core/store/forget'; export { fieldRowsOf, fieldWriters, searchKeys } from './electron/core/store/where-sql'; export { storedDetails } from './electron/core/store/event-columns';",
      resolveDir: ROOT, loader: 'ts', sourcefile: 'bench-core.ts',
    },
    bundle: true, platform: 'node', target: 'node20', format: 'esm', outfile, external: ['better-sqlite3'], logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return import(`${outfile}?t=${Date.now()}`);
}

/** A GET against the control API; resolves with {status, ms, body}. */
export async function api(serve, path) {
  const t = performance.now();
  const r = await fetch(serve.uiBase + path, { headers: { authorization: `Bearer ${serve.token}` } });
  const body = await r.json();
  return { status: r.status, ms: performance.now() - t, body };
}

/** Spawns a server process and waits for a line matching `re` (group 1 = its URL). */
export function spawnUntil(cmd, args, re, { env = process.env, cwd, timeoutMs = 60_000 } = {}) {
  const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((res, rej) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`${args.join(' ')} did not start: ${out.slice(-400)}`)); }, timeoutMs);
    const onData = (d) => {
      out += d;
      const m = re.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      res({ child, url: m[1], output: () => out, stop: () => stopChild(child) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); rej(new Error(`${args.join(' ')} exited with ${code}: ${out.slice(-400)}`)); });
  });
}

export function stopChild(child, signal = 'SIGTERM') {
  return new Promise((r) => {
    if (child.exitCode != null || child.signalCode != null) return r(child.exitCode);
    // SIGKILL after 10 s, and then stop waiting: a child whose 'exit' never reaches us (seen with
    // @mockoon/cli) would otherwise leave this promise with no handle behind it, and Node ends the whole
    // bench with exit 13 and no table.
    let giveUp;
    const kill = setTimeout(() => { child.kill('SIGKILL'); giveUp = setTimeout(() => r(child.exitCode), 2_000); }, 10_000);
    child.once('exit', (c) => { clearTimeout(kill); clearTimeout(giveUp); r(c); });
    child.kill(signal);
  });
}

/**
 * Closed-loop load from a separate process: `wrk` (C, one thread — far lighter than a Node generator on
 * two cores) when it is installed, else test/bench/loadgen.mjs. Open-loop (`rate`) and counted (`count`)
 * runs always use the Node generator. HOOKSCOPE_BENCH_LOADGEN=node forces it.
 */
export function load(url, bodies, { concurrency = 32, durationMs = 5000, warmupMs = 1000, rate, count } = {}) {
  if (!rate && !count && loadGenerator() === 'wrk') return loadWrk(url, bodies, { concurrency, durationMs, warmupMs });
  return runChild('loadgen.mjs', { url, bodies, concurrency, durationMs, warmupMs, rate, count }).done;
}

let generator = null;
/** 'wrk' or 'node': which closed-loop generator `load` uses in this run (say it in the report). */
export function loadGenerator() {
  if (generator) return generator;
  if (process.env.HOOKSCOPE_BENCH_LOADGEN === 'node') return (generator = 'node');
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return (generator = r.error ? 'node' : 'wrk');
}

const luaString = (s) => `"${Buffer.from(s).toString('hex').replace(/../g, '\\x$&')}"`;

/** wrk with a Lua script cycling through the signed bodies; a warm-up run first, then the measured one. */
async function loadWrk(url, bodies, { concurrency, durationMs, warmupMs }) {
  const dir = tmp('wrk');
  const script = join(dir, 'bodies.lua');
  const path = new URL(url).pathname;
  const reqs = bodies.map((b) => {
    const headers = Object.entries(b.headers).map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`).join(', ');
    return `wrk.format("POST", ${luaString(path)}, { ${headers} }, ${luaString(b.body)})`;
  });
  writeFileSync(script, [
    'local reqs = nil',
    'local i = 0',
    `function init(args) reqs = { ${reqs.join(',\n')} } end`,
    'function request() i = i % #reqs + 1; return reqs[i] end',
    'function done(summary, latency, requests)',
    `  io.write(string.format('WRKJSON {"requests":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"duration":%d,"p50":%d,"p99":%d,"max":%d}\\n',`,
    '    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,',
    '    summary.duration, latency:percentile(50), latency:percentile(99), latency.max))',
    'end',
  ].join('\n'));
  const run = (ms) => new Promise((res, rej) => {
    const secs = Math.max(1, Math.round(ms / 1000));
    const child = spawn('wrk', ['-t1', `-c${concurrency}`, `-d${secs}s`, '--timeout', '10s', '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', rej);
    child.on('exit', () => {
      const m = out.match(/WRKJSON (\{.*\})/);
      if (!m) return rej(new Error(`wrk printed no summary: ${out.slice(-400)}`));
      res(JSON.parse(m[1]));
    });
  });
  const warm = warmupMs > 0 ? await run(warmupMs) : null;
  const w = await run(durationMs);
  rmSync(dir, { recursive: true, force: true });
  const errors = w.connect + w.read + w.write + w.timeout;
  // wrk's latency is in microseconds; `requests` counts answers, `status` the non-2xx/3xx among them.
  const answered = (r) => (r ? r.requests - r.status : 0);
  return {
    acked: answered(w) + answered(warm), non200: w.status + (warm?.status ?? 0), errors: errors + (warm ? warm.connect + warm.read + warm.write + warm.timeout : 0),
    firstError: null, measured: w.requests, elapsedMs: w.duration / 1000,
    rps: w.requests / (w.duration / 1e6), p50: w.p50 / 1000, p95: NaN, p99: w.p99 / 1000, max: w.max / 1000, generator: 'wrk',
  };
}

/**
 * A V8 CPU profile (node --cpu-prof, or CDP Profiler.stop) as shares of its sampled time: `self` per
 * function name (with its script's file name) and `inclusive` per function name (counted once per sample).
 */
export function profileShares(prof) {
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map();
  prof.samples.forEach((s, i) => time.set(s, (time.get(s) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const total = [...time.values()].reduce((a, b) => a + b, 0) || 1;
  const inclusive = new Map();
  const self = new Map();
  const nameOf = (n) => n.callFrame.functionName || '(anonymous)';
  for (const [id, t] of time) {
    const leaf = byId.get(id);
    const file = leaf.callFrame.url ? leaf.callFrame.url.split('/').pop().replace(/-[\w-]{8}\.js$/, '.js') : '';
    const key = file ? `${nameOf(leaf)} (${file})` : nameOf(leaf);
    self.set(key, (self.get(key) ?? 0) + t);
    const names = new Set();
    for (let cur = id; cur != null; cur = parent.get(cur)) names.add(nameOf(byId.get(cur)));
    for (const n of names) inclusive.set(n, (inclusive.get(n) ?? 0) + t);
  }
  const share = (m) => new Map([...m].map(([k, t]) => [k, t / total]));
  return { totalMs: total / 1000, self: share(self), inclusive: share(inclusive) };
}

/** "name 12.3 %, …" for the largest entries of a share map. */
export function topShares(map, n = 12) {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${(v * 100).toFixed(1)} %`).join(', ');
}

/** Trace events of the renderer's work, grouped into what a frame is made of (self time, nesting removed). */
const TRACE_GROUPS = {
  style: ['UpdateLayoutTree', 'RecalculateStyles', 'ScheduleStyleRecalculation', 'ParseAuthorStyleSheet'],
  layout: ['Layout', 'InvalidateLayout', 'LayoutShift'],
  paint: ['PrePaint', 'Paint', 'PaintImage', 'Layerize', 'UpdateLayer', 'UpdateLayerTree', 'CompositeLayers', 'Commit', 'RasterTask', 'IntersectionObserverController::computeIntersections'],
  gc: ['MinorGC', 'MajorGC', 'V8.GC_SCAVENGER', 'V8.GC_MC_INCREMENTAL', 'BlinkGC.AtomicPhase', 'V8.GCFinalizeMC', 'V8.GCIncrementalMarking', 'V8.GCScavenger', 'V8.GC_MARK_COMPACTOR', 'BlinkGC.CompleteSweep', 'CppGC.AtomicMark'],
  parse: ['ParseHTML', 'v8.parseOnBackground', 'v8.compile', 'V8.CompileCode', 'v8.produceCache'],
};
const GROUP_OF = new Map(Object.entries(TRACE_GROUPS).flatMap(([g, names]) => names.map((n) => [n, g])));

/**
 * A Chromium trace (playwright `browser.stopTracing()`, categories `devtools.timeline` and
 * `disabled-by-default-devtools.timeline`) as shares of the renderer's main thread between `from` and
 * `to` (trace microseconds; the whole trace when absent): self time of every complete event on
 * CrRendererMain, nested events subtracted from their parents, grouped into script (JS: V8 execution and
 * the tasks that run it), style, layout, paint, gc, parse and other (the rest of the task machinery) —
 * what a CPU profile lumps together as "(program)". Returns `{ busyMs, wallMs, groups, top }`.
 */
export function traceShares(trace, { from, to } = {}) {
  const events = (trace.traceEvents ?? trace).filter((e) => e.ph === 'X' || e.ph === 'M');
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const own = events.filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`) && e.dur != null
    && (from == null || e.ts >= from) && (to == null || e.ts + e.dur <= to));
  own.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  let busy = 0;
  const add = (name, us) => self.set(name, (self.get(name) ?? 0) + us);
  for (const e of own) {
    while (stack.length && stack[stack.length - 1].end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) add(parent.name, -Math.min(e.dur, parent.end - e.ts));
    else busy += e.dur;
    add(e.name, e.dur);
    stack.push({ name: e.name, end: e.ts + e.dur });
  }
  const first = own[0]?.ts ?? 0;
  const last = own.reduce((m, e) => Math.max(m, e.ts + e.dur), first);
  const wall = to != null && from != null ? to - from : last - first;
  const groups = new Map();
  for (const [name, us] of self) {
    const g = GROUP_OF.get(name) ?? (/^(V8\.|v8\.|FunctionCall|EvaluateScript|EventDispatch|TimerFire|FireAnimationFrame|RunMicrotasks|FireIdleCallback|XHRReadyStateChange|ResourceReceivedData)/.test(name) ? 'script' : 'other');
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const share = (m) => new Map([...m].map(([k, us]) => [k, us / Math.max(1, wall)]));
  return { busyMs: busy / 1000, wallMs: wall / 1000, groups: share(groups), top: share(self) };
}
