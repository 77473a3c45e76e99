// Where the serve process's main thread goes under the ingest section's load: a V8 CPU profile of the
// real serve entry (`node --cpu-prof`), the same signed bodies and generator, then the share of the main
// thread's samples spent (inclusively) in derivation, in the acknowledged append and in the rest.
//   node test/bench/profile.mjs [seconds] [function,function…]   (after `npm run build`)
// Figures for docs/benchmarks.md "Derivation on the second core"; not part of `npm run bench`.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET, load, signedBodies, startServe, tmp } from './lib.mjs';

const seconds = Number(process.argv[2] ?? 6);
const extra = (process.argv[3] ?? '').split(',').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'hookscope-bench-prof-'));
const serve = await startServe({ dataDir: tmp('prof'), env: { META_APP_SECRET: SECRET }, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
const r = await load(`${serve.receiverUrl}/meta`, signedBodies(256), { concurrency: 32, durationMs: seconds * 1000, warmupMs: 1000 });
await serve.stop();
rmSync(serve.dataDir, { recursive: true, force: true });

// One profile per thread (main, read worker): the main thread is the busiest one.
const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
rmSync(dir, { recursive: true, force: true });
const busy = (p) => { const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id)); return p.samples.filter((s) => !idle.has(s)).length; };
const prof = profiles.sort((a, b) => busy(b) - busy(a))[0];
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const time = new Map();
prof.samples.forEach((s, i) => time.set(s, (time.get(s) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...time.values()].reduce((a, b) => a + b, 0);
const inclusive = new Map();
const self = new Map();
for (const [id, t] of time) {
  const names = new Set();
  for (let cur = id; cur != null; cur = parent.get(cur)) names.add(byId.get(cur).callFrame.functionName || '(anonymous)');
  const leaf = byId.get(id).callFrame.functionName || '(anonymous)';
  self.set(leaf, (self.get(leaf) ?? 0) + t);
  for (const n of names) inclusive.set(n, (inclusive.get(n) ?? 0) + t);
}
const share = (t) => `${((100 * (t ?? 0)) / total).toFixed(1)} %`;
// Names from the bundle (esbuild keeps function names): deriveNext = one derive transaction
// (store.ts), ingestBatch = the acknowledged append (writer.ts), onRequest = the receiver's HTTP handling.
const groups = ['deriveNext', 'ingestBatch', 'onRequest', 'verifyMeta', 'normaliseMeta', 'packNext', '(garbage collector)', '(idle)', ...extra];
console.log(JSON.stringify({ rps: Math.round(r.rps), p50: r.p50, p99: r.p99, profiledMs: Math.round(total / 1000) }));
for (const g of groups) console.log(`${g.padEnd(22)} ${share(inclusive.get(g) ?? self.get(g))} of the main thread`);
console.log('top self:', [...self].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([n, t]) => `${n} ${share(t)}`).join(', '));
