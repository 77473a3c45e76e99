import { spawn } from 'node:child_process';
import { SECRET, load, signedBodies, tmp, HEADLESS } from './lib.mjs';
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', HEADLESS, '--data-dir', tmp('p'), '--port', '0', '--ui-port', '0', '--ui-token', 'x'], { env: { ...process.env, META_APP_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const url = await new Promise((res) => child.stdout.on('data', (d) => { out += d; const m = /^receiver: (\S+)$/m.exec(out); if (m) res(m[1]); }));
const r = await load(`${url}/meta`, signedBodies(500), { concurrency: 32, durationMs: 4000, warmupMs: 500 });
console.log(Math.round(r.rps));
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));
