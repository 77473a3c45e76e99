// `npm run bench`: every figure beside its target, as ratios or percentiles measured in this run.
//   node test/bench/run.mjs [--quick] [--only ingest,sustained,flood,forward,store,startup,ui-scroll,ui,peers,team] [--write-docs] [--events N] [--sustained SECONDS]
//     [--derive on,worker] [--rounds N]   (ingest and sustained: derivation modes compared, interleaved;
//     team: its three set-ups' interleaved rounds, 3 by default)
// Runs after `npm run build` (the real serve entry, dist-electron/headless.mjs, and the built UI).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { HEADLESS, ROOT } from './lib.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : undefined;
};
const quick = flag('quick');
const ALL = ['ingest', 'sustained', 'flood', 'forward', 'store', 'startup', 'ui-scroll', 'ui', 'peers', 'team'];
const only = (opt('only') ?? ALL.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const s of only) if (!ALL.includes(s)) { console.error(`unknown section ${s}; known: ${ALL.join(', ')}`); process.exit(2); }
const storeEvents = Number(opt('events') ?? (quick ? 100_000 : 1_000_000));

if (!existsSync(HEADLESS) || !existsSync(join(ROOT, 'dist/renderer/index.html'))) {
  console.error('Build first: `npm run build` (npm run bench does it).');
  process.exit(2);
}

const started = performance.now();
const log = (msg) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
const sections = [];
const cleanup = [];

async function section(name, fn) {
  if (!only.includes(name)) return;
  try {
    const rows = await fn();
    sections.push({ name, rows });
  } catch (err) {
    log(`${name} failed: ${err.stack ?? err}`);
    sections.push({ name, rows: [{ name: `${name} section`, value: 'error', target: '—', ratio: String(err.message ?? err).slice(0, 120), pass: false }] });
  }
}

let bareRps = null;
// --derive on,worker: the ingest and sustained sections compare derivation modes (HOOKSCOPE_DERIVE), interleaved
// over --rounds rounds (ingest.mjs benchDeriveModes).
const deriveModes = opt('derive')?.split(',').map((s) => s.trim()).filter(Boolean) ?? null;
const rounds = opt('rounds') != null ? Number(opt('rounds')) : undefined;
await section('ingest', async () => {
  const m = await import('./ingest.mjs');
  const r = deriveModes ? await m.benchDeriveModes({ quick, log, modes: deriveModes, rounds }) : await m.benchIngest({ quick, log });
  bareRps = r.bareRps;
  return r.rows;
});
// Sustained load with the derivation lag (its ratio to bare uses the ingest section's baseline when it ran).
const sustainedS = opt('sustained');
const sustainedMs = sustainedS != null ? Number(sustainedS) * 1000 : undefined;
await section('sustained', async () => {
  const m = await import('./ingest.mjs');
  return deriveModes ? m.benchSustainedModes({ quick, log, modes: deriveModes, rounds, bareRps, durationMs: sustainedMs }) : m.benchSustained({ quick, log, bareRps, durationMs: sustainedMs });
});
await section('flood', async () => (await import('./flood.mjs')).benchFlood({ quick, log }));
await section('forward', async () => (await import('./forward.mjs')).benchForward({ quick, log }));

let bigStore = null;
// One generated store serves store, startup and ui-scroll (generated the same way when run alone).
if (only.includes('store') || only.includes('startup') || only.includes('ui-scroll')) {
  const { generateStore } = await import('./store.mjs');
  try {
    bigStore = await generateStore({ events: storeEvents, log });
    cleanup.push(() => rmSync(bigStore.dataDir, { recursive: true, force: true }));
  } catch (err) {
    log(`store generation failed: ${err.stack ?? err}`);
  }
}
await section('store', async () => {
  if (!bigStore) throw new Error('store generation failed');
  return (await import('./store.mjs')).benchStore({ quick, log, store: bigStore });
});
await section('startup', async () => {
  if (!bigStore) throw new Error('store generation failed');
  return (await import('./startup.mjs')).benchStartup({ quick, log, store: bigStore });
});
await section('ui-scroll', async () => {
  if (!bigStore) throw new Error('store generation failed');
  return (await import('./ui-scroll.mjs')).benchUiScroll({ quick, log, store: bigStore });
});
for (const f of cleanup) f();
await section('ui', async () => (await import('./ui.mjs')).benchUi({ quick, log }));
// Team before peers: peers installs and runs third-party servers, the likeliest to hang a run.
await section('team', async () => (await import('./team.mjs')).benchTeam({ quick, log, rounds }));
await section('peers', async () => (await import('./peers.mjs')).benchPeers({ quick, log }));

// --- Report -------------------------------------------------------------------------------------
const header = ['name', 'value', 'target', 'ratio / percentile', 'result'];
const tableRows = [];
for (const s of sections) {
  for (const r of s.rows) tableRows.push([`${s.name}: ${r.name}`, r.value, r.target, r.ratio, r.pass == null ? '—' : r.pass ? 'PASS' : 'MISS']);
}
const widths = header.map((h, i) => Math.max(h.length, ...tableRows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
console.log();
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const r of tableRows) console.log(line(r));
const misses = tableRows.filter((r) => r[4] === 'MISS').length;
const passes = tableRows.filter((r) => r[4] === 'PASS').length;
const totalS = (performance.now() - started) / 1000;
console.log(`\n${passes} PASS, ${misses} MISS in ${totalS.toFixed(0)} s${quick ? ' (--quick)' : ''}`);

const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model?.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}`;
console.log(`machine: ${machine}`);

if (flag('write-docs')) {
  const md = (cells) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  const table = [md(header), md(header.map(() => '---')), ...tableRows.map(md)].join('\n');
  const file = join(ROOT, 'docs/benchmarks.md');
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const block = `${begin}\nLatest run: ${new Date().toISOString().slice(0, 10)}, \`npm run bench${quick ? ' -- --quick' : ''}\`${only.length < ALL.length ? ` (only ${only.join(', ')})` : ''}, ${totalS.toFixed(0)} s.\nMachine: ${machine}.\n\n${table}\n\n${passes} PASS, ${misses} MISS.\n${end}`;
  if (doc.includes(begin) && doc.includes(end)) {
    writeFileSync(file, doc.slice(0, doc.indexOf(begin)) + block + doc.slice(doc.indexOf(end) + end.length));
  } else {
    writeFileSync(file, `${doc}\n${block}\n`);
  }
  console.log(`wrote ${file}`);
}
process.exit(0);
