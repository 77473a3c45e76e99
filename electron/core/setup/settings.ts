// Settings: plain ones in settings.json in the data dir; secrets in a SecretStore (Electron safeStorage
// in the desktop app, a 0600 file under `serve`), overlaid on the environment. Secrets are write-only
// through the API: views say only whether each is set.
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SettingsUpdate, SettingsView } from '../../../shared/types';
import type { CoreOptions, SecretName, SecretStore } from '../types';

/** What settings.json holds: everything the view shows except the secrets, which live apart. */
export type PlainSettings = Omit<SettingsView, 'secrets'>;

export const DEFAULT_SETTINGS: PlainSettings = {
  forwardTargets: [],
  forwardTimeoutMs: 10_000,
  publicUrl: null,
  ngrokDomain: null,
  retention: { days: null, maxEvents: null },
  bodyLimitBytes: 1024 * 1024,
};

function writeAtomic(file: string, text: string, mode: number) {
  const tmp = `${file}.${process.pid}.tmp`;
  // A stale temp file keeps its old mode through writeFileSync: start from a fresh one, created exclusively.
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** Secrets in a JSON file readable only by the user (serve mode). */
export function createFileSecretStore(dataDir: string): SecretStore {
  const file = join(dataDir, 'secrets.json');
  let data: Partial<Record<SecretName, string>> = {};
  if (existsSync(file)) {
    // Only string values of an object: `null` or a number here would throw on every webhook (the
    // receiver reads the secrets per request).
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') data[k as SecretName] = v;
      }
    } catch { data = {}; }
  }
  return {
    get: (name) => data[name] ?? null,
    set(name, value) {
      if (value == null || value === '') delete data[name];
      else data[name] = value;
      writeAtomic(file, JSON.stringify(data), 0o600);
    },
  };
}

export function splitList(v: string | string[] | null | undefined): string[] {
  if (v == null) return [];
  const arr = Array.isArray(v) ? v : v.split(',');
  return arr.map((s) => s.trim()).filter(Boolean);
}

export interface Settings {
  plain(): PlainSettings;
  metaSecrets(): string[];
  verifyToken(): string | null;
  twilioTokens(): string[];
  ngrokAuthtoken(): string | null;
  /** Effective public URL: settings, then the env/flag, then the tunnel. */
  publicUrl(tunnelUrl: string | null): string | null;
  forwardTargets(): string[];
  view(): SettingsView;
  update(u: SettingsUpdate): SettingsView;
}

export function createSettings(dataDir: string, env: CoreOptions['env'] = {}, secrets: SecretStore): Settings {
  const file = join(dataDir, 'settings.json');
  let plain: PlainSettings = { ...DEFAULT_SETTINGS };
  if (existsSync(file)) {
    try { plain = { ...DEFAULT_SETTINGS, ...JSON.parse(readFileSync(file, 'utf8')) }; } catch { /* keep defaults */ }
  }
  // A value set through the app wins over the environment; the environment fills the gaps.
  const metaSecrets = () => { const s = splitList(secrets.get('metaAppSecret')); return s.length ? s : (env.metaAppSecrets ?? []); };
  const twilioTokens = () => { const s = splitList(secrets.get('twilioAuthToken')); return s.length ? s : (env.twilioAuthTokens ?? []); };
  const verifyToken = () => secrets.get('metaVerifyToken') ?? env.metaVerifyToken ?? null;
  const ngrokAuthtoken = () => secrets.get('ngrokAuthtoken') ?? env.ngrokAuthtoken ?? null;
  const forwardTargets = () => [...new Set([...(env.forwardTo ?? []), ...plain.forwardTargets])];

  const view = (): SettingsView => ({
    secrets: {
      metaAppSecret: { set: metaSecrets().length > 0, count: metaSecrets().length },
      metaVerifyToken: { set: verifyToken() != null },
      twilioAuthToken: { set: twilioTokens().length > 0, count: twilioTokens().length },
      ngrokAuthtoken: { set: ngrokAuthtoken() != null },
    },
    forwardTargets: forwardTargets(),
    forwardTimeoutMs: plain.forwardTimeoutMs,
    publicUrl: plain.publicUrl ?? env.publicUrl ?? null,
    ngrokDomain: plain.ngrokDomain,
    retention: plain.retention,
    bodyLimitBytes: plain.bodyLimitBytes,
  });

  return {
    plain: () => plain,
    metaSecrets, verifyToken, twilioTokens, ngrokAuthtoken, forwardTargets,
    publicUrl: (tunnelUrl) => plain.publicUrl ?? env.publicUrl ?? tunnelUrl ?? null,
    view,
    update(u) {
      if (u.metaAppSecret !== undefined) secrets.set('metaAppSecret', u.metaAppSecret == null ? null : splitList(u.metaAppSecret).join(','));
      if (u.twilioAuthToken !== undefined) secrets.set('twilioAuthToken', u.twilioAuthToken == null ? null : splitList(u.twilioAuthToken).join(','));
      if (u.metaVerifyToken !== undefined) secrets.set('metaVerifyToken', u.metaVerifyToken || null);
      if (u.ngrokAuthtoken !== undefined) secrets.set('ngrokAuthtoken', u.ngrokAuthtoken || null);
      const next = { ...plain };
      if (u.forwardTargets !== undefined) next.forwardTargets = u.forwardTargets;
      if (u.forwardTimeoutMs !== undefined) next.forwardTimeoutMs = u.forwardTimeoutMs;
      if (u.publicUrl !== undefined) next.publicUrl = u.publicUrl ? u.publicUrl.replace(/\/+$/, '') : null;
      if (u.ngrokDomain !== undefined) next.ngrokDomain = u.ngrokDomain || null;
      if (u.retention) next.retention = { ...next.retention, ...u.retention };
      if (u.bodyLimitBytes !== undefined) next.bodyLimitBytes = u.bodyLimitBytes;
      plain = next;
      writeAtomic(file, JSON.stringify(plain, null, 2), 0o600);
      return view();
    },
  };
}
