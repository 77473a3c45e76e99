// Pure helpers behind the inspector: hex dump, body parsing, JSON paths, the conversation thread and
// the 24-hour customer-service window.
import { describe, expect, it } from 'vitest';
import type { HookEvent } from '../../shared/types';
import { base64ToBytes, hexDump } from '../../renderer/ui/hex-dump';
import { childPath, copyableValue } from '../../renderer/ui/json-path';
import { headerValue, parseBody, parseForm } from '../../renderer/features/inspector/payload';
import { buildThread, serviceWindow, SERVICE_WINDOW_MS } from '../../renderer/features/timeline/thread';
import { callbackBase } from '../../renderer/features/setup/callback-url';

const ev = (id: number, over: Partial<HookEvent>): HookEvent => ({
  id, requestId: id, receivedAt: id * 1000, signature: 'valid', duplicate: false, provider: 'meta', kind: 'message',
  status: 'incoming', providerStatus: null, messageId: `m${id}`, contactId: '1', contactName: null, businessId: null,
  messageType: 'text', text: `t${id}`, replyTo: null, errorCode: null, errorTitle: null, errorDetail: null, timestamp: null, ...over,
});

describe('hex dump', () => {
  it('shows offset, hex in two groups of 8, and printable ASCII', () => {
    const bytes = base64ToBytes(Buffer.from('Hello world\n\x00\xff', 'latin1').toString('base64'));
    expect(hexDump(bytes)).toBe('00000000  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 ff        |Hello world...|');
  });
  it('stops at the limit and says how much is left', () => {
    const out = hexDump(new Uint8Array(40), 16).split('\n');
    expect(out).toHaveLength(2);
    expect(out[1]).toBe('… 24 more bytes not shown');
  });
});

describe('body parsing', () => {
  const req = (body: string, type = 'application/json', bodyIsText = true) => ({ body, bodyIsText, headers: [['content-type', type]] as [string, string][] });
  it('JSON, form, broken JSON, binary, empty', () => {
    expect(parseBody(req('{"a":[1]}'))).toEqual({ kind: 'json', value: { a: [1] } });
    expect(parseBody(req('Body=hi+there&To=whatsapp%3A%2B1&X=1&X=2', 'application/x-www-form-urlencoded'))).toEqual({
      kind: 'form', value: { Body: 'hi there', To: 'whatsapp:+1', X: ['1', '2'] },
    });
    expect(parseBody(req('{oops')).kind).toBe('text');
    expect(parseBody(req('AAEC', 'application/octet-stream', false))).toEqual({ kind: 'binary' });
    expect(parseBody(req(''))).toEqual({ kind: 'empty' });
  });
  it('header lookup is case-insensitive', () => {
    expect(headerValue({ headers: [['X-Hub-Signature-256', 'sha256=1']] }, 'x-hub-signature-256')).toBe('sha256=1');
    expect(parseForm('a=1')).toEqual({ a: '1' });
  });
});

describe('JSON paths', () => {
  it('dots for identifiers, brackets for indexes and odd keys', () => {
    expect(childPath(childPath(childPath('$', 'entry'), 0), 'changes')).toBe('$.entry[0].changes');
    expect(childPath('$', 'content-type')).toBe('$["content-type"]');
    expect(copyableValue('a "b"')).toBe('a "b"');
    expect(copyableValue({ a: 1 })).toBe('{\n  "a": 1\n}');
  });
});

describe('conversation thread', () => {
  it('keeps incoming messages and folds each outgoing message into one bubble at its furthest state', () => {
    const thread = buildThread([
      ev(1, { kind: 'message', text: 'hi', timestamp: 1000 }),
      ev(2, { kind: 'status', status: 'sent', messageId: 'out1', text: null, timestamp: 2000 }),
      ev(4, { kind: 'status', status: 'read', messageId: 'out1', text: null, timestamp: 4000 }),
      ev(3, { kind: 'status', status: 'delivered', messageId: 'out1', text: null, timestamp: 3000 }),
      ev(5, { kind: 'message', text: 'thanks', timestamp: 5000 }),
    ]);
    expect(thread.map((t) => t.type)).toEqual(['in', 'out', 'in']);
    const out = thread[1];
    expect(out.type === 'out' && out.status).toBe('read');
    expect(out.type === 'out' && out.events.map((e) => e.id)).toEqual([2, 3, 4]);
  });

  it('24-hour window: open until lastIncomingAt + 24 h, closed after, closed when never written', () => {
    expect(serviceWindow(1000, 1000 + SERVICE_WINDOW_MS - 1)).toEqual({ open: true, closesAt: 1000 + SERVICE_WINDOW_MS });
    expect(serviceWindow(1000, 1000 + SERVICE_WINDOW_MS).open).toBe(false);
    expect(serviceWindow(null, 0)).toEqual({ open: false, closesAt: null });
  });
});

describe('callback URL', () => {
  const info = { version: '0', mode: 'serve' as const, receiver: { url: 'http://127.0.0.1:4750', host: '127.0.0.1', port: 4750 } };
  it('prefers the live tunnel, then the public URL, then the local receiver', () => {
    expect(callbackBase({ state: 'online', url: 'https://a.ngrok.app/', since: 0 }, null, info)).toEqual({ url: 'https://a.ngrok.app', source: 'tunnel' });
    expect(callbackBase({ state: 'off', since: 0 }, null, info)).toEqual({ url: 'http://127.0.0.1:4750', source: 'local' });
    expect(callbackBase(null, null, null)).toEqual({ url: null, source: 'none' });
  });
});
