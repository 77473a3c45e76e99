// The house stays readable (CONTRIBUTING.md, point 8): no source file over 800 lines, and no factory closure —
// a function that builds other functions, like createReceiver or a React component with its handlers — over
// 150 lines. Past that size a closure hides its seams: the parts it builds can only be read, and tested,
// together. Split along the seams instead (docs/architecture.md names the rooms they go to).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const MAX_FACTORY_LINES = 150;
const MAX_FILE_LINES = 800;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}
const FILES = ['electron', 'shared', 'renderer'].flatMap((d) => sources(join(ROOT, d)));
const rel = (f: string): string => relative(ROOT, f).split(sep).join('/');

type Fn = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;
const isFn = (n: ts.Node): n is Fn =>
  ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n);

/** Every function with a body that defines functions of its own, with its length in lines. */
export function factories(file: string, text: string): { name: string; at: string; lines: number }[] {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: { name: string; at: string; lines: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (isFn(node) && node.body) {
      let inner = false;
      const look = (c: ts.Node): void => { if (isFn(c)) inner = true; else if (!inner) c.forEachChild(look); };
      node.body.forEachChild(look);
      if (inner) {
        const first = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
        const last = src.getLineAndCharacterOfPosition(node.end).line;
        const named = node.name ?? (node.parent as { name?: ts.Node }).name;
        out.push({ name: named ? named.getText(src) : '(anonymous)', at: `${rel(file)}:${first + 1}`, lines: last - first + 1 });
      }
    }
    node.forEachChild(visit);
  };
  visit(src);
  return out;
}

describe('the house stays readable', () => {
  it(`has no factory closure over ${MAX_FACTORY_LINES} lines`, () => {
    const big = FILES.flatMap((f) => factories(f, readFileSync(f, 'utf8')))
      .filter((f) => f.lines > MAX_FACTORY_LINES)
      .map((f) => `${f.at} ${f.name}: ${f.lines} lines`);
    expect(big).toEqual([]);
  });

  it(`has no source file over ${MAX_FILE_LINES} lines`, () => {
    const big = FILES.map((f) => ({ f: rel(f), n: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.n > MAX_FILE_LINES)
      .map((x) => `${x.f}: ${x.n} lines`);
    expect(big).toEqual([]);
  });

  it('measures a factory by its inner functions, and only those', () => {
    const body = Array.from({ length: 200 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = `export function createBig() {\n${body}\n  return () => v1;\n}\nexport function flat() {\n${body}\n  return v1;\n}\n`;
    const found = factories('x.ts', text);
    expect(found.map((f) => f.name)).toEqual(['createBig']);
    expect(found[0].lines).toBe(203);
  });
});
