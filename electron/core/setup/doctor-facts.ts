// Gathers what the setup doctor (doctor.ts) reasons about from the store, the settings and the
// tunnel, and runs the optional self-check through the public URL.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DoctorFinding } from '../../../shared/types';
import type { TeamHeldBack } from '../../../shared/ipc';
import { runDoctor, selfCheckHandshake, type DoctorFacts, type ProviderPostFacts } from './doctor';
import type { Store } from '../store/store';
import type { Settings } from './settings';
import type { Tunnel } from '../tunnel/tunnel';
import type { Clock } from '../types';

const WINDOW_MS = 7 * 86_400_000;

export interface Doctor {
  run(opts?: { selfCheck?: boolean }): Promise<DoctorFinding[]>;
}

export function createDoctor(deps: {
  store: Store; settings: Settings; tunnel: Tunnel; clock: Clock; fetchImpl?: typeof fetch;
  /** How many rejected requests would verify with the secrets configured now (reverify.ts). */
  wouldVerify?: () => number;
  /** The disk is full: webhooks are answered 503 (receiver.ts). */
  diskFull?: () => boolean;
  /** A team server's live copy held back by a transaction open on its PostgreSQL server (team/held-back.ts). */
  teamHeldBack?: () => TeamHeldBack | null;
}): Doctor {
  const { store, settings, tunnel, clock } = deps;
  const db = store.db;
  // Accepted requests live in `requests`, refused ones in the rejected log: the doctor reasons over both.
  const lastHandshakeStmt = db.prepare(`SELECT received_at, response_status FROM (
      SELECT received_at, response_status FROM requests WHERE path = '/meta' AND method = 'GET'
      UNION ALL SELECT received_at, http_status FROM rejected WHERE path = '/meta' AND method = 'GET')
    ORDER BY received_at DESC LIMIT 1`);
  const postsStmt = db.prepare(`SELECT path, signature, COUNT(*) AS n, MAX(received_at) AS last FROM (
      SELECT path, signature, received_at FROM requests WHERE path IN ('/meta', '/twilio') AND method = 'POST' AND received_at >= ?
      UNION ALL SELECT path, signature, received_at FROM rejected WHERE path IN ('/meta', '/twilio') AND method = 'POST' AND received_at >= ?)
    GROUP BY path, signature`);
  const unroutedStmt = db.prepare(`SELECT path, COUNT(*) AS n, MAX(received_at) AS last FROM rejected
    WHERE received_at >= ? AND http_status = 404 GROUP BY path ORDER BY n DESC LIMIT 10`);
  const lastWebhookStmt = db.prepare(`SELECT MAX(received_at) AS t FROM requests WHERE received_at >= ? AND method = 'POST'`);
  const lastInvalidMetaStmt = db.prepare(`SELECT headers, body FROM rejected WHERE path = '/meta' AND method = 'POST' AND signature = 'invalid'
    AND length(body) = body_size ORDER BY id DESC LIMIT 1`);

  let selfCheck: DoctorFacts['selfCheck'] = null;
  // The self-check's own GET lands in the store like Meta's; it is recognised by its time window.
  let selfCheckWindow: { from: number; to: number } | null = null;

  function signedWithVerifyToken(): boolean {
    const token = settings.verifyToken();
    if (!token) return false;
    const row = lastInvalidMetaStmt.get() as { headers: string; body: Buffer } | undefined;
    if (!row) return false;
    const headers = JSON.parse(row.headers) as [string, string][];
    const header = headers.find(([k]) => k === 'x-hub-signature-256')?.[1]?.trim().replace(/^sha256=/i, '');
    if (!header || !/^[0-9a-f]{64}$/i.test(header)) return false;
    const mac = createHmac('sha256', token).update(row.body).digest();
    return timingSafeEqual(mac, Buffer.from(header, 'hex'));
  }

  function facts(): DoctorFacts {
    const now = clock();
    const since = now - WINDOW_MS;
    const view = settings.view();
    const t = tunnel.get();
    const hs = lastHandshakeStmt.get() as { received_at: number; response_status: number } | undefined;
    const hsSelf = !!hs && !!selfCheckWindow && hs.received_at >= selfCheckWindow.from && hs.received_at <= selfCheckWindow.to;
    const empty = (): ProviderPostFacts => ({ count: 0, lastAt: null, verdicts: {} });
    const posts = { meta: empty(), twilio: empty() };
    for (const r of postsStmt.all(since, since) as { path: string; signature: string; n: number; last: number }[]) {
      const p = r.path === '/meta' ? posts.meta : posts.twilio;
      p.count += r.n;
      p.lastAt = Math.max(p.lastAt ?? 0, r.last);
      p.verdicts[r.signature as keyof ProviderPostFacts['verdicts']] = r.n;
    }
    return {
      now,
      tunnel: t,
      secrets: {
        metaAppSecret: view.secrets.metaAppSecret.set,
        metaVerifyToken: view.secrets.metaVerifyToken.set,
        twilioAuthToken: view.secrets.twilioAuthToken.set,
        ngrokAuthtoken: view.secrets.ngrokAuthtoken.set,
      },
      publicUrl: settings.publicUrl(t.url ?? null),
      diskFull: deps.diskFull?.() ?? false,
      teamHeldBack: deps.teamHeldBack?.() ?? null,
      acceptUnsigned: { meta: settings.acceptsUnsigned('meta'), twilio: settings.acceptsUnsigned('twilio'), migrated: view.acceptUnsigned?.migrated ?? [] },
      ngrokDomain: view.ngrokDomain,
      lastHandshake: hs ? { at: hs.received_at, status: hs.response_status, selfCheck: hsSelf } : null,
      selfCheck,
      posts,
      lastWebhookAt: (lastWebhookStmt.get(since) as { t: number | null }).t,
      unrouted: (unroutedStmt.all(since) as { path: string; n: number; last: number }[]).map((r) => ({ path: r.path, count: r.n, lastAt: r.last })),
      metaInvalidSignedWithVerifyToken: signedWithVerifyToken(),
      rejectedWouldVerify: deps.wouldVerify?.() ?? 0,
    };
  }

  return {
    async run(opts = {}) {
      if (opts.selfCheck) {
        const pub = settings.publicUrl(tunnel.get().url ?? null);
        const token = settings.verifyToken();
        if (pub && token) {
          const from = clock();
          // A public URL pasted with its /meta path is reduced to the base the check appends /meta to.
          const r = await selfCheckHandshake(pub.replace(/\/+$/, '').replace(/\/meta$/, ''), token, deps.fetchImpl);
          selfCheckWindow = { from, to: clock() };
          selfCheck = { at: clock(), ...r };
        } else {
          selfCheck = { at: clock(), ok: false, status: null, error: pub ? 'No verify token is set.' : 'No public URL: start the tunnel or set the public URL.' };
        }
      }
      return runDoctor(facts());
    },
  };
}
