// The desktop SecretStore: app secrets and tokens encrypted with the OS keychain through safeStorage, in
// `<userData>/secrets.json` (mode 0600, written atomically). Each value is stored as base64 ciphertext.
//
// Never plaintext on disk: when safeStorage is not available, or on Linux falls back to its 'basic_text'
// backend (a hard-coded key, i.e. obfuscation), the store says so in the log and keeps secrets in memory
// only for this run. The renderer never sees values, only whether each is set (core's settings view).
import { safeStorage } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger, SecretName, SecretStore } from '../core/types';

const SECRET_NAMES: readonly SecretName[] = ['metaAppSecret', 'metaVerifyToken', 'twilioAuthToken', 'ngrokAuthtoken', 'metaVerifyTokenAuto'];
export const SECRETS_FILE = 'secrets.json';

/** Must be called after app 'ready': safeStorage cannot answer before that on Linux and Windows. */
export function isSecureStorageAvailable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return false;
  return true;
}

export function createSecretStore(dataDir: string, logger: Logger, encrypted = isSecureStorageAvailable()): SecretStore {
  const file = path.join(dataDir, SECRETS_FILE);
  const values = new Map<SecretName, string>();

  if (!encrypted) {
    logger.warn('secure storage (OS keychain) is not available: secrets are kept in memory only and must be entered again after a restart');
    return memoryStore(values);
  }

  for (const [name, cipher] of Object.entries(readFile(file, logger))) {
    if (!SECRET_NAMES.includes(name as SecretName) || typeof cipher !== 'string') continue;
    try {
      values.set(name as SecretName, safeStorage.decryptString(Buffer.from(cipher, 'base64')));
    } catch {
      // A changed keychain or a copied profile: the value is unreadable, so it counts as not set.
      logger.warn('a stored secret could not be decrypted and is ignored', { name });
    }
  }

  return {
    get: (name) => values.get(name) ?? null,
    set(name, value) {
      if (value === null || value === '') values.delete(name); else values.set(name, value);
      const out: Record<string, string> = {};
      for (const [k, v] of values) out[k] = safeStorage.encryptString(v).toString('base64');
      writeAtomic(file, JSON.stringify(out));
    },
  };
}

function memoryStore(values: Map<SecretName, string>): SecretStore {
  return {
    get: (name) => values.get(name) ?? null,
    set(name, value) { if (value === null || value === '') values.delete(name); else values.set(name, value); },
  };
}

function readFile(file: string, logger: Logger): Record<string, unknown> {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch { return {}; }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {};
  } catch {
    logger.warn('secrets file is not valid JSON and is ignored', { file });
    return {};
  }
}

function writeAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  // 0600 from creation (not chmod afterwards) so the file is never readable by others, even briefly.
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
  try { fs.chmodSync(file, 0o600); } catch { /* Windows: ACLs of the profile folder apply */ }
}
