// Hookscope's own test payloads (test/fixtures/, written for this repository from the providers'
// documented shapes; see test/fixtures/README.md), read byte for byte: signatures are over exact bytes.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXTERNAL_SET } from '../conformance/where';

export const FIXTURES_DIR = resolve(__dirname, '../fixtures');

/** A corpus file by its path under test/fixtures, e.g. `meta/message-text.json`. */
export function fixture(name: string): Buffer {
  return readFileSync(resolve(FIXTURES_DIR, name));
}

/** The payload files of one corpus folder (`meta`, `twilio`), sorted. */
export function fixtureNames(folder: 'meta' | 'twilio'): string[] {
  return readdirSync(resolve(FIXTURES_DIR, folder)).filter((f) => f.endsWith('.json') || f.endsWith('.txt')).sort().map((f) => `${folder}/${f}`);
}

interface MetaVector { file?: string; body?: string; bytes?: number; secret: string; header: string }
interface TwilioVector { file: string; url: string; token: string; algorithm: 'HMAC_SHA1' | 'HMAC_SHA256'; header: string; bodySHA256?: string }
/** Signature vectors computed outside Hookscope (test/fixtures/signatures/vectors.json). */
export const VECTORS = JSON.parse(readFileSync(resolve(FIXTURES_DIR, 'signatures/vectors.json'), 'utf8')) as { meta: MetaVector[]; twilio: TwilioVector[] };

/** A compact Meta text message signed with a test app secret: the body, its secret and its header. */
export const SIGNED = {
  file: VECTORS.meta[0].file!,
  secret: VECTORS.meta[0].secret,
  signature: VECTORS.meta[0].header,
};

/**
 * The external conformance set (real payloads written by others) sits beside the repository in CI;
 * test/conformance runs it when present. Never copied into the repository.
 */
export const EXTERNAL_DIR = EXTERNAL_SET;
export const hasExternal = (): boolean => existsSync(EXTERNAL_DIR);
export function externalFixture(name: string): Buffer {
  return readFileSync(resolve(EXTERNAL_DIR, name));
}

/** A Meta status webhook for message `id`: a corpus status file with its id (and status, if given) swapped. */
export function statusBody(file: string, id: string, status?: string): string {
  const p = JSON.parse(fixture(file).toString('utf8')) as { entry: { changes: { value: { statuses: { id: string; status: string }[] } }[] }[] };
  const st = p.entry[0].changes[0].value.statuses[0];
  st.id = id;
  if (status) st.status = status;
  return JSON.stringify(p);
}
