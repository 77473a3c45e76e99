import { describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runDoctor, selfCheckHandshake, suggestRoute, type DoctorFacts } from '../../electron/core/setup/doctor';
import type { DoctorFinding } from '../../shared/types';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;
const PUBLIC = 'https://abcd-1-2-3-4.ngrok-free.app';

const emptyPosts = () => ({ count: 0, lastAt: null, verdicts: {} });

/** A healthy setup: tunnel online on a reserved domain, every secret set, Meta verified and posting. */
function facts(over: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    now: NOW,
    tunnel: { state: 'online', url: 'https://hooks.example.ngrok.app', since: NOW - 30 * MIN },
    secrets: { metaAppSecret: true, metaVerifyToken: true, twilioAuthToken: true, ngrokAuthtoken: true },
    publicUrl: 'https://hooks.example.ngrok.app',
    ngrokDomain: 'hooks.example.ngrok.app',
    lastHandshake: { at: NOW - 20 * MIN, status: 200 },
    selfCheck: null,
    posts: {
      meta: { count: 5, lastAt: NOW - 2 * MIN, verdicts: { valid: 5 } },
      twilio: emptyPosts(),
    },
    lastWebhookAt: NOW - 2 * MIN,
    unrouted: [],
    metaInvalidSignedWithVerifyToken: false,
    ...over,
  };
}

function find(list: DoctorFinding[], id: string): DoctorFinding {
  const f = list.find((x) => x.id === id);
  if (!f) throw new Error(`no finding ${id} in ${list.map((x) => x.id).join(', ')}`);
  return f;
}
const ids = (list: DoctorFinding[]) => list.map((f) => f.id);

describe('runDoctor', () => {
  it('a healthy setup has no warnings or errors', () => {
    const list = runDoctor(facts());
    expect(list.filter((f) => f.level === 'warn' || f.level === 'error')).toEqual([]);
    expect(ids(list)).toEqual(expect.arrayContaining(['tunnel-online', 'handshake-ok', 'webhooks-received']));
    for (const f of list) {
      expect(f.title.length).toBeGreaterThan(5);
      expect(f.detail.length).toBeGreaterThan(10);
    }
  });

  it('tunnel-online', () => {
    const f = find(runDoctor(facts()), 'tunnel-online');
    expect(f.level).toBe('ok');
    expect(f.detail).toContain('hooks.example.ngrok.app');
  });

  it('tunnel-connecting', () => {
    const f = find(runDoctor(facts({ tunnel: { state: 'connecting', message: 'connecting to ngrok…', since: NOW } })), 'tunnel-connecting');
    expect(f.level).toBe('info');
  });

  it('tunnel-reconnecting', () => {
    const f = find(runDoctor(facts({ tunnel: { state: 'connecting', message: 'reconnecting, down since 11:55:00', since: NOW - 5 * MIN } })), 'tunnel-reconnecting');
    expect(f.level).toBe('warn');
    expect(f.detail).toMatch(/5 min ago/);
    expect(f.detail).toMatch(/local receiver keeps working/);
  });

  it('tunnel-error carries the tunnel message and code', () => {
    const msg = 'ngrok rejected the authtoken. Copy it again from dashboard.ngrok.com → Your Authtoken.';
    const f = find(runDoctor(facts({ tunnel: { state: 'error', code: 'TUNNEL_INVALID_TOKEN', message: msg, since: NOW } })), 'tunnel-error');
    expect(f.level).toBe('error');
    expect(f.detail).toContain(msg);
    expect(f.detail).toContain('TUNNEL_INVALID_TOKEN');
  });

  it('tunnel-off: warns without a public URL (and says how to get a token), informs with one', () => {
    const off = { state: 'off' as const, since: NOW };
    const noUrl = find(runDoctor(facts({ tunnel: off, publicUrl: null, secrets: { ...facts().secrets, ngrokAuthtoken: false } })), 'tunnel-off');
    expect(noUrl.level).toBe('warn');
    expect(noUrl.detail).toMatch(/authtoken/);
    const own = find(runDoctor(facts({ tunnel: off, publicUrl: 'https://hooks.mycompany.com' })), 'tunnel-off');
    expect(own.level).toBe('info');
    expect(own.detail).toContain('https://hooks.mycompany.com');
  });

  it('public-url-unknown', () => {
    const f = find(runDoctor(facts({ tunnel: { state: 'off', since: NOW }, publicUrl: null })), 'public-url-unknown');
    expect(f.level).toBe('warn');
    expect(f.detail).toMatch(/--public-url/);
    expect(ids(runDoctor(facts()))).not.toContain('public-url-unknown');
  });

  it('ngrok-free-domain: random free URL changes on restart; browser warning does not affect webhooks', () => {
    const list = runDoctor(facts({ tunnel: { state: 'online', url: PUBLIC, since: NOW }, publicUrl: PUBLIC, ngrokDomain: null }));
    const f = find(list, 'ngrok-free-domain');
    expect(f.level).toBe('info');
    expect(f.detail).toMatch(/every|each time/);
    expect(f.detail).toMatch(/static domain/);
    expect(f.detail).toMatch(/browser warning/);
    expect(f.detail).toMatch(/does not affect/);
    // With a reserved domain configured, nothing to say.
    expect(ids(runDoctor(facts()))).not.toContain('ngrok-free-domain');
  });

  it('verify-token-missing', () => {
    const f = find(runDoctor(facts({ secrets: { ...facts().secrets, metaVerifyToken: false } })), 'verify-token-missing');
    expect(f.level).toBe('warn');
    expect(f.detail).toMatch(/Verify token/);
  });

  it('meta-app-secret-missing: info before traffic, warn once unchecked webhooks arrive', () => {
    const secrets = { ...facts().secrets, metaAppSecret: false };
    expect(find(runDoctor(facts({ secrets, posts: { meta: emptyPosts(), twilio: emptyPosts() } })), 'meta-app-secret-missing').level).toBe('info');
    const f = find(runDoctor(facts({ secrets, posts: { meta: { count: 3, lastAt: NOW, verdicts: { unchecked: 3 } }, twilio: emptyPosts() } })), 'meta-app-secret-missing');
    expect(f.level).toBe('warn');
    expect(f.detail).toMatch(/3 Meta webhooks/);
    expect(f.detail).toMatch(/App settings → Basic → App secret/);
  });

  it('twilio-token-missing: Twilio is simply off (info) unless its unsigned webhooks are accepted', () => {
    const secrets = { ...facts().secrets, twilioAuthToken: false };
    const twilio = { count: 1, lastAt: NOW, verdicts: { unchecked: 1 } };
    expect(find(runDoctor(facts({ secrets })), 'twilio-token-missing').level).toBe('info');
    const off = find(runDoctor(facts({ secrets, posts: { meta: facts().posts.meta, twilio } })), 'twilio-token-missing');
    expect(off.level).toBe('info');
    expect(off.detail).toMatch(/Twilio is off/);
    const open = runDoctor(facts({ secrets, posts: { meta: facts().posts.meta, twilio }, acceptUnsigned: { meta: false, twilio: true, migrated: [] } }));
    expect(find(open, 'twilio-token-missing').level).toBe('warn');
    expect(find(open, 'trust-no-secret').detail).toMatch(/Twilio/);
    expect(ids(runDoctor(facts({ secrets })))).not.toContain('trust-no-secret');
  });

  it('disk-full and accept-unsigned-migrated', () => {
    expect(find(runDoctor(facts({ diskFull: true })), 'disk-full').level).toBe('error');
    const secrets = { ...facts().secrets, metaAppSecret: false };
    expect(find(runDoctor(facts({ secrets, acceptUnsigned: { meta: true, twilio: false, migrated: ['meta'] } })), 'accept-unsigned-migrated').title).toMatch(/Meta/);
  });

  it('handshake-none points at the callback URL with /meta', () => {
    const f = find(runDoctor(facts({ lastHandshake: null, posts: { meta: emptyPosts(), twilio: emptyPosts() }, lastWebhookAt: null })), 'handshake-none');
    expect(f.level).toBe('info');
    expect(f.detail).toContain('https://hooks.example.ngrok.app/meta');
    expect(f.detail).toMatch(/Verify and save/);
  });

  it('handshake-ok', () => {
    expect(find(runDoctor(facts()), 'handshake-ok').level).toBe('ok');
  });

  it('handshake-403: mismatch, or no verify token set', () => {
    const f = find(runDoctor(facts({ lastHandshake: { at: NOW - MIN, status: 403 } })), 'handshake-403');
    expect(f.level).toBe('error');
    expect(f.detail).toMatch(/does not match/);
    const g = find(runDoctor(facts({ lastHandshake: { at: NOW - MIN, status: 403 }, secrets: { ...facts().secrets, metaVerifyToken: false } })), 'handshake-403');
    expect(g.detail).toMatch(/no verify token is set/);
  });

  it('handshake-self-only: our own self-check is not Meta', () => {
    const list = runDoctor(facts({ lastHandshake: { at: NOW - 30 * MIN, status: 200, selfCheck: true }, posts: { meta: emptyPosts(), twilio: emptyPosts() } }));
    expect(find(list, 'handshake-self-only').level).toBe('info');
    expect(ids(list)).not.toContain('no-post-after-handshake');
  });

  it('self-check-ok and self-check-failed', () => {
    expect(find(runDoctor(facts({ selfCheck: { at: NOW, ok: true, status: 200, error: null } })), 'self-check-ok').level).toBe('ok');
    const f = find(runDoctor(facts({ selfCheck: { at: NOW, ok: false, status: 404, error: 'the ngrok endpoint is offline (ERR_NGROK_3200): the tunnel is not running' } })), 'self-check-failed');
    expect(f.level).toBe('error');
    expect(f.detail).toMatch(/ERR_NGROK_3200/);
  });

  it('no-post-after-handshake explains subscribing to the WABA and the Test button', () => {
    const list = runDoctor(facts({ lastHandshake: { at: NOW - 15 * MIN, status: 200 }, posts: { meta: emptyPosts(), twilio: emptyPosts() }, lastWebhookAt: null }));
    const f = find(list, 'no-post-after-handshake');
    expect(f.level).toBe('warn');
    expect(f.detail).toMatch(/WhatsApp → Configuration → Webhook fields/);
    expect(f.detail).toMatch(/"messages"/);
    expect(f.detail).toMatch(/"Test" button/);
    expect(f.detail).toMatch(/without a subscription/);
    // Not before N minutes, and not when POSTs arrived after the handshake.
    expect(ids(runDoctor(facts({ lastHandshake: { at: NOW - 5 * MIN, status: 200 }, posts: { meta: emptyPosts(), twilio: emptyPosts() } })))).not.toContain('no-post-after-handshake');
    expect(ids(runDoctor(facts({ lastHandshake: { at: NOW - 5 * MIN, status: 200 }, posts: { meta: emptyPosts(), twilio: emptyPosts() }, noPostAfterHandshakeMinutes: 3 })))).toContain('no-post-after-handshake');
    expect(ids(runDoctor(facts()))).not.toContain('no-post-after-handshake');
  });

  it('meta-signature-invalid', () => {
    const f = find(runDoctor(facts({ posts: { meta: { count: 4, lastAt: NOW, verdicts: { valid: 1, invalid: 3 } }, twilio: emptyPosts() } })), 'meta-signature-invalid');
    expect(f.level).toBe('error');
    expect(f.title).toMatch(/3 Meta webhooks/);
    expect(f.detail).toMatch(/App secret/);
  });

  it('meta-secret-swapped when the invalid signature was made with the verify token', () => {
    const list = runDoctor(facts({ posts: { meta: { count: 1, lastAt: NOW, verdicts: { invalid: 1 } }, twilio: emptyPosts() }, metaInvalidSignedWithVerifyToken: true }));
    const f = find(list, 'meta-secret-swapped');
    expect(f.level).toBe('error');
    expect(f.detail).toMatch(/swapped/);
    expect(ids(list)).not.toContain('meta-signature-invalid');
  });

  it('meta-signature-missing', () => {
    const f = find(runDoctor(facts({ posts: { meta: { count: 2, lastAt: NOW, verdicts: { missing: 2 } }, twilio: emptyPosts() } })), 'meta-signature-missing');
    expect(f.level).toBe('warn');
    expect(f.detail).toMatch(/X-Hub-Signature-256/);
  });

  it('twilio-signature-no-public-url', () => {
    const f = find(runDoctor(facts({
      tunnel: { state: 'off', since: NOW }, publicUrl: null,
      posts: { meta: facts().posts.meta, twilio: { count: 2, lastAt: NOW, verdicts: { invalid: 2 } } },
    })), 'twilio-signature-no-public-url');
    expect(f.level).toBe('error');
    expect(f.detail).toMatch(/public URL/);
  });

  it('twilio-signature-invalid with a known public URL', () => {
    const list = runDoctor(facts({ posts: { meta: facts().posts.meta, twilio: { count: 1, lastAt: NOW, verdicts: { invalid: 1 } } } }));
    const f = find(list, 'twilio-signature-invalid');
    expect(f.level).toBe('warn');
    expect(f.detail).toContain('https://hooks.example.ngrok.app/twilio');
    expect(ids(list)).not.toContain('twilio-signature-no-public-url');
  });

  it('unrouted: suggests /meta or /twilio, catching common typos and ignoring browser noise', () => {
    const list = runDoctor(facts({
      unrouted: [
        { path: '/webhook', count: 7, lastAt: NOW - MIN },
        { path: '/meta/', count: 1 },
        { path: '/twilio/status', count: 2 },
        { path: '/favicon.ico', count: 3 },
      ],
    }));
    const w = find(list, 'unrouted:/webhook');
    expect(w.level).toBe('warn');
    expect(w.detail).toMatch(/7 requests to \/webhook got 404/);
    expect(w.detail).toContain('https://hooks.example.ngrok.app/meta');
    expect(find(list, 'unrouted:/meta/').detail).toMatch(/1 request to \/meta\/ got 404/);
    expect(find(list, 'unrouted:/twilio/status').detail).toMatch(/webhook URL in Twilio to https:\/\/hooks\.example\.ngrok\.app\/twilio/);
    expect(ids(list)).not.toContain('unrouted:/favicon.ico');
  });

  it('suggestRoute', () => {
    expect(suggestRoute('/webhook')).toBe('/meta');
    expect(suggestRoute('/webhooks')).toBe('/meta');
    expect(suggestRoute('/meta/')).toBe('/meta');
    expect(suggestRoute('/META')).toBe('/meta');
    expect(suggestRoute('/whatsapp')).toBe('/meta');
    expect(suggestRoute('/')).toBe('/meta');
    expect(suggestRoute('/api/meta')).toBe('/meta');
    expect(suggestRoute('/mesa')).toBe('/meta');
    expect(suggestRoute('/twillio')).toBe('/twilio');
    expect(suggestRoute('/twilio/')).toBe('/twilio');
    expect(suggestRoute('/sms')).toBe('/twilio');
    expect(suggestRoute('/x7q9z2k')).toBeNull();
  });

  it('webhooks-received and no-webhooks', () => {
    expect(find(runDoctor(facts()), 'webhooks-received').detail).toMatch(/2 min ago; 5 Meta POSTs, 0 Twilio POSTs/);
    const f = find(runDoctor(facts({ lastWebhookAt: null, posts: { meta: emptyPosts(), twilio: emptyPosts() } })), 'no-webhooks');
    expect(f.level).toBe('info');
  });

  it('findings never print undefined or null placeholders', () => {
    const text = JSON.stringify(runDoctor(facts({ secrets: { metaAppSecret: false, metaVerifyToken: false, twilioAuthToken: false, ngrokAuthtoken: false } })));
    expect(text).not.toMatch(/undefined|null/);
  });
});

describe('selfCheckHandshake', () => {
  async function withServer(handler: http.RequestListener, fn: (base: string) => Promise<void>) {
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    try { await fn(`http://127.0.0.1:${port}`); } finally { await new Promise<void>((r) => server.close(() => r())); }
  }
  const meta = (token: string): http.RequestListener => (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/meta') { res.writeHead(404); res.end(); return; }
    if (u.searchParams.get('hub.mode') === 'subscribe' && u.searchParams.get('hub.verify_token') === token) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(u.searchParams.get('hub.challenge') ?? '');
    } else { res.writeHead(403); res.end(); }
  };

  it('ok when the challenge is echoed (trailing slash in the base URL is fine)', async () => {
    await withServer(meta('tok en&x'), async (base) => {
      expect(await selfCheckHandshake(`${base}/`, 'tok en&x')).toEqual({ ok: true, status: 200, error: null });
    });
  });

  it('403 when the verify token does not match', async () => {
    await withServer(meta('right'), async (base) => {
      const r = await selfCheckHandshake(base, 'wrong');
      expect(r).toMatchObject({ ok: false, status: 403 });
      expect(r.error).toMatch(/verify token/);
      expect(r.error).not.toContain('wrong');
    });
  });

  it('200 without the challenge means another server', async () => {
    await withServer((_req, res) => { res.writeHead(200); res.end('<html>hello</html>'); }, async (base) => {
      const r = await selfCheckHandshake(base, 't');
      expect(r).toMatchObject({ ok: false, status: 200 });
      expect(r.error).toMatch(/another server/);
    });
  });

  it('recognises ngrok\'s offline endpoint page', async () => {
    const fake = (async () => new Response('Tunnel not found. ERR_NGROK_3200', { status: 404 })) as unknown as typeof fetch;
    const r = await selfCheckHandshake('https://gone.ngrok-free.app', 't', fake);
    expect(r).toMatchObject({ ok: false, status: 404 });
    expect(r.error).toMatch(/offline/);
  });

  it('a connection failure is an error, not a throw', async () => {
    const fake = (async () => { throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }); }) as unknown as typeof fetch;
    const r = await selfCheckHandshake('https://nowhere.invalid', 't', fake);
    expect(r).toEqual({ ok: false, status: null, error: 'could not connect (ENOTFOUND)' });
    expect((await selfCheckHandshake('not a url', 't')).ok).toBe(false);
  });

  it('sends Meta\'s parameters with a fresh numeric challenge', async () => {
    const seen: URL[] = [];
    const fake = (async (input: URL) => {
      seen.push(new URL(String(input)));
      return new Response(seen[seen.length - 1].searchParams.get('hub.challenge'), { status: 200 });
    }) as unknown as typeof fetch;
    await selfCheckHandshake('https://x.example', 'vt', fake);
    await selfCheckHandshake('https://x.example', 'vt', fake);
    expect(seen[0].pathname).toBe('/meta');
    expect(seen[0].searchParams.get('hub.mode')).toBe('subscribe');
    expect(seen[0].searchParams.get('hub.verify_token')).toBe('vt');
    expect(seen[0].searchParams.get('hub.challenge')).toMatch(/^\d+$/);
    expect(seen[0].searchParams.get('hub.challenge')).not.toBe(seen[1].searchParams.get('hub.challenge'));
  });
});
