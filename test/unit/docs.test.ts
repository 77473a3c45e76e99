// The docs can be trusted: every file path and `npm` script README.md, CONTRIBUTING.md and docs/*.md
// name exists; docs/architecture.md's room list names every file of electron/core; and nothing in the
// repository points outside it — no relative path that leaves the checkout (only the conformance
// loader, test/conformance/ and vitest.config.ts, reads the external set that sits beside it), no
// docs/*.md that is not there, and no citation of outside documents or issue numbers.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'dist-electron', 'release', 'reports', '.stryker-tmp', 'coverage']);
const TEXT = /\.(ts|tsx|mts|cts|js|mjs|cjs|json|md|yml|yaml|html|css|txt|sh)$|^(run|\.gitignore|\.nvmrc)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (!SKIP_DIRS.has(name)) walk(full, out);
    } else out.push(relative(ROOT, full).split(sep).join('/'));
  }
  return out;
}
const FILES = walk(ROOT);
const read = (f: string): string => readFileSync(join(ROOT, f), 'utf8');
const DOCS = ['README.md', 'CONTRIBUTING.md', ...FILES.filter((f) => /^docs\/[^/]+\.md$/.test(f))];

/** Backticked spans and link targets of a Markdown text. */
function mentions(text: string): string[] {
  const spans = [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  const links = [...text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]);
  return [...spans.flatMap((s) => s.split(/[\s,;()]+/)), ...links];
}

/** Build output, caches and the release folder exist only after a run or an install. */
const GENERATED = /^(dist|dist-electron|release|reports|node_modules)\//;

/** A path a doc names, or null when the token is not a repository path (routes, MIME types, URLs…). */
function pathOf(token: string): string | null {
  const t = token.replace(/^\.\//, '').replace(/[.:]$/, '');
  if (!/^[\w.-]+(\/[\w.-]+)*\/?$/.test(t) || !t.includes('/') || t.startsWith('.') && !t.startsWith('.ci/')) return null;
  if (!/\.(ts|tsx|mjs|cjs|js|json|md|yml|yaml|html|css|txt|sh)$/.test(t) && !t.endsWith('/')) return null;
  return GENERATED.test(t) ? null : t;
}

/** Exists from the repository root, from the doc's folder, or as the tail of a repository path (`ingest/receiver.ts`). */
function exists(doc: string, p: string): boolean {
  if (existsSync(join(ROOT, p)) || existsSync(join(ROOT, dirname(doc), p))) return true;
  const tail = p.replace(/\/$/, '');
  return FILES.some((f) => f.endsWith(`/${tail}`) || f.includes(`/${tail}/`));
}

describe('docs name what exists', () => {
  it('reads every doc', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/architecture.md', 'docs/api.md', 'docs/webhooks.md', 'docs/benchmarks.md']));
  });

  for (const doc of DOCS) {
    it(`${doc}: every file path it names exists`, () => {
      const missing = [...new Set(mentions(read(doc)).map(pathOf).filter((p): p is string => p !== null))].filter((p) => !exists(doc, p));
      expect(missing, `${doc} names paths that are not in the repository`).toEqual([]);
    });

    it(`${doc}: every npm script it names is in package.json`, () => {
      const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
      const named = [...read(doc).matchAll(/\bnpm (?:run ([\w:.-]+)|(test)\b)/g)].map((m) => m[1] ?? m[2]);
      expect([...new Set(named)].filter((s) => !Object.hasOwn(scripts, s)), `${doc} names npm scripts that do not exist`).toEqual([]);
    });
  }
});

describe('docs/architecture.md: the core\'s rooms', () => {
  /** The file names the room list gives each folder of electron/core ('' for the top). */
  function roomList(): Map<string, Set<string>> {
    const text = read('docs/architecture.md');
    const section = text.slice(text.indexOf("## The core's rooms"));
    const block = /```\n([\s\S]*?)```/.exec(section)![1];
    const rooms = new Map<string, Set<string>>([['', new Set()]]);
    let room = '';
    for (const line of block.split('\n')) {
      const head = /^ {2}(\S+)/.exec(line);
      if (head) {
        room = head[1].endsWith('/') ? head[1].slice(0, -1) : '';
        if (!room) rooms.get('')!.add(head[1]);
        else if (!rooms.has(room)) rooms.set(room, new Set());
      }
      if (room) for (const m of line.matchAll(/[\w-]+\.ts\b/g)) rooms.get(room)!.add(m[0]);
    }
    return rooms;
  }

  it('names every file of electron/core in its folder', () => {
    const rooms = roomList();
    const unnamed = FILES.filter((f) => f.startsWith('electron/core/') && f.endsWith('.ts')).filter((f) => {
      const rel = f.slice('electron/core/'.length);
      const folder = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
      return !rooms.get(folder)?.has(rel.slice(rel.lastIndexOf('/') + 1));
    });
    expect(unnamed, 'add these files to the room list in docs/architecture.md ("The core\'s rooms")').toEqual([]);
  });
});

describe('nothing points outside the repository', () => {
  const self = relative(ROOT, __filename).split(sep).join('/');
  const scanned = FILES.filter((f) => TEXT.test(f.slice(f.lastIndexOf('/') + 1)) && f !== self && f !== 'package-lock.json');
  /** The conformance loader reads the external set that sits beside the checkout: it alone may name it. */
  const LOADER = (f: string) => f.startsWith('test/conformance/') || f === 'vitest.config.ts';

  it('no relative path leaves the checkout', () => {
    const leaving: string[] = [];
    for (const f of scanned.filter((x) => !LOADER(x))) {
      const bases = f.endsWith('.md') ? [dirname(f), '.'] : [dirname(f)];
      // Import globs (`'../electron/*'` in eslint.config.js) are patterns, not places.
      for (const m of read(f).matchAll(/(?:\.\.\/)+(?:\.\.(?![\w/])|[\w.*-][\w.*/-]*)/g)) {
        if (m[0].includes('*')) continue;
        const inside = (b: string) => { const p = resolve(ROOT, b, m[0]); return p === ROOT || p.startsWith(ROOT + sep); };
        if (!bases.every(inside)) leaving.push(`${f}: ${m[0]}`);
      }
    }
    expect(leaving).toEqual([]);
  });

  it('every docs/*.md named anywhere exists', () => {
    const missing: string[] = [];
    for (const f of scanned) for (const m of read(f).matchAll(/\bdocs\/[\w-]+\.md\b/g)) if (!existsSync(join(ROOT, m[0]))) missing.push(`${f}: ${m[0]}`);
    expect(missing).toEqual([]);
  });

  it('no citation of documents outside the repository or of issue numbers', () => {
    const cites = /\bSPEC(?:\.md)?\s*§|\bSPEC\.md\b|\bSTYLE\.md\b|\bissues?\s+#?\d+\b|\bissue #\d+/gi;
    const found: string[] = [];
    for (const f of scanned) for (const m of read(f).matchAll(cites)) found.push(`${f}: ${m[0]}`);
    expect(found).toEqual([]);
  });
});
