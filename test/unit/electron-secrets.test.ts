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
    // A reversible stand-in for the OS keychain with Chromium's "v10" prefix: the ciphertext does not
    // contain the plaintext.
    encryptString: vi.fn((s: string) => Buffer.from(`v10${Buffer.from(s).toString('hex').split('').reverse().join('')}`)),
    decryptString: vi.fn((b: Buffer) => {
      const t = b.toString();
      if (!t.startsWith('v10') || !/^[0-9a-f]+$/.test(t.slice(3))) throw new Error('bad ciphertext');
      return Buffer.from(t.slice(3).split('').reverse().join(''), 'hex').toString();
    }),
  };
  return { safeStorage };
});
vi.mock('electron', () => ({ safeStorage: h.safeStorage }));

import { createSecretStore, isSecureStorageAvailable, SECRETS_FILE } from '../../electron/main/secrets';
import type { Logger } from '../../electron/core/types';
import { assertSigningSecretsReadable, createFileSecretStore } from '../../electron/core/setup/settings';

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
    expect(store.info!()).toMatchObject({ kind: 'memory', persistent: false, encrypted: false, canChoosePlainFile: true });
  });

  it('without secure storage, the user can choose a plain 0600 file, which the next start reads, and go back', () => {
    const store = createSecretStore(dir, logger(), false);
    store.set('metaAppSecret', 'chosen-plain');
    store.choosePersistence!('plain-file');
    expect(store.info!()).toMatchObject({ kind: 'file', persistent: true, encrypted: false });
    const file = path.join(dir, SECRETS_FILE);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const next = createSecretStore(dir, logger(), false);
    expect(next.get('metaAppSecret')).toBe('chosen-plain');
    expect(next.info!().persistent).toBe(true);
    next.choosePersistence!('memory');
    expect(fs.readFileSync(file, 'utf8')).not.toContain('chosen-plain');
    expect(createSecretStore(dir, logger(), false).get('metaAppSecret')).toBeNull();
  });

  it('with a keychain there is no plain-file choice', () => {
    const store = createSecretStore(dir, logger(), true);
    store.set('metaAppSecret', 'kept-secret');
    store.choosePersistence!('plain-file');
    expect(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8')).not.toContain('kept-secret');
    expect(store.info!()).toMatchObject({ kind: 'keychain', encrypted: true, canChoosePlainFile: false });
  });

  it('an undecryptable value counts as not set, does not crash, and survives the next write', () => {
    const foreign = Buffer.from('v10 from another keychain, not ours').toString('base64');
    fs.writeFileSync(path.join(dir, SECRETS_FILE), JSON.stringify({ metaAppSecret: foreign }));
    const log = logger();
    const store = createSecretStore(dir, log, true);
    expect(store.get('metaAppSecret')).toBeNull();
    expect(store.info!().unreadable).toEqual(['metaAppSecret']);
    expect(log.warn).toHaveBeenCalled();
    store.set('ngrokAuthtoken', 'tok');
    const written = JSON.parse(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8'));
    expect(written.secrets.metaAppSecret).toEqual({ encoding: 'electron-safestorage', value: foreign });
  });

  it('treats Linux\'s basic_text backend (a hard-coded key) as not secure', () => {
    h.safeStorage.backend = 'basic_text';
    expect(isSecureStorageAvailable()).toBe(process.platform !== 'linux');
    h.safeStorage.available = false;
    expect(isSecureStorageAvailable()).toBe(false);
  });
});

describe('one secrets.json for the desktop app and serve', () => {
  it('the file says what each value is: desktop writes ciphertext marked as such', () => {
    createSecretStore(dir, logger(), true).set('metaAppSecret', 'desk-secret');
    const written = JSON.parse(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8'));
    expect(written.format).toBe('hookscope-secrets/1');
    expect(written.secrets.metaAppSecret.encoding).toBe('electron-safestorage');
    expect(JSON.stringify(written)).not.toContain('desk-secret');
  });

  it('desktop reads what serve wrote (plain), and serve keeps what the desktop encrypted', () => {
    createFileSecretStore(dir).set('twilioAuthToken', 'serve-token');
    const desk = createSecretStore(dir, logger(), true);
    expect(desk.get('twilioAuthToken')).toBe('serve-token');
    desk.set('metaAppSecret', 'desk-secret'); // the desktop encrypts everything it writes
    const serve = createFileSecretStore(dir);
    expect(serve.get('metaAppSecret')).toBeNull();
    expect(serve.info!().unreadable.sort()).toEqual(['metaAppSecret', 'twilioAuthToken']);
    serve.set('ngrokAuthtoken', 'ngrok-plain'); // and writing does not destroy the desktop's values
    expect(createSecretStore(dir, logger(), true).get('metaAppSecret')).toBe('desk-secret');
  });

  it('serve refuses to start over signing secrets it cannot read, naming them and the fix; the environment unblocks it', () => {
    createSecretStore(dir, logger(), true).set('metaAppSecret', 'desk-secret');
    let err: unknown;
    try { assertSigningSecretsReadable(dir, createFileSecretStore(dir), {}); } catch (e) { err = e; }
    expect(err).toMatchObject({ code: 'SECRETS_UNREADABLE' });
    expect(String((err as Error).message)).toMatch(/Meta app secret .* desktop app.*META_APP_SECRET/);
    expect(() => assertSigningSecretsReadable(dir, createFileSecretStore(dir), { metaAppSecrets: ['from-env'] })).not.toThrow();
  });

  it('a file from before the format field: the desktop\'s bare ciphertext is never taken for a plain secret by serve', () => {
    const cipher = h.safeStorage.encryptString('old-desk-secret').toString('base64');
    fs.writeFileSync(path.join(dir, SECRETS_FILE), JSON.stringify({ metaAppSecret: cipher, metaVerifyToken: 'old-plain-token' }));
    const serve = createFileSecretStore(dir);
    expect(serve.get('metaAppSecret')).toBeNull();
    expect(serve.get('metaVerifyToken')).toBe('old-plain-token');
    expect(createSecretStore(dir, logger(), true).get('metaAppSecret')).toBe('old-desk-secret');
  });

  it('a secrets file from a newer Hookscope is never overwritten', () => {
    const text = JSON.stringify({ format: 'hookscope-secrets/9', secrets: {} });
    fs.writeFileSync(path.join(dir, SECRETS_FILE), text);
    const desk = createSecretStore(dir, logger(), true);
    expect(desk.info!().problem).toMatch(/newer Hookscope/);
    expect(() => desk.set('metaAppSecret', 'x')).toThrow(/newer Hookscope/);
    expect(() => createFileSecretStore(dir).set('metaAppSecret', 'x')).toThrow(/newer Hookscope/);
    expect(fs.readFileSync(path.join(dir, SECRETS_FILE), 'utf8')).toBe(text);
  });
});
