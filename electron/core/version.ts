// The app's version, from package.json next to the sources or the bundle.
import { readFileSync } from 'node:fs';

export function readVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const v = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')).version;
      if (typeof v === 'string') return v;
    } catch {}
  }
  return '0.0.0';
}
