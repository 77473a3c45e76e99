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
      // A damaged file holds no usable token: the one generated on first start takes over.
      if (text.includes('"ok"')) expect(settings.verifyToken()).toBe('ok');
      else expect(settings.verifyToken()).toMatch(/^[A-Za-z0-9]{24}$/);
    }
  });

  it('makes a verify token on first start, keeps it across restarts, and lets a set one or the env win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-settings-'));
    const first = createSettings(dir, {}, createFileSecretStore(dir));
    const generated = first.verifyToken();
    expect(generated).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(first.view().secrets.metaVerifyToken).toEqual({ set: true, generated: true });
    expect(createSettings(dir, {}, createFileSecretStore(dir)).verifyToken()).toBe(generated);
    // META_VERIFY_TOKEN set later still takes effect; one set in the app wins over both.
    const withEnv = createSettings(dir, { metaVerifyToken: 'from-env' }, createFileSecretStore(dir));
    expect(withEnv.verifyToken()).toBe('from-env');
    expect(withEnv.view().secrets.metaVerifyToken.generated).toBe(false);
    withEnv.update({ metaVerifyToken: 'typed-in-app' });
    expect(withEnv.verifyToken()).toBe('typed-in-app');
    // Cleared in the app: back to the environment's, never to "none".
    withEnv.update({ metaVerifyToken: null });
    expect(withEnv.verifyToken()).toBe('from-env');
  });

  it('refuses a public URL Meta cannot call, and writes nothing of that update', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-settings-'));
    const settings = createSettings(dir, {}, createFileSecretStore(dir));
    for (const bad of ['http://hooks.example.com', 'https://127.0.0.1:4750', 'https://localhost/x', 'https://10.1.2.3', 'https://192.168.0.9', 'https://[::1]:8080', 'ftp://x.example']) {
      expect(() => settings.update({ publicUrl: bad, forwardTimeoutMs: 2000 }), bad).toThrow(/https|this computer|private/);
    }
    expect(settings.view().publicUrl).toBeNull();
    expect(settings.view().forwardTimeoutMs).not.toBe(2000);
    expect(settings.update({ publicUrl: 'https://hooks.example.com/' }).publicUrl).toBe('https://hooks.example.com');
  });

  it('writes 0600 even when a stale temp file with a wider mode exists', () => {
    if (process.platform === 'win32') return;
    const dir = mkdtempSync(join(tmpdir(), 'hs-settings-'));
    writeFileSync(join(dir, `secrets.json.${process.pid}.tmp`), 'old', { mode: 0o644 });
    createFileSecretStore(dir).set('metaAppSecret', 's3cret');
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });
});
