// CPU per acknowledged webhook of the serve process (user + system time from /proc over a wrk run):
// a figure the disk's fsync latency does not move, for A/B runs on a busy machine.
//   node test/bench/cpu-probe.mjs   (HOOKSCOPE_DERIVE=hold passes through)
import { readFileSync } from 'node:fs';
import { SECRET, load, signedBodies, startServe, tmp } from './lib.mjs';

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime + stime in clock ticks (100/s)
}

const serve = await startServe({ dataDir: tmp('cpu'), env: { META_APP_SECRET: SECRET, ...(process.env.PROBE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.PROBE_NODE_OPTIONS } : {}) } });
const bodies = signedBodies(500);
try {
  await load(`${serve.receiverUrl}/meta`, bodies, { concurrency: 32, durationMs: 1500, warmupMs: 0 });
  const c0 = cpuMs(serve.child.pid);
  const r = await load(`${serve.receiverUrl}/meta`, bodies, { concurrency: 32, durationMs: 4000, warmupMs: 0 });
  const c1 = cpuMs(serve.child.pid);
  const n = r.measured ?? Math.round(r.rps * 4);
  console.log(JSON.stringify({ rps: Math.round(r.rps), p50: r.p50, p99: r.p99, cpuUsPerRequest: Math.round(((c1 - c0) * 1000) / n), cores: ((c1 - c0) / 4000).toFixed(2) }));
} finally {
  await serve.stop?.();
  serve.child.kill('SIGKILL');
}
