// Where the serve process's main thread goes under the ingest section's load: a V8 CPU profile of the
// real serve entry (`node --cpu-prof`), the same signed bodies and generator, then the share of the main
// thread's samples spent (inclusively) in derivation, in the acknowledged append and in the rest.
//   node test/bench/profile.mjs [seconds] [function,function…]   (after `npm run build`)
// Figures for docs/benchmarks.md "Derivation on the second core"; not part of `npm run bench`.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET, load, profileShares, signedBodies, startServe, tmp, topShares } from './lib.mjs';

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
// With HOOKSCOPE_DERIVE=worker (passed through) there is a third: every thread is reported, busiest first
// (the main thread is the one that runs onRequest).
const share = (v) => `${((v ?? 0) * 100).toFixed(1)} %`;
const sorted = profiles.sort((a, b) => busy(b) - busy(a));
const prof = sorted.find((p) => profileShares(p).inclusive.get('onRequest')) ?? sorted[0];
const { inclusive, self, totalMs } = profileShares(prof);
// Names from the bundle (esbuild keeps function names): deriveNext = one derive transaction
// (store.ts), ingestBatch = the acknowledged append (writer.ts), onRequest = the receiver's HTTP entry
// (its synchronous part), handle = its decision once the body is read (receiver.ts: verify, normalise, submit).
// applyEffects = the worker mode's effects transaction on the main thread (ingest/worker-deriver.ts).
const groups = ['deriveNext', 'ingestBatch', 'applyEffects', 'onRequest', 'handle', 'verifyMeta', 'normaliseMeta', 'packNext', '(garbage collector)', '(idle)', ...extra];
console.log(JSON.stringify({ rps: Math.round(r.rps), p50: r.p50, p99: r.p99, profiledMs: Math.round(totalMs) }));
for (const g of groups) console.log(`${g.padEnd(22)} ${share(inclusive.get(g))} of the main thread`);
console.log(`top self: ${topShares(self, 12)}`);
for (const other of sorted.filter((p) => p !== prof && busy(p) > 0)) {
  const o = profileShares(other);
  console.log(`another thread (${Math.round(o.totalMs)} ms profiled, ${share(1 - (o.inclusive.get('(idle)') ?? 0))} busy): ${groups.filter((g) => o.inclusive.get(g)).map((g) => `${g} ${share(o.inclusive.get(g))}`).join(', ')}`);
  console.log(`  top self: ${topShares(o.self, 8)}`);
}
