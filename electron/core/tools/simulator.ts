// The simulator (docs/api.md: POST /api/simulate): provider-shaped webhooks, built like the real ones in
// Meta's documented shapes (docs/webhooks.md: the Meta envelope, the Twilio form fields),
// signed with the configured secret (unsigned when none is set), and sent through the real receiver.
//
// Decisions:
//  - target 'receiver' (default) runs each POST through receiver.handle with origin 'simulate': the
//    same verification, normalising, storage and forwarding as the network, and the stored request id
//    comes back directly. target 'public' POSTs over real HTTP to the public URL (tunnel or configured),
//    exercising ngrok too; the stored ids are then found by the exact bytes sent.
//  - Meta bodies are compact JSON with Meta's own escaping (non-ASCII as \uXXXX, `/` as `\/`), as
//    Meta sends them; Twilio bodies are form-encoded with `+` for spaces, as Twilio sends them.
//  - Statuses carry increasing provider timestamps in the order asked for, so chaos `reorder` shows
//    the lifecycle sorting by provider time, not arrival.
//  - chaos: `batch` puts every step in one POST (Meta only: Twilio never batches); `reorder` shuffles
//    the steps (never leaving them in the original order when there are two or more); `duplicate`
//    delivers the first step again, byte for byte, at the end (at-least-once redelivery).
import { requestBytes } from '../store/pack';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SimulateResult } from '../../../shared/ipc';
import { HookscopeError } from '../../../shared/errors';
import { explainError } from '../../../shared/error-codes';
import { escapeUnicodeJson, joinBaseUrl } from '../../../shared/signature';
import { parseForm } from '../../../shared/form';
import { signMeta, signTwilio } from '../ingest/signature';
import { sendRaw } from './send-raw';
import { signingUrl, type ToolDeps } from './replay';

const META_TYPES = ['text', 'image', 'audio', 'voice', 'video', 'document', 'sticker', 'location', 'interactive', 'button_reply', 'list_reply', 'button', 'reaction'] as const;
const TWILIO_TYPES = ['text', 'image', 'audio', 'video', 'document', 'location', 'button'] as const;
const STATUS_WORDS = ['queued', 'sent', 'delivered', 'read', 'played', 'failed', 'undelivered'] as const;

export const simulateOptionsSchema = z.object({
  kind: z.enum(['message', 'status']),
  provider: z.enum(['meta', 'twilio']).default('meta'),
  messageType: z.enum(META_TYPES).default('text'),
  text: z.string().max(4096).optional(),
  contactId: z.string().regex(/^\d{6,15}$/, 'digits only, 6 to 15 of them (no +)').default('5511987654321'),
  contactName: z.string().max(200).default('Maria Souza'),
  /** The business number (digits); Meta's phone_number_id is derived from it. */
  businessNumber: z.string().regex(/^\d{6,15}$/).default('15550783881'),
  /** How many messages (kind 'message') or message lifecycles (kind 'status'). */
  count: z.number().int().min(1).max(50).default(1),
  /** For kind 'status': the sequence each message goes through. */
  statuses: z.array(z.enum(STATUS_WORDS)).min(1).max(10).default(['sent', 'delivered', 'read']),
  /** For a failed step: a provider error code (see shared/error-codes.ts). */
  errorCode: z.union([z.string().regex(/^\d{1,7}$/), z.number().int().nonnegative()]).optional(),
  /** For statuses: the outgoing message id; generated when absent. */
  messageId: z.string().min(1).max(300).optional(),
  /** For messages: the message this one replies to (Meta context.id / Twilio OriginalRepliedMessageSid). */
  replyTo: z.string().min(1).max(300).optional(),
  delayMs: z.number().int().min(0).max(10_000).default(0),
  chaos: z.object({
    batch: z.boolean().default(false),
    reorder: z.boolean().default(false),
    duplicate: z.boolean().default(false),
  }).strict().default({ batch: false, reorder: false, duplicate: false }),
  target: z.enum(['receiver', 'public']).default('receiver'),
}).strict().superRefine((o, ctx) => {
  if (o.provider === 'twilio') {
    if (o.chaos.batch) ctx.addIssue({ code: 'custom', path: ['chaos', 'batch'], message: 'Twilio sends one message per request; batching is Meta-only' });
    if (o.kind === 'message' && !(TWILIO_TYPES as readonly string[]).includes(o.messageType)) {
      ctx.addIssue({ code: 'custom', path: ['messageType'], message: `Twilio messages can be ${TWILIO_TYPES.join(', ')}` });
    }
  } else if (o.kind === 'status' && o.statuses.includes('undelivered')) {
    ctx.addIssue({ code: 'custom', path: ['statuses'], message: '"undelivered" is a Twilio status; Meta says "failed"' });
  } else if (o.kind === 'status' && o.statuses.includes('queued')) {
    ctx.addIssue({ code: 'custom', path: ['statuses'], message: '"queued" is a Twilio status; Meta starts at "sent"' });
  }
  if (o.kind === 'status' && o.count * o.statuses.length > 200) ctx.addIssue({ code: 'custom', message: 'at most 200 webhooks per simulation (count × statuses)' });
});

export type SimulateOptions = z.output<typeof simulateOptionsSchema>;

/** One webhook to send: the exact body bytes and the headers a provider would add. */
export interface SimulatedPost {
  path: '/meta' | '/twilio';
  body: Buffer;
  contentType: string;
}

const rid = (bytes: number) => randomBytes(bytes).toString('hex');
const wamid = () => `wamid.HBgN${randomBytes(18).toString('base64').replace(/[+/=]/g, 'A')}`;
const twilioSid = (prefix: 'SM' | 'MM' | 'AC') => `${prefix}${rid(16)}`;
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

function defaultErrorCode(provider: 'meta' | 'twilio'): string {
  return provider === 'meta' ? '131026' : '63016';
}

// ---- Meta (§1.2 envelope) ----

function metaValue(o: SimulateOptions, items: { messages?: unknown[]; statuses?: unknown[] }) {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: o.businessNumber, phone_number_id: phoneNumberId(o.businessNumber) },
  };
  if (items.messages) value.contacts = [{ profile: { name: o.contactName }, wa_id: o.contactId }];
  if (items.messages) value.messages = items.messages;
  if (items.statuses) value.statuses = items.statuses;
  return value;
}

function phoneNumberId(business: string): string {
  // Stable per business number, shaped like a real one (15 digits).
  return (business + '106540352242922').slice(0, 15);
}

function metaBody(o: SimulateOptions, items: { messages?: unknown[]; statuses?: unknown[] }): Buffer {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ value: metaValue(o, items), field: 'messages' }] }],
  };
  return Buffer.from(escapeUnicodeJson(JSON.stringify(payload)), 'utf8');
}

function metaMessage(o: SimulateOptions, ts: number, n: number): Record<string, unknown> {
  const text = o.text ?? (o.count > 1 ? `Hello from the simulator (${n + 1})` : 'Hello from the simulator');
  const m: Record<string, unknown> = { from: o.contactId, id: wamid(), timestamp: String(ts) };
  if (o.replyTo) m.context = { from: o.businessNumber, id: o.replyTo };
  const media = (mime: string, extra: Record<string, unknown> = {}) => ({ mime_type: mime, sha256: randomBytes(32).toString('base64'), id: String(1_000_000_000_000_000 + Number.parseInt(rid(6), 16)), ...extra });
  switch (o.messageType) {
    case 'text': m.text = { body: text }; m.type = 'text'; break;
    case 'image': m.type = 'image'; m.image = media('image/jpeg', o.text ? { caption: o.text } : {}); break;
    case 'video': m.type = 'video'; m.video = media('video/mp4', o.text ? { caption: o.text } : {}); break;
    case 'audio': m.type = 'audio'; m.audio = media('audio/mpeg', { voice: false }); break;
    case 'voice': m.type = 'audio'; m.audio = media('audio/ogg; codecs=opus', { voice: true }); break;
    case 'document': m.type = 'document'; m.document = media('application/pdf', { filename: 'invoice.pdf', ...(o.text ? { caption: o.text } : {}) }); break;
    case 'sticker': m.type = 'sticker'; m.sticker = media('image/webp', { animated: false }); break;
    case 'location': m.type = 'location'; m.location = { latitude: -23.5613, longitude: -46.6565, name: o.text ?? 'Avenida Paulista', address: 'Av. Paulista, São Paulo' }; break;
    case 'interactive':
    case 'button_reply':
      m.type = 'interactive';
      m.interactive = { type: 'button_reply', button_reply: { id: 'confirm', title: o.text ?? 'Confirm' } };
      if (!o.replyTo) m.context = { from: o.businessNumber, id: wamid() };
      break;
    case 'list_reply':
      m.type = 'interactive';
      m.interactive = { type: 'list_reply', list_reply: { id: 'slot-1', title: o.text ?? 'Tuesday 10:00', description: 'First free slot' } };
      if (!o.replyTo) m.context = { from: o.businessNumber, id: wamid() };
      break;
    case 'button':
      m.type = 'button';
      m.button = { payload: 'CONFIRM', text: o.text ?? 'Confirm' };
      if (!o.replyTo) m.context = { from: o.businessNumber, id: wamid() };
      break;
    case 'reaction':
      m.type = 'reaction';
      m.reaction = { message_id: o.replyTo ?? wamid(), emoji: o.text ?? '\u{1F44D}' };
      delete m.context;
      break;
  }
  return m;
}

function metaStatus(o: SimulateOptions, id: string, status: string, ts: number, first: boolean): Record<string, unknown> {
  const s: Record<string, unknown> = { id, status, timestamp: String(ts), recipient_id: o.contactId };
  if (status === 'sent' || status === 'delivered') {
    // PMP pricing (2025+); the conversation object comes with the first status of a conversation.
    if (first) s.conversation = { id: rid(16), expiration_timestamp: String(ts + 86_400), origin: { type: 'utility' } };
    s.pricing = { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' };
  }
  if (status === 'failed') {
    const code = String(o.errorCode ?? defaultErrorCode('meta'));
    const known = explainError(code, 'meta');
    const title = known?.title ?? `Error ${code}`;
    s.errors = [{
      code: Number(code), title, message: title,
      error_data: { details: known?.meaning ?? title },
      href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
    }];
  }
  return s;
}

// ---- Twilio (§2.1, §2.2) ----

function formEncode(params: [string, string][]): Buffer {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Buffer.from(params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&'), 'utf8');
}

function twilioMessage(o: SimulateOptions, n: number): [string, string][] {
  const media = ['image', 'audio', 'video', 'document'].includes(o.messageType);
  const sid = twilioSid(media ? 'MM' : 'SM');
  const body = o.messageType === 'text' ? (o.text ?? (o.count > 1 ? `Hello from the simulator (${n + 1})` : 'Hello from the simulator'))
    : o.messageType === 'button' ? (o.text ?? 'Confirm') : (o.text ?? '');
  const p: [string, string][] = [];
  if (media) {
    const mime = { image: 'image/jpeg', audio: 'audio/ogg', video: 'video/mp4', document: 'application/pdf' }[o.messageType as 'image'];
    p.push(['MediaContentType0', mime]);
  }
  if (o.messageType === 'location') p.push(['Latitude', '-23.5613'], ['Longitude', '-46.6565'], ['Address', 'Av. Paulista, São Paulo'], ['Label', o.text ?? 'Avenida Paulista']);
  p.push(['SmsMessageSid', sid], ['NumMedia', media ? '1' : '0'], ['ProfileName', o.contactName], ['MessageType', o.messageType],
    ['SmsSid', sid], ['WaId', o.contactId], ['SmsStatus', 'received'], ['Body', o.messageType === 'location' ? '' : body],
    ['To', `whatsapp:+${o.businessNumber}`], ['NumSegments', '1'], ['ReferralNumMedia', '0'], ['MessageSid', sid], ['AccountSid', ACCOUNT_SID],
    ['From', `whatsapp:+${o.contactId}`]);
  if (o.messageType === 'button') p.push(['ButtonText', body], ['ButtonPayload', 'CONFIRM']);
  if (o.replyTo) p.push(['OriginalRepliedMessageSender', `whatsapp:+${o.businessNumber}`], ['OriginalRepliedMessageSid', o.replyTo]);
  if (media) p.push(['MediaUrl0', `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}/Media/ME${rid(16)}`]);
  p.push(['ApiVersion', '2010-04-01']);
  return p;
}

function twilioStatus(o: SimulateOptions, sid: string, status: string): [string, string][] {
  const p: [string, string][] = [];
  if (status === 'delivered' || status === 'read') p.push(['EventType', status.toUpperCase()]);
  p.push(['SmsSid', sid], ['SmsStatus', status], ['MessageStatus', status], ['ChannelToAddress', `+${o.contactId}`],
    ['To', `whatsapp:+${o.contactId}`], ['ChannelPrefix', 'whatsapp'], ['MessageSid', sid], ['AccountSid', ACCOUNT_SID]);
  if (status === 'failed' || status === 'undelivered') {
    const code = String(o.errorCode ?? defaultErrorCode('twilio'));
    p.push(['ErrorCode', code]);
    const known = explainError(code, 'twilio');
    if (known?.known) p.push(['ErrorMessage', known.title]);
  }
  p.push(['From', `whatsapp:+${o.businessNumber}`], ['ApiVersion', '2010-04-01'], ['ChannelInstallSid', `XE${rid(16)}`]);
  return p;
}

// ---- plan: what to send, in which order ----

/** Builds the POSTs for a simulation (exported for tests and previews). */
export function planSimulation(o: SimulateOptions, nowSeconds: number): SimulatedPost[] {
  const steps: { meta?: { messages?: unknown[]; statuses?: unknown[] }; twilio?: [string, string][] }[] = [];
  let ts = nowSeconds;
  if (o.kind === 'message') {
    for (let n = 0; n < o.count; n++) {
      if (o.provider === 'meta') steps.push({ meta: { messages: [metaMessage(o, ts++, n)] } });
      else steps.push({ twilio: twilioMessage(o, n) });
    }
  } else {
    for (let n = 0; n < o.count; n++) {
      const id = o.count === 1 && o.messageId ? o.messageId : (o.provider === 'meta' ? wamid() : twilioSid('SM'));
      o.statuses.forEach((status, i) => {
        if (o.provider === 'meta') steps.push({ meta: { statuses: [metaStatus(o, id, status, ts++, i === 0)] } });
        else steps.push({ twilio: twilioStatus(o, id, status) });
      });
    }
  }
  if (o.chaos.reorder && steps.length > 1) {
    const orig = steps.slice();
    for (let i = steps.length - 1; i > 0; i--) {
      const j = randomBytes(4).readUInt32BE(0) % (i + 1);
      [steps[i], steps[j]] = [steps[j], steps[i]];
    }
    if (steps.every((s, i) => s === orig[i])) steps.reverse();
  }
  let posts: SimulatedPost[];
  if (o.provider === 'meta') {
    if (o.chaos.batch) {
      const messages = steps.flatMap((s) => s.meta?.messages ?? []);
      const statuses = steps.flatMap((s) => s.meta?.statuses ?? []);
      posts = [{ path: '/meta', contentType: 'application/json', body: metaBody(o, { ...(messages.length ? { messages } : {}), ...(statuses.length ? { statuses } : {}) }) }];
    } else {
      posts = steps.map((s) => ({ path: '/meta' as const, contentType: 'application/json', body: metaBody(o, s.meta!) }));
    }
  } else {
    posts = steps.map((s) => ({ path: '/twilio' as const, contentType: 'application/x-www-form-urlencoded', body: formEncode(s.twilio!) }));
  }
  if (o.chaos.duplicate && posts.length > 0) posts.push(posts[0]);
  return posts;
}

/** The headers the provider would send with this body, signed when a secret is configured. */
function providerHeaders(deps: ToolDeps, post: SimulatedPost, host: string, url: string): [string, string][] {
  const { settings } = deps;
  if (post.path === '/meta') {
    const h: [string, string][] = [['host', host], ['user-agent', 'facebookexternalua'], ['content-length', String(post.body.length)],
      ['accept', '*/*'], ['content-type', post.contentType]];
    const secret = settings.metaSecrets()[0];
    if (secret) h.push(['x-hub-signature-256', signMeta(post.body, secret)]);
    return h;
  }
  const h: [string, string][] = [['host', host], ['user-agent', 'TwilioProxy/1.1'], ['content-length', String(post.body.length)],
    ['accept', '*/*'], ['content-type', `${post.contentType}; charset=utf-8`], ['cache-control', 'max-age=259200'],
    ['i-twilio-idempotency-token', randomBytes(16).toString('hex')]];
  const token = settings.twilioTokens()[0];
  if (token) h.push(['x-twilio-signature', signTwilio(url, parseForm(post.body.toString('utf8')), token)]);
  return h;
}

export async function simulate(deps: ToolDeps, args: unknown): Promise<SimulateResult> {
  const parsed = simulateOptionsSchema.safeParse(args);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    throw new HookscopeError('VALIDATION', msg);
  }
  const o = parsed.data;
  const posts = planSimulation(o, Math.floor(Date.now() / 1000));
  const result: SimulateResult = { sent: 0, statuses: [], requestIds: [] };

  let publicBase: string | null = null;
  if (o.target === 'public') {
    publicBase = deps.settings.publicUrl(deps.tunnelUrl());
    if (!publicBase) throw new HookscopeError('VALIDATION', 'target "public" needs a public URL: start the tunnel or set a public URL in Setup.');
  }
  const receiver = deps.receiver();
  if (o.target === 'receiver' && !receiver) throw new HookscopeError('INTERNAL', 'The receiver is not running.');

  for (let i = 0; i < posts.length; i++) {
    if (i > 0 && o.delayMs > 0) await new Promise((r) => setTimeout(r, o.delayMs));
    const post = posts[i];
    if (o.target === 'receiver') {
      // The URL a provider would have signed: the public one when there is one, else the local receiver.
      const url = signingUrl(deps, post.path);
      const headers = providerHeaders(deps, post, new URL(url).host, url);
      const a = await receiver!.handle({ method: 'POST', path: post.path, query: '', headers, body: post.body, origin: 'simulate' });
      result.statuses.push(a.status);
      if (a.requestId != null) result.requestIds.push(a.requestId);
    } else {
      const url = joinBaseUrl(publicBase!, post.path);
      const headers = providerHeaders(deps, post, new URL(url).host, url);
      const before = maxRequestId(deps);
      const out = await sendRaw({ url, method: 'POST', headers, body: post.body, timeoutMs: deps.settings.plain().forwardTimeoutMs });
      if (out.status == null) throw new HookscopeError('REPLAY_FAILED', `Could not reach the public URL ${publicBase}: ${out.error}`);
      result.statuses.push(out.status);
      // Over the network the receiver's answer carries no id: find the request by the exact bytes sent.
      // Rows already derived are packed (store/pack.ts): compared after unpacking.
      const rows = deps.store.db.prepare('SELECT id, headers, body, packed FROM requests WHERE id > ? ORDER BY id LIMIT 1000').all(before) as { id: number; headers: string; body: Buffer | null; packed: number }[];
      const row = rows.find((r) => requestBytes(r).body?.equals(post.body));
      if (row) result.requestIds.push(row.id);
    }
    result.sent++;
  }
  return result;
}

function maxRequestId(deps: ToolDeps): number {
  return (deps.store.db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM requests').get() as { m: number }).m;
}
