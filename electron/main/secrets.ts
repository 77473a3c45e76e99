// The desktop SecretStore: app secrets and tokens encrypted with the OS keychain through safeStorage, in
// `<data dir>/secrets.json` (mode 0600, written atomically) — the file `npm run serve` uses too. Its format
// (electron/core/settings.ts) marks each value `electron-safestorage` or `plain`: this store reads both,
// writes ciphertext, and keeps values it cannot decrypt untouched instead of dropping them.
//
// No plaintext on disk unless the user asks: when safeStorage is not available, or on Linux falls back to
// its 'basic_text' backend (a hard-coded key, i.e. obfuscation), secrets are kept in memory for this run
// and the settings view says they will not survive a restart, offering the choice of a plain file only
// this user can read (what serve does). The renderer never sees values, only whether each is set.
import { safeStorage } from 'electron';
import type { SecretStorageInfo } from '../../shared/types';
import { readSecretsFile, SECRET_NAMES, SECRETS_FILE, writeSecretsFile, type SecretEntry } from '../core/setup/settings';
import type { Logger, SecretName, SecretStore } from '../core/types';

export { SECRETS_FILE };

/** Must be called after app 'ready': safeStorage cannot answer before that on Linux and Windows. */
export function isSecureStorageAvailable(): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return false;
  return true;
}

type Persistence = 'keychain' | 'plain-file' | 'memory';

export function createSecretStore(dataDir: string, logger: Logger, encrypted = isSecureStorageAvailable()): SecretStore {
  let file = readSecretsFile(dataDir);
  if (file.problem) logger.warn('secrets file cannot be used', { problem: file.problem });
  const values = new Map<SecretName, string>();
  // Stored values this run cannot read: kept as they are on every write, so nothing is lost.
  const kept = new Map<SecretName, SecretEntry>();

  for (const name of SECRET_NAMES) {
    const entry = file.entries[name];
    if (!entry) continue;
    if (entry.encoding === 'plain') { values.set(name, entry.value); continue; }
    if (entry.encoding === 'electron-safestorage' && encrypted) {
      try {
        values.set(name, safeStorage.decryptString(Buffer.from(entry.value, 'base64')));
        continue;
      } catch {
        // A changed keychain or a copied profile: unreadable, so it counts as not set.
        logger.warn('a stored secret could not be decrypted; it is kept but ignored', { name });
      }
    }
    kept.set(name, entry);
  }

  let persistence: Persistence = encrypted ? 'keychain' : file.plainAllowed ? 'plain-file' : 'memory';
  if (persistence === 'memory') {
    logger.warn('secure storage (OS keychain) is not available: secrets are kept in memory only and must be entered again after a restart');
  }

  const persist = () => {
    if (persistence === 'memory') return;
    const entries: Partial<Record<SecretName, SecretEntry>> = Object.fromEntries(kept);
    for (const [name, value] of values) {
      entries[name] = persistence === 'keychain'
        ? { encoding: 'electron-safestorage', value: safeStorage.encryptString(value).toString('base64') }
        : { encoding: 'plain', value };
    }
    writeSecretsFile(dataDir, { entries, plainAllowed: persistence === 'plain-file' }, file);
    file = { ...file, problem: null };
  };

  return {
    get: (name) => values.get(name) ?? null,
    set(name, value) {
      if (value === null || value === '') values.delete(name); else values.set(name, value);
      kept.delete(name);
      persist();
    },
    info: (): SecretStorageInfo => ({
      kind: persistence === 'keychain' ? 'keychain' : persistence === 'plain-file' ? 'file' : 'memory',
      persistent: persistence !== 'memory',
      encrypted: persistence === 'keychain',
      // The team server token is the desktop's own business: serve never needs it.
      unreadable: [...kept.keys()].filter((n): n is SecretStorageInfo['unreadable'][number] => n !== 'teamServerToken'),
      problem: file.problem,
      canChoosePlainFile: !encrypted,
    }),
    choosePersistence(choice) {
      if (encrypted) return; // the keychain is always the choice when there is one
      const next: Persistence = choice === 'plain-file' ? 'plain-file' : 'memory';
      if (next === persistence) return;
      if (next === 'plain-file') {
        persistence = next;
        persist();
        logger.info('secrets are now stored in a plain file readable only by this user', { file: SECRETS_FILE });
        return;
      }
      // Back to memory: take the plain values off the disk, as the user asked.
      writeSecretsFile(dataDir, { entries: Object.fromEntries(kept), plainAllowed: false }, file);
      persistence = next;
    },
  };
}
