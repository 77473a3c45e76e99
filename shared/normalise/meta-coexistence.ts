// Coexistence: a business that keeps using the WhatsApp Business phone app next to the Cloud API.
// - smb_message_echoes: what the business typed in the phone app → an outgoing `echo` event, part of
//   the message's lifecycle and of the conversation;
// - history: the past conversation Meta imports in phases and chunks → one `history` event per past
//   message (searchable, in the conversation, never notifying, never today's traffic) and one progress
//   event per chunk ("history_sync");
// - smb_app_state_sync: the phone app's contacts added / changed / removed → `contact` events.
// docs/webhooks.md lists what each becomes.
import type { NormalisedEvent } from '../types';
import { asArray, blank, contactKey, isObj, type Obj, rawStr, str, toMillis } from './common';
import {
  applyErrors, businessIdOf, changeEvent, type ChangeContext, clip, contactName, type Contacts, firstContactUserId,
  indexContacts, mark, type Out, readMessageBody, readsKeys, take, unknownEvent, announceUnread, words,
} from './meta-shared';

export function echoesValue(value: Obj, ctx: ChangeContext, out: Out): void {
  const businessId = businessIdOf(value);
  const contacts = indexContacts(value.contacts);
  const list = asArray(value.message_echoes);
  if (list.length === 0) {
    out.push(unknownEvent(value, 'A phone-app echo change without message_echoes', ctx));
    return;
  }
  for (const m of take(out, list)) out.push(echoEvent(m, contacts, businessId, ctx));
  announceUnread(value, ECHOES_READS, ctx, out);
}
const ECHOES_READS = readsKeys('message_echoes');

function echoEvent(m: unknown, contacts: Contacts, businessId: string | null, ctx: ChangeContext): NormalisedEvent {
  if (!isObj(m)) return unknownEvent(m, 'A phone-app echo that is not an object', ctx);
  const ev = blank('meta', 'echo', m);
  // Sent from the phone: as far as Hookscope can know, the message reached the `sent` state. Its later
  // statuses (delivered, read) arrive as ordinary status events with the same id.
  ev.status = 'sent';
  ev.messageId = str(m.id);
  ev.businessId = businessId;
  ev.timestamp = toMillis(m.timestamp);
  const details: Obj = { direction: 'outgoing', source: 'WhatsApp Business app' };
  // The customer is the recipient: `to`, or their business-scoped id when the number is hidden.
  const toUserId = str(m.to_user_id);
  ev.contactId = contactKey(m.to) ?? toUserId ?? firstContactUserId(contacts);
  ev.contactName = contactName(contacts, [str(m.to), ev.contactId, toUserId]);
  if (toUserId) details.userId = toUserId;
  readMessageBody(m, ev, details);
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  if (ctx.note) details.note = ctx.note;
  ev.details = details;
  return ev;
}

// ---------------------------------------------------------------- history

/** Meta's phases: day 0 is when the business was onboarded onto the Cloud API. */
const PHASE_WORDS = ['day 0–1', 'day 1–90', 'day 90–180'];

function int(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,6}$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

const HISTORY_READS = readsKeys('history');

export function historyValue(value: Obj, ctx: ChangeContext, out: Out): void {
  const businessId = businessIdOf(value);
  const contacts = indexContacts(value.contacts);
  const chunks = asArray(value.history);
  if (chunks.length === 0) {
    out.push(unknownEvent(value, 'A history change without history chunks', ctx));
    return;
  }
  for (const chunk of take(out, chunks)) {
    if (!isObj(chunk)) {
      out.push(unknownEvent(chunk, 'A history chunk that is not an object', ctx));
      continue;
    }
    const md = isObj(chunk.metadata) ? chunk.metadata : null;
    const phase = md ? int(md.phase) : null;
    const chunkOrder = md ? int(md.chunk_order) : null;
    const rawProgress = md ? int(md.progress) : null;
    const progress = rawProgress === null ? null : Math.min(rawProgress, 100);
    const where = { phase, chunkOrder };
    let messages = 0;
    const threads = asArray(chunk.threads);
    for (const t of threads) {
      if (!isObj(t)) continue;
      const threadId = contactKey(t.id) ?? str(t.user_id);
      const list = asArray(t.messages);
      messages += list.length;
      for (const m of take(out, list)) out.push(historyMessage(m, threadId, contacts, businessId, ctx, where));
    }
    // The progress event comes after its messages, so it sits on top of them in a newest-first feed.
    // Its raw is the chunk's metadata and errors only: the messages are each their own event.
    const details: Obj = { phase, chunkOrder, progress, threads: threads.length, messages };
    const ev = changeEvent('history', { metadata: chunk.metadata, errors: chunk.errors }, ctx, details);
    ev.messageType = 'history_sync';
    ev.businessId = businessId;
    applyErrors(ev, chunk.errors);
    if (ev.errorCode || ev.errorTitle) {
      // The business declined to share its chat history (or the import failed): nothing will come.
      ev.providerStatus = 'declined';
      ev.text = `Chat history not imported: ${ev.errorTitle ?? `error ${ev.errorCode}`}`;
      details.declined = true;
      mark(details, 'warning', 'history_declined');
    } else {
      ev.providerStatus = progress === 100 ? 'complete' : 'importing';
      const phaseText = phase !== null ? `phase ${phase + 1} of 3${phase < PHASE_WORDS.length ? ` (${PHASE_WORDS[phase]})` : ''}` : null;
      const parts = [phaseText, chunkOrder !== null ? `chunk ${chunkOrder}` : null, `${messages} message${messages === 1 ? '' : 's'}`].filter(Boolean);
      ev.text = progress === 100
        ? `Chat history import complete (100%) — ${parts.join(', ')}`
        : `Importing chat history: ${progress ?? '?'}% — ${parts.join(', ')}`;
    }
    out.push(ev);
  }
  announceUnread(value, HISTORY_READS, ctx, out);
}

function historyMessage(
  m: unknown, threadId: string | null, contacts: Contacts, businessId: string | null, ctx: ChangeContext,
  where: { phase: number | null; chunkOrder: number | null },
): NormalisedEvent {
  if (!isObj(m)) return unknownEvent(m, 'A history message that is not an object', ctx);
  // A past message, not today's traffic: status stays null so no status count, funnel or "incoming"
  // figure ever includes it; the word Meta gives (history_context.status) is the providerStatus.
  const ev = blank('meta', 'history', m);
  ev.messageId = str(m.id);
  ev.businessId = businessId;
  ev.timestamp = toMillis(m.timestamp);
  const from = contactKey(m.from) ?? str(m.from_user_id);
  // The thread id is the customer; a message from anyone else was the business's.
  const customer = threadId ?? from;
  ev.contactId = customer;
  ev.contactName = contactName(contacts, [customer], false);
  const details: Obj = {
    imported: true,
    direction: from !== null && customer !== null && from === customer ? 'incoming' : from === null ? null : 'outgoing',
    phase: where.phase,
    chunkOrder: where.chunkOrder,
  };
  const hc = isObj(m.history_context) ? m.history_context : null;
  const state = hc ? str(hc.status) : null;
  ev.providerStatus = state;
  if (state) details.historyStatus = state.toLowerCase();
  readMessageBody(m, ev, details);
  if (ctx.wabaId) details.wabaId = ctx.wabaId;
  if (ctx.note) details.note = ctx.note;
  ev.details = details;
  return ev;
}

// ---------------------------------------------------------------- phone-app contacts

const STATE_SYNC_READS = readsKeys('state_sync');

const ACTION_WORDS: Record<string, string> = {
  add: 'added to', added: 'added to', create: 'added to',
  edit: 'changed in', update: 'changed in', change: 'changed in', modify: 'changed in',
  remove: 'removed from', removed: 'removed from', delete: 'removed from',
};

export function stateSyncValue(value: Obj, ctx: ChangeContext, out: Out): void {
  const businessId = businessIdOf(value);
  const items = asArray(value.state_sync);
  if (items.length === 0) {
    out.push(unknownEvent(value, 'A phone-app sync change without state_sync items', ctx));
    return;
  }
  for (const item of take(out, items)) {
    if (!isObj(item)) {
      out.push(unknownEvent(item, 'A phone-app sync item that is not an object', ctx));
      continue;
    }
    const type = rawStr(item.type);
    const action = rawStr(item.action);
    const ev = changeEvent('contact', item, ctx, {});
    const details = ev.details!;
    ev.messageType = type ? `state_sync.${clip(type, 30)}` : 'state_sync';
    ev.businessId = businessId;
    ev.providerStatus = action;
    const md = isObj(item.metadata) ? item.metadata : null;
    ev.timestamp = (md ? toMillis(md.timestamp) : null) ?? toMillis(item.timestamp) ?? ctx.entryTime;
    const verb = action !== null && Object.hasOwn(ACTION_WORDS, action.toLowerCase()) ? ACTION_WORDS[action.toLowerCase()] : null;
    const c = isObj(item.contact) ? item.contact : null;
    if (type === 'contact' || c) {
      ev.contactId = c ? contactKey(c.phone_number) ?? contactKey(c.wa_id) : null;
      ev.contactName = c ? clip(c.full_name) ?? clip(c.first_name) : null;
      const who = ev.contactName ?? (ev.contactId ? `+${ev.contactId}` : 'A contact');
      ev.text = verb ? `${who} ${verb} the phone app's contacts` : `${who}: phone-app contact ${words(action) ?? 'synced'}`;
      details.action = verb ? verb.split(' ')[0] : action;
    } else {
      details.notUnderstood = true;
      ev.text = `Not understood yet: phone-app sync of "${clip(type, 40) ?? '?'}" ${words(action) ?? ''}`.trim();
    }
    out.push(ev);
  }
  announceUnread(value, STATE_SYNC_READS, ctx, out);
}
