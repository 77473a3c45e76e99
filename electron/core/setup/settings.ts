// Settings: plain ones in settings.json in the data dir; secrets in a SecretStore (Electron safeStorage
// in the desktop app, a 0600 file under `serve`), overlaid on the environment. Secrets are write-only
// through the API: views say only whether each is set.
//
// Desktop and serve share one data dir, so they share secrets.json. Its format says what each value is —
// `plain`, or `electron-safestorage` ciphertext that only the desktop app can decrypt — so each side reads
// what it can, keeps what it cannot when it writes, and says clearly what it could not read (README,
// "Where your data and secrets live").
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HookscopeError } from '../../../shared/errors';
import { publicUrlProblem } from '../../../shared/public-url';
import type { Provider, SecretStorageInfo, SettingsUpdate, SettingsView } from '../../../shared/types';
import type { CoreOptions, SecretName, SecretStore } from '../types';

/** What settings.json holds: everything the view shows except the secrets, which live apart. */
export type PlainSettings = Omit<SettingsView, 'secrets' | 'secretStorage' | 'acceptUnsigned'> & Required<Pick<SettingsView, 'rejectedLogBytes' | 'rejectedPerMinute' | 'diskFloorBytes' | 'forwardRetry'>> & {
  /** The stored "accept unsigned webhooks" switch per provider (the view adds the run's flag). */
  acceptUnsigned: { meta: boolean; twilio: boolean };
  /** Providers whose switch the update turned on (the install had accepted unsigned webhooks before). */
  acceptUnsignedMigrated: Provider[];
};

export const DEFAULT_SETTINGS: PlainSettings = {
  forwardTargets: [],
  forwardTimeoutMs: 10_000,
  // A handler restarted while someone develops their bot is back within seconds to minutes: tries at 1, 2,
  // 4 … 60 s apart keep up with it, and a forward is given up after 50 tries or 6 hours (tools/forwarder.ts).
  forwardRetry: { maxTries: 50, maxAgeMs: 6 * 60 * 60_000, baseDelayMs: 1000 },
  publicUrl: null,
  ngrokDomain: null,
  // Customer messages are personal data: kept a month unless the user chooses otherwise (Setup).
  retention: { days: 30, maxEvents: null },
  bodyLimitBytes: 1024 * 1024,
  hideNotificationText: false,
  rejectedLogBytes: 64 * 1024 * 1024,
  rejectedPerMinute: 60,
  diskFloorBytes: 256 * 1024 * 1024,
  // A provider without a secret is closed: nothing unsigned is accepted unless the user says so.
  acceptUnsigned: { meta: false, twilio: false },
  acceptUnsignedMigrated: [],
};

/** The retention a fresh install starts with (shown in Setup and the first-run guide). */
export const DEFAULT_RETENTION_DAYS = 30;

export function writeAtomic(file: string, text: string, mode: number) {
  const tmp = `${file}.${process.pid}.tmp`;
  // A stale temp file keeps its old mode through writeFileSync: start from a fresh one, created exclusively.
  rmSync(tmp, { force: true });
  writeFileSync(tmp, text, { mode, flag: 'wx' });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

// ---------------------------------------------------------------- secrets.json

export const SECRETS_FILE = 'secrets.json';
export const SECRETS_FORMAT = 'hookscope-secrets/1';
export const SECRET_NAMES: readonly SecretName[] = ['metaAppSecret', 'metaVerifyToken', 'twilioAuthToken', 'ngrokAuthtoken', 'metaVerifyTokenAuto', 'teamServerToken'];
/** `plain`: the value as is. `electron-safestorage`: base64 of Electron safeStorage ciphertext (OS keychain). */
export type SecretEncoding = 'plain' | 'electron-safestorage';
export interface SecretEntry { encoding: string; value: string }

export interface SecretsFileContents {
  entries: Partial<Record<SecretName, SecretEntry>>;
  /** The desktop app may keep plain values when there is no keychain, if the user chose so. */
  plainAllowed: boolean;
  /** Set when the file exists but cannot be used. */
  problem: string | null;
  /** A newer format: writers must not overwrite it. A damaged file is moved aside before writing instead. */
  newer?: boolean;
}

/**
 * Chromium's safeStorage ciphertext starts with "v10"/"v11" on every platform. Files from before the format
 * field held bare strings: ciphertext from the desktop app or plain values from serve; this tells them apart
 * (a secret that is itself base64 of "v10…" would be mistaken, which real tokens are not).
 */
export function looksLikeSafeStorage(value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length < 24) return false;
  const head = Buffer.from(value.slice(0, 8), 'base64').subarray(0, 3).toString('latin1');
  return head === 'v10' || head === 'v11';
}

export function readSecretsFile(dataDir: string): SecretsFileContents {
  const file = join(dataDir, SECRETS_FILE);
  const empty: SecretsFileContents = { entries: {}, plainAllowed: false, problem: null };
  if (!existsSync(file)) return empty;
  let parsed: unknown;
  try { parsed = JSON.parse(readFileSync(file, 'utf8')); } catch {
    return { ...empty, problem: `${file} is not valid JSON; it is ignored (and kept as ${SECRETS_FILE}.damaged-… when a secret is saved)` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ...empty, problem: `${file} is not a secrets file; it is ignored (and kept as ${SECRETS_FILE}.damaged-… when a secret is saved)` };
  }
  const obj = parsed as Record<string, unknown>;
  const entries: SecretsFileContents['entries'] = {};
  if (obj.format === undefined) {
    // The layout before the format field: { name: string }. Only string values of known names count: `null`
    // or a number here would throw on every webhook (the receiver reads the secrets per request).
    for (const name of SECRET_NAMES) {
      const v = obj[name];
      if (typeof v === 'string' && v !== '') entries[name] = { encoding: looksLikeSafeStorage(v) ? 'electron-safestorage' : 'plain', value: v };
    }
    return { ...empty, entries };
  }
  if (obj.format !== SECRETS_FORMAT) {
    return { ...empty, newer: true, problem: `${file} was written by a newer Hookscope (format ${String(obj.format)}); update Hookscope to use it` };
  }
  const stored = obj.secrets && typeof obj.secrets === 'object' ? obj.secrets as Record<string, unknown> : {};
  for (const name of SECRET_NAMES) {
    const e = stored[name] as Partial<SecretEntry> | undefined;
    if (e && typeof e.encoding === 'string' && typeof e.value === 'string' && e.value !== '') entries[name] = { encoding: e.encoding, value: e.value };
  }
  return { entries, plainAllowed: obj.plainAllowed === true, problem: null };
}

/**
 * Writes the secrets. A file this version cannot read is never overwritten: a newer format is refused
 * (the caller says so), a damaged one is renamed aside first.
 */
export function writeSecretsFile(dataDir: string, contents: Pick<SecretsFileContents, 'entries' | 'plainAllowed'>, previous?: SecretsFileContents): void {
  if (previous?.newer) throw new Error(`cannot save the secret: ${previous.problem}`);
  const file = join(dataDir, SECRETS_FILE);
  if (previous?.problem && existsSync(file)) renameSync(file, `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const body: Record<string, unknown> = { format: SECRETS_FORMAT };
  if (contents.plainAllowed) body.plainAllowed = true;
  body.secrets = contents.entries;
  writeAtomic(file, `${JSON.stringify(body, null, 2)}\n`, 0o600);
}

/** Names of secrets whose stored value this store cannot read (the other mode's encryption). */
export function unreadableNames(entries: SecretsFileContents['entries'], readable: (e: SecretEntry) => boolean): SecretStorageInfo['unreadable'] {
  return SECRET_NAMES.filter((n): n is SecretStorageInfo['unreadable'][number] => n !== 'teamServerToken' && entries[n] != null && !readable(entries[n]!));
}

/**
 * Secrets in a file readable only by the user (serve mode): plain values are read and written; values the
 * desktop app encrypted are kept untouched (the desktop still reads them) and reported as unreadable.
 */
export function createFileSecretStore(dataDir: string): SecretStore {
  let file = readSecretsFile(dataDir);
  const entries = { ...file.entries };
  return {
    get: (name) => (entries[name]?.encoding === 'plain' ? entries[name]!.value : null),
    set(name, value) {
      const next = { ...entries };
      if (value == null || value === '') delete next[name];
      else next[name] = { encoding: 'plain', value };
      writeSecretsFile(dataDir, { entries: next, plainAllowed: file.plainAllowed }, file);
      Object.assign(entries, next);
      if (!next[name]) delete entries[name];
      file = { ...file, problem: null };
    },
    info: (): SecretStorageInfo => ({
      kind: 'file', persistent: !file.newer, encrypted: false,
      unreadable: unreadableNames(entries, (e) => e.encoding === 'plain'),
      problem: file.problem,
    }),
  };
}

const SECRET_LABELS: Record<SecretName, { label: string; env: string }> = {
  metaAppSecret: { label: 'Meta app secret', env: 'META_APP_SECRET' },
  metaVerifyToken: { label: 'Meta verify token', env: 'META_VERIFY_TOKEN' },
  twilioAuthToken: { label: 'Twilio auth token', env: 'TWILIO_AUTH_TOKEN' },
  ngrokAuthtoken: { label: 'ngrok authtoken', env: 'NGROK_AUTHTOKEN' },
  metaVerifyTokenAuto: { label: 'generated Meta verify token', env: 'META_VERIFY_TOKEN' },
  teamServerToken: { label: 'team server token', env: '(none: the desktop app keeps it)' },
};

/**
 * serve over a data dir whose signing secrets the desktop app encrypted: without them every webhook would
 * pass as `unchecked` — a silent downgrade. Refuse to start, naming the secrets and the fix, unless the
 * environment supplies them. (An unreadable verify token or ngrok token only makes a feature fail visibly.)
 */
export function assertSigningSecretsReadable(dataDir: string, store: SecretStore, env: CoreOptions['env'] = {}): void {
  const unreadable = store.info?.().unreadable ?? [];
  const missing = unreadable.filter((n) =>
    (n === 'metaAppSecret' && !(env.metaAppSecrets ?? []).length) || (n === 'twilioAuthToken' && !(env.twilioAuthTokens ?? []).length));
  if (!missing.length) return;
  const names = missing.map((n) => SECRET_LABELS[n].label).join(' and ');
  const vars = missing.map((n) => SECRET_LABELS[n].env).join(' / ');
  throw new HookscopeError('SECRETS_UNREADABLE',
    `The ${names} in ${join(dataDir, SECRETS_FILE)} ${missing.length > 1 ? 'were' : 'was'} saved by the Hookscope desktop app, encrypted with ` +
    `this computer's keychain, which serve cannot read (signatures would go unchecked). Set ${vars} for serve, or use another --data-dir.`);
}

/**
 * `--accept-unsigned meta,twilio` / HOOKSCOPE_ACCEPT_UNSIGNED: the providers whose unsigned webhooks are
 * accepted for this run. Anything but those two names is refused (a typo must not silently leave it closed
 * — or open).
 */
export function parseAcceptUnsigned(v: string | undefined | null): Provider[] {
  const out: Provider[] = [];
  for (const name of splitList(v ?? '')) {
    const p = name.toLowerCase();
    if (p !== 'meta' && p !== 'twilio') throw new HookscopeError('VALIDATION', `accept-unsigned takes meta, twilio or both (comma-separated), got "${name}"`);
    if (!out.includes(p)) out.push(p);
  }
  return out;
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
  /**
   * Whether unsigned webhooks are accepted for a provider that has no secret (the switch or the run's
   * flag). With a secret set, signatures are always checked whatever this says.
   */
  acceptsUnsigned(p: Provider): boolean;
  /**
   * Once per data dir, on the first start of a version with closed providers: a provider whose unsigned
   * webhooks were accepted before (`hadUnsigned`) keeps its switch on, and is marked so the user is told.
   */
  migrateAcceptUnsigned(hadUnsigned: (p: Provider) => boolean): void;
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
  // Whether settings.json already knows the switch: a file from before it (or none) needs the migration.
  let switchStored = false;
  if (existsSync(file)) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlainSettings> | null;
      switchStored = parsed != null && typeof parsed === 'object' && 'acceptUnsigned' in parsed;
      plain = { ...DEFAULT_SETTINGS, ...parsed, forwardRetry: { ...DEFAULT_SETTINGS.forwardRetry, ...parsed?.forwardRetry } };
    } catch { /* keep defaults */ }
  }
  const fromEnv = env.acceptUnsigned ?? [];
  const acceptsUnsigned = (p: Provider) => plain.acceptUnsigned?.[p] === true || fromEnv.includes(p);
  const save = (next: PlainSettings) => { plain = next; writeAtomic(file, JSON.stringify(plain, null, 2), 0o600); };
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
    ...(secrets.info ? { secretStorage: secrets.info() } : {}),
    secrets: {
      metaAppSecret: { set: metaSecrets().length > 0, count: metaSecrets().length },
      metaVerifyToken: { set: verifyToken() != null, generated: verifyTokenGenerated() },
      twilioAuthToken: { set: twilioTokens().length > 0, count: twilioTokens().length },
      ngrokAuthtoken: { set: ngrokAuthtoken() != null },
    },
    forwardTargets: forwardTargets(),
    forwardTimeoutMs: plain.forwardTimeoutMs,
    forwardRetry: plain.forwardRetry,
    publicUrl: plain.publicUrl ?? env.publicUrl ?? null,
    ngrokDomain: plain.ngrokDomain,
    retention: plain.retention,
    bodyLimitBytes: plain.bodyLimitBytes,
    hideNotificationText: plain.hideNotificationText === true,
    rejectedLogBytes: plain.rejectedLogBytes,
    rejectedPerMinute: plain.rejectedPerMinute,
    diskFloorBytes: plain.diskFloorBytes,
    acceptUnsigned: {
      meta: plain.acceptUnsigned?.meta === true, twilio: plain.acceptUnsigned?.twilio === true,
      fromEnv: [...fromEnv], migrated: (plain.acceptUnsignedMigrated ?? []).filter((p) => plain.acceptUnsigned?.[p] === true),
    },
  });

  return {
    plain: () => plain,
    metaSecrets, verifyToken, verifyTokenGenerated, twilioTokens, ngrokAuthtoken, forwardTargets, acceptsUnsigned,
    migrateAcceptUnsigned(hadUnsigned) {
      if (switchStored) return;
      switchStored = true;
      const on = (['meta', 'twilio'] as const).filter((p) => hadUnsigned(p));
      try {
        save({ ...plain, acceptUnsigned: { meta: on.includes('meta'), twilio: on.includes('twilio') }, acceptUnsignedMigrated: on });
      } catch { /* an unwritable data dir: asked again next start */ }
    },
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
      if (u.secretStorage !== undefined) secrets.choosePersistence?.(u.secretStorage);
      const next = { ...plain };
      if (u.forwardTargets !== undefined) next.forwardTargets = u.forwardTargets;
      if (u.forwardTimeoutMs !== undefined) next.forwardTimeoutMs = u.forwardTimeoutMs;
      if (u.forwardRetry !== undefined) next.forwardRetry = { ...next.forwardRetry, ...u.forwardRetry };
      if (u.publicUrl !== undefined) next.publicUrl = u.publicUrl ? u.publicUrl.trim().replace(/\/+$/, '') : null;
      if (u.ngrokDomain !== undefined) next.ngrokDomain = u.ngrokDomain || null;
      if (u.retention) next.retention = { ...next.retention, ...u.retention };
      if (u.bodyLimitBytes !== undefined) next.bodyLimitBytes = u.bodyLimitBytes;
      if (u.hideNotificationText !== undefined) next.hideNotificationText = u.hideNotificationText;
      if (u.rejectedLogBytes !== undefined) next.rejectedLogBytes = u.rejectedLogBytes;
      if (u.rejectedPerMinute !== undefined) next.rejectedPerMinute = u.rejectedPerMinute;
      if (u.diskFloorBytes !== undefined) next.diskFloorBytes = u.diskFloorBytes;
      if (u.acceptUnsigned) {
        next.acceptUnsigned = { ...next.acceptUnsigned, ...u.acceptUnsigned };
        // A switch the user sets is theirs: the "kept on by the update" notice is done.
        next.acceptUnsignedMigrated = (next.acceptUnsignedMigrated ?? []).filter((p) => u.acceptUnsigned![p] === undefined);
      }
      save(next);
      return view();
    },
  };
}
