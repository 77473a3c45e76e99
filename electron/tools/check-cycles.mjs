// `npm run lint` runs this after eslint: no import cycles in electron/, shared/ or renderer/, counting
// type-only imports too (eslint's import-x/no-cycle skips those). A cycle hides who needs what; the
// direction imports flow in is described in docs/architecture.md.
// Usage: node electron/tools/check-cycles.mjs [root]   → exit 1 and one line per cycle when any exist.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? '.');
const DIRS = ['electron', 'shared', 'renderer'];
const SOURCE = /\.(ts|tsx|mts|mjs)$/;
const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('dist')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveSpec(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  const tries = [base, ...['.ts', '.tsx', '.mts', '.mjs'].map((e) => base + e), ...['index.ts', 'index.tsx'].map((i) => path.join(base, i))];
  return tries.find((p) => existsSync(p) && statSync(p).isFile()) ?? null;
}

const files = DIRS.filter((d) => existsSync(path.join(root, d))).flatMap((d) => walk(path.join(root, d), []));
const graph = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const deps = new Set();
  for (const m of text.matchAll(SPEC)) {
    const target = resolveSpec(f, m[2]);
    if (target && SOURCE.test(target)) deps.add(target);
  }
  graph.set(f, [...deps]);
}

// Tarjan's strongly connected components, iteratively (no recursion limits on deep trees).
let index = 0;
const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], cycles = [];
for (const start of graph.keys()) {
  if (idx.has(start)) continue;
  const work = [[start, 0]];
  idx.set(start, index); low.set(start, index); index++; stack.push(start); onStack.add(start);
  while (work.length) {
    const frame = work[work.length - 1];
    const [v, i] = frame;
    const deps = graph.get(v) ?? [];
    if (i < deps.length) {
      frame[1]++;
      const w = deps[i];
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        idx.set(w, index); low.set(w, index); index++; stack.push(w); onStack.add(w);
        work.push([w, 0]);
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
      continue;
    }
    work.pop();
    if (work.length) { const parent = work[work.length - 1][0]; low.set(parent, Math.min(low.get(parent), low.get(v))); }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(comp);
    }
  }
}

if (cycles.length) {
  for (const c of cycles) console.error(`import cycle: ${c.map((f) => path.relative(root, f)).sort().join(' ↔ ')}`);
  console.error(`${cycles.length} import cycle(s): see docs/architecture.md for the direction imports flow.`);
  process.exit(1);
}
console.log(`no import cycles (${files.length} files)`);
