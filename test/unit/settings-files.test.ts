// settings.ts file handling: a damaged secrets.json must not make every webhook fail (the receiver reads
// secrets on each request), and files are written 0600 even over a stale temp file.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSecretStore, createSettings } from '../../electron/core/setup/settings';

describe('file secret store', () => {
  it('ignores a secrets.json that is not an object of strings', () => {
    for (const text of ['null', '42', '["x"]', '{"metaAppSecret": 5, "metaVerifyToken": "ok"}']) {
      const dir = mkdtempSync(join(tmpdir(), 'hs-settings-'));
      writeFileSync(join(dir, 'secrets.json'), text);
      const settings = createSettings(dir, {}, createFileSecretStore(dir));
      expect(() => settings.metaSecrets()).not.toThrow();
      expect(settings.metaSecrets()).toEqual([]);
      expect(settings.verifyToken()).toBe(text.includes('"ok"') ? 'ok' : null);
    }
  });

  it('writes 0600 even when a stale temp file with a wider mode exists', () => {
    if (process.platform === 'win32') return;
    const dir = mkdtempSync(join(tmpdir(), 'hs-settings-'));
    writeFileSync(join(dir, `secrets.json.${process.pid}.tmp`), 'old', { mode: 0o644 });
    createFileSecretStore(dir).set('metaAppSecret', 's3cret');
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });
});
