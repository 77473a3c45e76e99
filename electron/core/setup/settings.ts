// Settings: plain ones in settings.json in the data dir; secrets in a SecretStore (Electron safeStorage
// in the desktop app, a 0600 file under `serve`), overlaid on the environment. Secrets are write-only
// through the API: views say only whether each is set.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HookscopeError } from '../../../shared/errors';
import { publicUrlProblem } from '../../../shared/public-url';
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

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 24 letters and digits, each equally likely (bytes from 248 up are dropped: 256 is not a multiple of 62). */
export function generateToken(length = 24): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b >= 248) continue;
      out += TOKEN_ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export interface Settings {
  plain(): PlainSettings;
  metaSecrets(): string[];
  verifyToken(): string | null;
  /** Whether the verify token in use is the one Hookscope generated on its first start. */
  verifyTokenGenerated(): boolean;
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
  // A verify token exists from the first start, so Meta's handshake works out of the box: one the user
  // sets wins, then META_VERIFY_TOKEN, then the generated one (kept apart, so setting the variable later
  // still takes effect). It is not a signing key: the user copies it into Meta, and may reveal it again.
  if (!secrets.get('metaVerifyTokenAuto')) {
    try { secrets.set('metaVerifyTokenAuto', generateToken()); } catch { /* an unwritable store: the doctor says "not set" */ }
  }
  const verifyToken = () => secrets.get('metaVerifyToken') ?? env.metaVerifyToken ?? secrets.get('metaVerifyTokenAuto') ?? null;
  const verifyTokenGenerated = () => !secrets.get('metaVerifyToken') && !env.metaVerifyToken && !!secrets.get('metaVerifyTokenAuto');
  const ngrokAuthtoken = () => secrets.get('ngrokAuthtoken') ?? env.ngrokAuthtoken ?? null;
  const forwardTargets = () => [...new Set([...(env.forwardTo ?? []), ...plain.forwardTargets])];

  const view = (): SettingsView => ({
    secrets: {
      metaAppSecret: { set: metaSecrets().length > 0, count: metaSecrets().length },
      metaVerifyToken: { set: verifyToken() != null, generated: verifyTokenGenerated() },
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
    metaSecrets, verifyToken, verifyTokenGenerated, twilioTokens, ngrokAuthtoken, forwardTargets,
    publicUrl: (tunnelUrl) => plain.publicUrl ?? env.publicUrl ?? tunnelUrl ?? null,
    view,
    update(u) {
      // Refused before anything is written: a bad public URL must not half-apply an update.
      if (u.publicUrl) {
        const problem = publicUrlProblem(u.publicUrl.trim());
        if (problem) throw new HookscopeError('VALIDATION', problem);
      }
      if (u.metaAppSecret !== undefined) secrets.set('metaAppSecret', u.metaAppSecret == null ? null : splitList(u.metaAppSecret).join(','));
      if (u.twilioAuthToken !== undefined) secrets.set('twilioAuthToken', u.twilioAuthToken == null ? null : splitList(u.twilioAuthToken).join(','));
      if (u.metaVerifyToken !== undefined) secrets.set('metaVerifyToken', u.metaVerifyToken || null);
      if (u.ngrokAuthtoken !== undefined) secrets.set('ngrokAuthtoken', u.ngrokAuthtoken || null);
      const next = { ...plain };
      if (u.forwardTargets !== undefined) next.forwardTargets = u.forwardTargets;
      if (u.forwardTimeoutMs !== undefined) next.forwardTimeoutMs = u.forwardTimeoutMs;
      if (u.publicUrl !== undefined) next.publicUrl = u.publicUrl ? u.publicUrl.trim().replace(/\/+$/, '') : null;
      if (u.ngrokDomain !== undefined) next.ngrokDomain = u.ngrokDomain || null;
      if (u.retention) next.retention = { ...next.retention, ...u.retention };
      if (u.bodyLimitBytes !== undefined) next.bodyLimitBytes = u.bodyLimitBytes;
      plain = next;
      writeAtomic(file, JSON.stringify(plain, null, 2), 0o600);
      return view();
    },
  };
}
