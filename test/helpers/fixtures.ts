// The shared fixtures live beside the repository (../shared), in CI as here; read byte for byte.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const FIXTURES_DIR = resolve(__dirname, '../../../shared/fixtures/whatsapp');

export function fixture(name: string): Buffer {
  return readFileSync(resolve(FIXTURES_DIR, name));
}

export function fixtureNames(prefix = ''): string[] {
  return readdirSync(FIXTURES_DIR).filter((f) => f.startsWith(prefix) && !f.endsWith('.md')).sort();
}

/** The real Meta-signed capture and its secret (SOURCES.md, vector 1). */
export const REAL_CAPTURE = {
  file: 'meta-cloud__message-text__pywa-signed-real-capture.json',
  secret: '1222e786b144d0e85b9f365372d93676',
  signature: 'sha256=54edfa1d7259e0eb13c677cc7d73d1b5c86cfa12433d19156e058ab9251bc441',
};
