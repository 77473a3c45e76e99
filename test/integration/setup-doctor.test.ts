// The tunnel and the setup doctor through the core's contract, with a fake ngrok connector whose
// "public" URL is the local receiver, so the self-check really goes over HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import type { RejectedDetail, RejectedPage, DoctorFinding, TunnelState } from '../../shared/types';
import type { TunnelConnector } from '../../electron/core/types';
import { fixture } from '../helpers/fixtures';
import { signMetaBody, startTestCore, type TestCore } from '../helpers/core';

let t: TestCore | null = null;
afterEach(async () => { await t?.close(); t = null; });

function loopbackConnector(getUrl: () => string): TunnelConnector {
  return { connect: async () => ({ url: () => getUrl(), close: async () => {} }) };
}

const ids = (f: { findings: DoctorFinding[] }) => f.findings.map((x) => x.id);

describe('tunnel through the contract', () => {
  it('without a token ends in a clear error while the receiver keeps answering', async () => {
    t = await startTestCore();
    const s = await t.call<TunnelState>('tunnel:start');
    expect(s.state).toBe('error');
    expect(s.message).toMatch(/authtoken/i);
    expect((await t.post('/meta', fixture('meta/status-sent.json'))).status).toBe(200);
  });

  it('offline ends in TUNNEL_NO_NETWORK and the receiver keeps answering', async () => {
    t = await startTestCore({ env: { ngrokAuthtoken: 'dummy-token' } });
    const s = await t.call<TunnelState>('tunnel:start');
    expect(s.state).toBe('error');
    expect(s.code).toBe('TUNNEL_NO_NETWORK');
    expect((await t.post('/meta', fixture('meta/status-sent.json'))).status).toBe(200);
  });

  it('online: the tunnel URL feeds the doctor self-check and Twilio signature checks', async () => {
    let url = '';
    t = await startTestCore({ env: { ngrokAuthtoken: 'tok', metaVerifyToken: 'vt' }, tunnelConnector: loopbackConnector(() => url) });
    url = t.url;
    const s = await t.call<TunnelState>('tunnel:start');
    expect(s).toMatchObject({ state: 'online', url: t.url });
    const f = await t.call<{ findings: DoctorFinding[] }>('doctor:get', { selfCheck: true });
    expect(ids(f)).toContain('self-check-ok');
    expect(ids(f)).toContain('handshake-self-only');
    expect((await t.call<TunnelState>('tunnel:stop')).state).toBe('off');
  });
});

describe('setup doctor', () => {
  it('points at the right path when the provider calls a wrong one', async () => {
    t = await startTestCore();
    await t.post('/webhook', '{}');
    await t.post('/webhook', '{}');
    const f = await t.call<{ findings: DoctorFinding[] }>('doctor:get', {});
    const unrouted = f.findings.find((x) => x.id.startsWith('unrouted:'))!;
    expect(unrouted.id).toBe('unrouted:/webhook');
    expect(unrouted.detail).toMatch(/\/meta/);
  });

  it('recognises the verify token pasted as the app secret', async () => {
    t = await startTestCore({ env: { metaAppSecrets: ['the-real-secret'], metaVerifyToken: 'my-verify-token' } });
    const body = fixture('meta/message-text-reply.json');
    const r = await t.post('/meta', body, { 'x-hub-signature-256': signMetaBody(body, 'my-verify-token') });
    expect(r.status).toBe(401);
    const f = await t.call<{ findings: DoctorFinding[] }>('doctor:get', {});
    expect(ids(f)).toContain('meta-secret-swapped');
    // And the rejected view's signature debugger names the same cause for that request.
    const page = await t.call<RejectedPage>('rejected:list', {});
    const d = await t.call<RejectedDetail>('rejected:get', { id: page.items[0].id });
    expect(d.signatureDebug?.cause).toMatch(/verify token/i);
    expect(JSON.stringify(d.signatureDebug)).not.toContain('the-real-secret');
  });

  it('says webhooks are arriving once signed POSTs come in', async () => {
    t = await startTestCore({ env: { metaAppSecrets: ['s3cret'] } });
    const body = fixture('meta/status-delivered.json');
    await t.post('/meta', body, { 'x-hub-signature-256': signMetaBody(body, 's3cret') });
    const f = await t.call<{ findings: DoctorFinding[] }>('doctor:get', {});
    expect(ids(f)).toContain('webhooks-received');
    expect(ids(f)).not.toContain('meta-signature-invalid');
  });
});
