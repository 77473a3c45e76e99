// The desktop SecretStore: encrypted with safeStorage, 0600, never plaintext on disk.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const h = vi.hoisted(() => {
  const safeStorage = {
    available: true,
    backend: 'gnome_libsecret',
    isEncryptionAvailable: vi.fn(() => safeStorage.available),
    getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
    // A reversible stand-in for the OS keychain: the ciphertext does not contain the plaintext.
    encryptString: vi.fn((s: string) => Buffer.from(`enc:${Buffer.from(s).toString('hex').split('').reverse().join('')}`)),
    decryptString: vi.fn((b: Buffer) => {
      const t = b.toString();
      if (!t.startsWith('enc:')) throw new Error('bad ciphertext');
      return Buffer.from(t.slice(4).split('').reverse().join(''), 'hex').toString();
    }),
  };
  return { safeStorage };
});
vi.mock('electron', () => ({ safeStorage: h.safeStorage }));

import { createSecretStore, isSecureStorageAvailable, SECRETS_FILE } from '../../electron/main/secrets';
import type { Logger } from '../../electron/core/types';

let dir: string;
const logger = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }) satisfies Logger;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookscope-secrets-'));
  h.safeStorage.available = true;
  h.safeStorage.backend = 'gnome_libsecret';
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('secret store', () => {
  it('stores ciphertext only, in a 0600 file, and reads it back in a new store', () => {
    const store = createSecretStore(dir, logger(), true);
    store.set('metaAppSecret', 'super-secret-value');
    store.set('ngrokAuthtoken', 'tok_123');
    const file = path.join(dir, SECRETS_FILE);
    const raw = fs.readFileSync(file, 'utf8');
    expect(raw).not.toContain('super-secret-value');
    expect(raw).not.toContain('tok_123');
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = createSecretStore(dir, logger(), true);
    expect(again.get('metaAppSecret')).toBe('super-secret-value');
    expect(again.get('ngrokAuthtoken')).toBe('tok_123');
    expect(again.get('twilioAuthToken')).toBeNull();
  });

  it('clearing a secret removes it from the file', () => {
    const store = createSecretStore(dir, logger(), true);
    store.set('metaVerifyToken', 'v1');
    store.set('metaVerifyToken', null);
    expect(createSecretStore(dir, logger(), true).get('metaVerifyToken')).toBeNull();
  });

  it('without secure storage: says so, keeps secrets in memory, writes nothing', () => {
    const log = logger();
    const store = createSecretStore(dir, log, false);
    store.set('metaAppSecret', 'in-memory');
    expect(store.get('metaAppSecret')).toBe('in-memory');
    expect(fs.existsSync(path.join(dir, SECRETS_FILE))).toBe(false);
    expect(log.warn).toHaveBeenCalledWith(expect.stringContaining('in memory only'));
  });

  it('an undecryptable value counts as not set and does not crash', () => {
    fs.writeFileSync(path.join(dir, SECRETS_FILE), JSON.stringify({ metaAppSecret: Buffer.from('garbage').toString('base64') }));
    const log = logger();
    expect(createSecretStore(dir, log, true).get('metaAppSecret')).toBeNull();
    expect(log.warn).toHaveBeenCalled();
  });

  it('treats Linux\'s basic_text backend (a hard-coded key) as not secure', () => {
    h.safeStorage.backend = 'basic_text';
    expect(isSecureStorageAvailable()).toBe(process.platform !== 'linux');
    h.safeStorage.available = false;
    expect(isSecureStorageAvailable()).toBe(false);
  });
});
