import { describe, expect, it } from 'vitest';
import { normaliseMeta } from '../../shared/normalise';
import { META_FIELDS } from '../../shared/normalise/meta';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NormalisedEvent } from '../../shared/types';
import { fixture, fixtureNames } from '../helpers/fixtures';

// Hookscope's own Meta corpus (test/fixtures/meta, see its README), read byte for byte.
const load = (name: string): unknown => JSON.parse(fixture(`meta/${name}`).toString('utf8'));
const run = (name: string): NormalisedEvent[] => normaliseMeta(load(name));
/** The parsed envelope, typed just enough to reach into it. */
interface Envelope { entry: { changes: { value: Record<string, unknown[]> }[] }[] }
const firstValue = (p: unknown) => (p as Envelope).entry[0].changes[0].value;

// What the corpus shares: one clinic's WhatsApp number, one customer, one outgoing message.
const WABA = '102290129340398';
const PNID = '106540352242922';
const ANA = { contactId: '5511987650001', contactName: 'Ana Souza' } as const;
/** Incoming message ids of the corpus; the outgoing one carries a `/` (sent by Meta as `\/`). */
const wamid = (s: string): string => `wamid.HBgNNTUxMTk4NzY1MDAwMRUCABIYFjNFQjA${s}AA==`;
const OUT = 'wamid.HBgNNTUxMTk4NzY1MDAwMRUCABEYEjQ2QUQ5RjM2RUFC/Dg2M0Q1NwA=';
/** Corpus times are 2026-01-01T00:00:00Z plus n seconds, sent as strings of epoch seconds. */
const at = (n: number): number => (1767225600 + n) * 1000;

const MSG = { provider: 'meta', kind: 'message', status: 'incoming', providerStatus: null, businessId: PNID, ...ANA } as const;
const STATUS = { provider: 'meta', kind: 'status', businessId: PNID, contactId: '5511987650001', contactName: null, messageId: OUT,
  messageType: null, text: null, replyTo: null } as const;
const NO_ERROR = { errorCode: null, errorTitle: null, errorDetail: null } as const;
const FIELD = { provider: 'meta', status: null, messageId: null, contactId: null, businessId: null, timestamp: 1767225900000 } as const;

/**
 * One row per corpus file: the events it must produce, as docs/webhooks.md and the providers' docs
 * say. Fields a row does not list are not constrained by it (details have focused tests below).
 */
const EXPECTED: Record<string, Partial<NormalisedEvent>[]> = {
  'message-text.json': [{ ...MSG, ...NO_ERROR, messageId: wamid('1A'), messageType: 'text', text: 'Hi, is the clinic open on Saturday?', replyTo: null, timestamp: at(10) }],
  // \u escapes (surrogate pair for the emoji) and \/ in the file; real characters in the event.
  'message-text-unicode-escaped.json': [{ ...MSG, contactName: 'João Müller', messageId: wamid('1B'), messageType: 'text',
    text: 'Olá! Posso remarcar para sábado? \u{1F600} https://example.com/agenda', timestamp: at(11) }],
  // The same text as raw UTF-8, pretty-printed (as a BSP or a docs example sends it): the same event.
  'message-text-raw-utf8.json': [{ ...MSG, contactName: 'João Müller', messageId: wamid('1C'), messageType: 'text',
    text: 'Olá! Posso remarcar para sábado? \u{1F600} https://example.com/agenda', timestamp: at(12) }],
  'message-text-reply.json': [{ ...MSG, messageId: wamid('1D'), messageType: 'text', text: 'Yes, 10am works', replyTo: OUT, timestamp: at(13) }],
  'message-text-forwarded.json': [{ ...MSG, messageId: wamid('1E'), messageType: 'text', text: 'Look at this offer', replyTo: null, timestamp: at(14) }],
  'message-text-frequently-forwarded.json': [{ ...MSG, messageId: wamid('1F'), messageType: 'text', text: 'Chain message', replyTo: null, timestamp: at(15) }],
  'message-text-referral.json': [{ ...MSG, messageId: wamid('1G'), messageType: 'text', text: 'I saw your ad, tell me more', timestamp: at(16) }],
  'message-text-referred-product.json': [{ ...MSG, messageId: wamid('1H'), messageType: 'text', text: 'Is this in stock?', replyTo: OUT, timestamp: at(17) }],
  'message-image.json': [{ ...MSG, ...NO_ERROR, messageId: wamid('2A'), messageType: 'image', text: 'Photo of the prescription', timestamp: at(20) }],
  'message-video.json': [{ ...MSG, messageId: wamid('2B'), messageType: 'video', text: 'How it sounds now', timestamp: at(21) }],
  'message-audio.json': [{ ...MSG, messageId: wamid('2C'), messageType: 'audio', text: null, timestamp: at(22) }],
  'message-audio-voice.json': [{ ...MSG, messageId: wamid('2D'), messageType: 'audio', text: null, timestamp: at(23) }],
  'message-document.json': [{ ...MSG, messageId: wamid('2E'), messageType: 'document', text: 'Exam results', timestamp: at(24) }],
  'message-sticker.json': [{ ...MSG, messageId: wamid('2F'), messageType: 'sticker', text: null, timestamp: at(25) }],
  'message-sticker-animated.json': [{ ...MSG, messageId: wamid('2G'), messageType: 'sticker', text: null, timestamp: at(26) }],
  'message-location.json': [{ ...MSG, messageId: wamid('3A'), messageType: 'location', text: 'MASP — Av. Paulista, 1578 - Bela Vista, São Paulo - SP', timestamp: at(30) }],
  // A dropped pin: no name or address, so the coordinates are what the person sent.
  'message-location-pin.json': [{ ...MSG, messageId: wamid('3B'), messageType: 'location', text: '-22.951916, -43.210487', timestamp: at(31) }],
  // formatted_name when given, else first + last name.
  'message-contacts.json': [{ ...MSG, messageId: wamid('3C'), messageType: 'contacts', text: 'Dr. Paula Lima, Rafael Costa', timestamp: at(32) }],
  'message-interactive-button-reply.json': [{ ...MSG, messageId: wamid('4A'), messageType: 'interactive', text: 'Confirm', replyTo: OUT, timestamp: at(40) }],
  'message-interactive-list-reply.json': [{ ...MSG, messageId: wamid('4B'), messageType: 'interactive', text: 'Saturday 10:00', replyTo: OUT, timestamp: at(41) }],
  'message-interactive-nfm-reply.json': [{ ...MSG, messageId: wamid('4C'), messageType: 'interactive', text: 'Sent', replyTo: OUT, timestamp: at(42) }],
  // type=interactive without its object, plus a value-level error: both show, nothing throws.
  'message-interactive-missing-body.json': [
    { ...MSG, ...NO_ERROR, messageId: wamid('4D'), messageType: 'interactive', text: null, replyTo: OUT, timestamp: at(43) },
    { provider: 'meta', kind: 'account', status: null, messageType: 'error', messageId: null, contactId: null, businessId: PNID,
      errorCode: '131000', errorTitle: 'Something went wrong', errorDetail: 'Unsupported webhook payload', text: 'Something went wrong: Unsupported webhook payload', timestamp: null },
  ],
  'message-button.json': [{ ...MSG, messageId: wamid('4E'), messageType: 'button', text: 'Reschedule', replyTo: OUT, timestamp: at(44) }],
  'message-reaction.json': [{ ...MSG, messageId: wamid('5A'), messageType: 'reaction', text: '\u{1F44D}', replyTo: OUT, timestamp: at(50) }],
  // emoji "" = the reaction was taken back.
  'message-reaction-removed.json': [{ ...MSG, messageId: wamid('5B'), messageType: 'reaction', text: 'Removed a reaction', replyTo: OUT, timestamp: at(51) }],
  // order.text is "": a summary of the cart, 2 × 12.5 + 1 × 9.9 = 34.9 BRL.
  'message-order.json': [{ ...MSG, messageId: wamid('5C'), messageType: 'order', text: 'sku-brush-01 ×2, sku-paste-07 ×1 (34.9 BRL)', timestamp: at(52) }],
  // No contacts[] in a number-change notice: no name to show.
  'message-system-changed-number.json': [{ ...MSG, contactName: null, messageId: wamid('6A'), messageType: 'system',
    text: 'Ana Souza changed from 5511987650001 to 5511912340000', timestamp: at(60) }],
  'message-system-identity.json': [{ ...MSG, messageId: wamid('6B'), messageType: 'system', text: 'User identity changed', timestamp: at(61) }],
  'message-unsupported.json': [{ ...MSG, messageId: wamid('6C'), messageType: 'unsupported', text: 'Sent something WhatsApp does not pass on to the API (poll)', errorCode: '131051',
    errorTitle: 'Message type unknown', errorDetail: 'Message type is currently not supported.', timestamp: at(62) }],
  // A type this version does not know: kept under its own name.
  'message-request-welcome.json': [{ ...MSG, ...NO_ERROR, messageId: wamid('6D'), messageType: 'request_welcome', text: 'Opened the chat for the first time', timestamp: at(63) }],
  // An edit points at the message it changes and carries the new text.
  'message-edit.json': [{ ...MSG, messageId: wamid('7A'), messageType: 'edit', text: 'Hi, is the clinic open on Sunday?', replyTo: wamid('1A'), timestamp: at(70) }],
  'message-revoke.json': [{ ...MSG, messageId: wamid('7B'), messageType: 'revoke', text: 'Deleted a message', replyTo: wamid('1C'), timestamp: at(71) }],
  // The customer hides their number: the business-scoped user id is the contact, kept as is.
  'message-bsuid-sender.json': [{ ...MSG, contactId: 'BR.13491208655302741918', contactName: 'Hidden Customer', messageId: wamid('8A'),
    messageType: 'text', text: 'Prefer not to share my number', timestamp: at(80) }],
  // Documentation placeholders are not phone numbers and not times: kept as they are, time null.
  'message-placeholder-ids.json': [{ provider: 'meta', kind: 'message', status: 'incoming', messageId: '<WHATSAPP_MESSAGE_ID>',
    contactId: '<WHATSAPP_USER_PHONE_NUMBER>', contactName: '<WHATSAPP_USER_NAME>', businessId: '<BUSINESS_PHONE_NUMBER_ID>',
    messageType: 'text', text: '<MESSAGE_BODY_TEXT>', timestamp: null }],
  'message-group.json': [{ ...MSG, messageId: wamid('8B'), messageType: 'text', text: 'Who is bringing the forms?', timestamp: at(81) }],

  'status-sent.json': [{ ...STATUS, ...NO_ERROR, status: 'sent', providerStatus: 'sent', timestamp: at(100) }],
  'status-sent-pmp.json': [{ ...STATUS, ...NO_ERROR, status: 'sent', providerStatus: 'sent', timestamp: at(101) }],
  'status-delivered.json': [{ ...STATUS, ...NO_ERROR, status: 'delivered', providerStatus: 'delivered', timestamp: at(102) }],
  'status-read.json': [{ ...STATUS, ...NO_ERROR, status: 'read', providerStatus: 'read', timestamp: at(103) }],
  'status-played.json': [{ ...STATUS, ...NO_ERROR, status: 'played', providerStatus: 'played', timestamp: at(104) }],
  // Full error shape: code, title, message, error_data.details, href.
  'status-failed.json': [{ ...STATUS, status: 'failed', providerStatus: 'failed', errorCode: '131047', errorTitle: 'Re-engagement message',
    errorDetail: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.', timestamp: at(105) }],
  // Minimal shape {code, title}.
  'status-failed-minimal-error.json': [{ ...STATUS, status: 'failed', errorCode: '131026', errorTitle: 'Message undeliverable', errorDetail: null, timestamp: at(106) }],
  // Older shape with `details` at the top level; the file escapes / as \/.
  'status-failed-legacy-details.json': [{ ...STATUS, status: 'failed', errorCode: '131053', errorTitle: 'Media upload error',
    errorDetail: 'Unsupported Video mime type text/html. Please use one of video/3gpp, video/mp4.', timestamp: at(107) }],
  // On-Premises words relayed by some BSPs: `deleted` is known, `warning` is kept as other.
  'status-deleted.json': [{ ...STATUS, ...NO_ERROR, status: 'deleted', providerStatus: 'deleted', timestamp: at(108) }],
  'status-warning.json': [{ ...STATUS, status: 'other', providerStatus: 'warning', errorCode: '2026', errorTitle: 'Catalog item issue', timestamp: at(109) }],
  // A group send: recipient_id is the group; the contact is the participant who read it.
  'status-group-read.json': [{ ...STATUS, status: 'read', contactId: '5511987650001', details: expect.objectContaining({ groupId: '120363045678901234' }), timestamp: at(110) }],
  'status-bsuid-recipient.json': [{ ...STATUS, status: 'delivered', contactId: 'BR.13491208655302741918', timestamp: at(111) }],

  'errors-value-level.json': [
    { provider: 'meta', kind: 'account', status: null, messageType: 'error', businessId: PNID, errorCode: '130429', errorTitle: 'Rate limit hit',
      errorDetail: 'Cloud API message throughput has been reached.', text: 'Rate limit hit: Cloud API message throughput has been reached.', timestamp: null },
    { provider: 'meta', kind: 'account', status: null, messageType: 'error', businessId: PNID, errorCode: '0', errorTitle: 'AuthException', errorDetail: null, text: 'AuthException' },
  ],
  // Two entries; a value with messages AND statuses; a second change; a repeated message id; a template field.
  'batch-mixed.json': [
    { ...MSG, messageId: wamid('9A'), text: 'First', timestamp: at(200) },
    { ...MSG, contactId: '5521976540002', contactName: 'Bruno Reis', messageId: wamid('9B'), text: 'Second from Bruno', timestamp: at(201) },
    { ...MSG, messageId: wamid('9A'), text: 'First', timestamp: at(200) },
    { ...STATUS, status: 'delivered', contactName: 'Ana Souza', timestamp: at(202) },
    { ...STATUS, status: 'read', timestamp: at(203) },
    { provider: 'meta', kind: 'template', messageType: 'message_template_quality_update', providerStatus: 'RED',
      text: 'appointment_reminder (pt_BR) quality GREEN → RED', timestamp: 1767225804000 },
  ],
  // One message's life in arrival order read, sent, delivered: each is its own event, in file order.
  'batch-statuses-out-of-order.json': [
    { ...STATUS, status: 'read', timestamp: at(303) }, { ...STATUS, status: 'sent', timestamp: at(301) }, { ...STATUS, status: 'delivered', timestamp: at(302) },
  ],

  'field-template-status-approved.json': [{ ...FIELD, kind: 'template', providerStatus: 'APPROVED', messageType: 'message_template_status_update',
    text: 'appointment_reminder (pt_BR) APPROVED' }],
  'field-template-status-rejected.json': [{ ...FIELD, kind: 'template', providerStatus: 'REJECTED', messageType: 'message_template_status_update',
    text: 'winter_promo (en_US) REJECTED: INVALID_FORMAT' }],
  'field-template-quality.json': [{ ...FIELD, kind: 'template', providerStatus: 'YELLOW', messageType: 'message_template_quality_update',
    text: 'appointment_reminder (pt_BR) quality GREEN → YELLOW' }],
  'field-template-category.json': [{ ...FIELD, kind: 'template', providerStatus: 'MARKETING', messageType: 'template_category_update',
    text: 'order_update (en_US) category UTILITY → MARKETING' }],
  'field-template-components.json': [{ ...FIELD, kind: 'template', messageType: 'message_template_components_update',
    text: 'appointment_reminder (pt_BR) components updated: body “Your appointment is on {{1}}”' }],
  'field-account-update-restriction.json': [{ ...FIELD, kind: 'account', providerStatus: 'ACCOUNT_RESTRICTION', messageType: 'account_update',
    text: 'ACCOUNT_RESTRICTION: RESTRICTED_BIZ_INITIATED_MESSAGING, RESTRICTED_CUSTOMER_INITIATED_MESSAGING' }],
  'field-account-update-violation.json': [{ ...FIELD, kind: 'account', providerStatus: 'ACCOUNT_VIOLATION', messageType: 'account_update', text: 'ACCOUNT_VIOLATION: SCAM' }],
  'field-account-update-ban.json': [{ ...FIELD, kind: 'account', providerStatus: 'DISABLED_UPDATE', messageType: 'account_update', text: 'DISABLED_UPDATE: SCHEDULE_FOR_DISABLE' }],
  'field-phone-number-quality.json': [{ ...FIELD, kind: 'account', providerStatus: 'FLAGGED', messageType: 'phone_number_quality_update',
    text: '15550783881: quality FLAGGED (limit TIER_1K)' }],
  'field-phone-number-name.json': [{ ...FIELD, kind: 'account', providerStatus: 'REJECTED', messageType: 'phone_number_name_update',
    text: 'Display name "Clinica Sorriso!!" REJECTED: NAME_FORMAT_UNACCEPTABLE' }],
  'field-account-review.json': [{ ...FIELD, kind: 'account', providerStatus: 'APPROVED', messageType: 'account_review_update', text: 'Account review: APPROVED' }],
  'field-account-alerts.json': [{ ...FIELD, kind: 'account', providerStatus: 'ACTIVE', messageType: 'account_alerts', text: 'Your messaging limit will change soon' }],
  'field-business-capability.json': [{ ...FIELD, kind: 'account', messageType: 'business_capability_update',
    text: 'Capability update: max daily conversation per phone 10000, max phone numbers per business 20' }],
  'field-security.json': [{ ...FIELD, kind: 'account', providerStatus: 'PIN_CHANGED', messageType: 'security', text: 'Security: PIN_CHANGED on 15550783881 by 100064012345678' }],
  // One event per preference, for that customer, at the preference's own time.
  'field-user-preferences.json': [{ ...FIELD, kind: 'account', ...ANA, businessId: PNID, providerStatus: 'stop', messageType: 'user_preferences',
    text: 'marketing messages: stop', timestamp: 1767225950000 }],
  // The phone-app echo field under its shorter name: an outgoing echo to the customer.
  'field-message-echoes.json': [{ provider: 'meta', kind: 'echo', status: 'sent', contactId: ANA.contactId, businessId: PNID,
    messageId: 'wamid.HBgNNTUxMTk4NzY1MDAwMRUCABEYEjkyQUQ5RjM2RUFC', messageType: 'text', text: 'See you on Saturday at 10', timestamp: at(93) }],
  // Items a "messages" change carries under keys its reader does not read: each one announced, not dropped.
  'field-messages-unread-items.json': [
    { ...MSG, messageId: wamid('9A'), messageType: 'text', text: 'Calling you now', timestamp: at(90) },
    { provider: 'meta', kind: 'unknown', messageType: 'messages', text: expect.stringMatching(/^Not understood yet: a "calls" item inside a "messages" change/),
      details: expect.objectContaining({ notUnderstood: true, wabaId: WABA }) },
    { provider: 'meta', kind: 'unknown', messageType: 'messages', text: expect.stringMatching(/^Not understood yet: a "message_echoes" item inside a "messages" change/),
      details: expect.objectContaining({ notUnderstood: true }) },
  ],
  // The alert's fields flat on the value instead of in alert_info: Meta's severity and type still read.
  'field-account-alerts-flat.json': [{ ...FIELD, kind: 'account', providerStatus: 'ACTIVE', messageType: 'account_alerts', text: 'Your messaging limit was lowered',
    details: expect.objectContaining({ severity: 'critical', alertSeverity: 'CRITICAL', alertType: 'OBA_APPROVED' }) }],
  // One preference as an object, or flat on the value: still that customer's "stop".
  'field-user-preferences-object.json': [{ ...FIELD, kind: 'account', ...ANA, businessId: PNID, providerStatus: 'stop', messageType: 'user_preferences',
    text: 'marketing messages: stop', timestamp: 1767225950000 }],
  'field-user-preferences-flat.json': [{ ...FIELD, kind: 'account', contactId: ANA.contactId, businessId: PNID, providerStatus: 'stop', messageType: 'user_preferences',
    text: 'marketing messages: stop', timestamp: 1767225950000 }],
  // The phone number the update is about, with its quality rating and messaging limit.
  'field-account-update-phone-number.json': [{ ...FIELD, kind: 'account', providerStatus: 'VERIFIED_ACCOUNT', messageType: 'account_update',
    text: 'VERIFIED_ACCOUNT: 15550783881, quality RED, limit TIER_1K',
    details: expect.objectContaining({ displayPhoneNumber: '15550783881', quality: 'RED', currentLimit: 'TIER_1K', severity: 'critical' }) }],
  // `field` inside the value, not on the change: read as that field, with a note saying so.
  'field-account-update-field-in-value.json': [{ ...FIELD, kind: 'account', providerStatus: 'PARTNER_ADDED', messageType: 'account_update', text: 'PARTNER_ADDED',
    details: expect.objectContaining({ note: expect.stringContaining('inside the value') }) }],
  // Meta's advance notice: the template is UTILITY now and will become MARKETING on the given day.
  'field-template-category-impending.json': [{ ...FIELD, kind: 'template', providerStatus: 'UTILITY', messageType: 'template_category_update',
    text: 'order_update (en_US) is UTILITY; will become MARKETING on 2026-02-01 00:00 UTC',
    details: expect.objectContaining({ newCategory: 'UTILITY', correctCategory: 'MARKETING', categoryUpdateAt: 1769904000000, impending: true }) }],
  // A field this version does not know: kept as an unknown event, never dropped.
  'field-unrecognised.json': [{ ...FIELD, kind: 'unknown', messageType: 'hookscope_test_future_field', text: expect.stringMatching(/^Not understood yet: webhook field "hookscope_test_future_field"/),
    details: expect.objectContaining({ notUnderstood: true }) }],
};

describe('normaliseMeta on every file of the corpus', () => {
  it('has an expectation for every file in test/fixtures/meta, and a file for every expectation', () => {
    const onDisk = fixtureNames('meta').map((f) => f.slice('meta/'.length));
    expect(onDisk.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(EXPECTED).sort()).toEqual(onDisk);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, () => {
      const events = run(file);
      expect(events).toHaveLength(expected.length);
      expected.forEach((exp, i) => expect(events[i]).toMatchObject(exp));
      for (const ev of events) expect(ev.provider).toBe('meta');
    });
  }

  it('the same payload escaped (as Meta sends it) or raw UTF-8 and indented gives the same event', () => {
    const escaped = fixture('meta/message-text-unicode-escaped.json').toString('utf8');
    const raw = fixture('meta/message-text-raw-utf8.json').toString('utf8');
    expect(escaped).toContain('\\ud83d\\ude00');
    expect(escaped).toContain('https:\\/\\/example.com');
    expect(raw).toContain('\u{1F600}');
    const strip = ({ messageId: _a, timestamp: _b, raw: _c, ...rest }: NormalisedEvent) => rest;
    expect(strip(run('message-text-raw-utf8.json')[0])).toEqual(strip(run('message-text-unicode-escaped.json')[0]));
  });
});

describe('details and raw', () => {
  it('raw is the provider object the event came from, not a copy', () => {
    const payload = load('message-text.json');
    const [ev] = normaliseMeta(payload);
    expect(ev.raw).toBe(firstValue(payload).messages[0]);
    const st = load('status-sent.json');
    expect(normaliseMeta(st)[0].raw).toBe(firstValue(st).statuses[0]);
    const tpl = load('field-template-status-approved.json');
    expect(normaliseMeta(tpl)[0].raw).toBe(firstValue(tpl));
  });

  it('every event of the messages field carries the WhatsApp Business Account id', () => {
    for (const f of ['message-text.json', 'status-read.json', 'errors-value-level.json', 'field-security.json']) {
      for (const ev of run(f)) expect(ev.details!.wabaId, f).toBe(WABA);
    }
  });

  it('keeps media facts, voice and animated flags, forwarded and the click-to-WhatsApp referral', () => {
    expect(run('message-image.json')[0].details).toMatchObject({ media: { id: '1479537139650973', mime_type: 'image/jpeg' } });
    // The inline media url arrives with its slashes escaped; the event holds a usable URL.
    expect((run('message-image.json')[0].details!.media as { url?: string }).url).toBe(
      'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1479537139650973&ext=1767225620&hash=ATtQvV1');
    expect(run('message-video.json')[0].details).toMatchObject({ media: { id: '2754859441498128', mime_type: 'video/mp4' } });
    expect(run('message-document.json')[0].details).toMatchObject({ filename: 'results-2026-01.pdf', media: { id: '1230391271957733', mime_type: 'application/pdf' } });
    expect(run('message-audio.json')[0].details!.voice).toBe(false);
    expect(run('message-audio-voice.json')[0].details!.voice).toBe(true);
    expect(run('message-sticker.json')[0].details!.animated).toBe(false);
    expect(run('message-sticker-animated.json')[0].details!.animated).toBe(true);
    expect(run('message-text-forwarded.json')[0].details!.forwarded).toBe(true);
    expect(run('message-text-forwarded.json')[0].details!.frequentlyForwarded).toBeUndefined();
    expect(run('message-text-frequently-forwarded.json')[0].details!.frequentlyForwarded).toBe(true);
    expect(run('message-text-referral.json')[0].details!.referral).toMatchObject({
      source_type: 'ad', source_id: '120212345678901234', source_url: 'https://fb.me/3cr4Wqqkv', ctwa_clid: expect.stringMatching(/^ARAkLkA8/) });
    expect(run('message-text-reply.json')[0].details!.contextFrom).toBe('15550783881');
    expect(run('message-text-referred-product.json')[0].details!.referredProduct).toEqual({ catalog_id: '194836987003835', product_retailer_id: 'sku-toothbrush-02' });
    expect(run('message-group.json')[0].details!.groupId).toBe('120363045678901234');
    expect(run('message-bsuid-sender.json')[0].details!.userId).toBe('BR.13491208655302741918');
  });

  it('location, contacts, order, reaction and system details', () => {
    expect(run('message-location.json')[0].details!.location).toMatchObject({ latitude: -23.561414, longitude: -46.655881, name: 'MASP', url: 'https://masp.org.br/' });
    expect(run('message-location-pin.json')[0].details!.location).toEqual({ latitude: -22.951916, longitude: -43.210487 });
    expect(run('message-contacts.json')[0].details!.contactCount).toBe(2);
    const order = run('message-order.json')[0].details!.order as { catalog_id: string; product_items: unknown[] };
    expect(order.catalog_id).toBe('194836987003835');
    expect(order.product_items).toHaveLength(2);
    expect(run('message-reaction.json')[0].details).toMatchObject({ reactedMessageId: OUT, emoji: '\u{1F44D}' });
    expect(run('message-reaction-removed.json')[0].details).toMatchObject({ reactedMessageId: OUT, removed: true });
    expect(run('message-system-changed-number.json')[0].details).toMatchObject({ systemType: 'user_changed_number', newWaId: '5511912340000' });
    expect(run('message-system-identity.json')[0].details).toMatchObject({ systemType: 'customer_identity_changed', identity: { hash: 'Sjvjlx8G6Z0=' } });
    expect(run('message-unsupported.json')[0].details!.unsupportedType).toBe('poll');
  });

  it('interactive replies: ids, description, flow response decoded from its JSON string', () => {
    expect(run('message-interactive-button-reply.json')[0].details).toMatchObject({ interactiveType: 'button_reply', replyId: 'confirm-appt-8812' });
    expect(run('message-interactive-list-reply.json')[0].details).toMatchObject({ interactiveType: 'list_reply', replyId: 'slot-sat-10', description: 'Dr. Lima, room 2' });
    const flow = run('message-interactive-nfm-reply.json')[0].details!;
    expect(flow).toMatchObject({ interactiveType: 'nfm_reply', flowName: 'flow', flowToken: 'booking-flow-7f3a' });
    expect(flow.flowResponse).toEqual({ flow_token: 'booking-flow-7f3a', date: '2026-01-10', slot: '10:00' });
    expect(run('message-interactive-missing-body.json')[0].details!.interactiveType).toBeNull();
    expect(run('message-button.json')[0].details!.payload).toBe('RESCHEDULE_8812');
  });

  it('edit and revoke point at the original message', () => {
    expect(run('message-edit.json')[0].details).toMatchObject({ originalMessageId: wamid('1A'), editedType: 'text' });
    expect(run('message-revoke.json')[0].details!.originalMessageId).toBe(wamid('1C'));
  });

  it('statuses keep conversation, pricing, biz_opaque_callback_data and group participants', () => {
    expect(run('status-sent.json')[0].details).toMatchObject({
      conversation: { id: 'c0f7b0f53b1a4b2d9c4b5e6f7a8b9c0d', expiration_timestamp: '1767312100', origin: { type: 'utility' } },
      pricing: { billable: true, pricing_model: 'CBP', category: 'utility' } });
    expect(run('status-sent-pmp.json')[0].details).toMatchObject({ bizOpaqueCallbackData: 'campaign=jan-recall;row=77',
      pricing: { pricing_model: 'PMP', type: 'free_customer_service' } });
    expect(run('status-group-read.json')[0].details).toMatchObject({ recipientType: 'group', recipientParticipantId: '5511987650001',
      recipientParticipantUserId: 'BR.13491208655302741918' });
    expect(run('status-bsuid-recipient.json')[0].details!.recipientUserId).toBe('BR.13491208655302741918');
  });

  it('template and account events keep ids, names and reasons', () => {
    // message_template_id is a JSON number: kept as a string id.
    expect(run('field-template-status-approved.json')[0].details).toMatchObject({
      templateId: '2026010101', templateName: 'appointment_reminder', language: 'pt_BR', category: 'UTILITY', wabaId: WABA });
    expect((run('field-template-status-rejected.json')[0].details!.rejectionInfo as { reason: string }).reason).toMatch(/too many variables/);
    expect(run('field-template-quality.json')[0].details).toMatchObject({ templateId: '2026010101', previousQuality: 'GREEN', newQuality: 'YELLOW' });
    expect(run('field-template-category.json')[0].details).toMatchObject({ previousCategory: 'UTILITY', newCategory: 'MARKETING' });
    expect(run('field-phone-number-quality.json')[0].details).toMatchObject({ displayPhoneNumber: '15550783881', currentLimit: 'TIER_1K' });
    expect(run('field-account-alerts.json')[0].details).toMatchObject({ alertSeverity: 'WARNING' });
    expect(run('field-user-preferences.json')[0].details).toMatchObject({ category: 'marketing_messages', detail: 'User requested to stop marketing messages' });
  });
});

// ---- inline payloads ----

const env = (changes: unknown[], extra: Record<string, unknown> = {}) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'WABA1', changes, ...extra }],
});
const msgValue = (value: Record<string, unknown>) => ({
  field: 'messages',
  value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: 'PNID1' }, ...value },
});
const textMsg = (id: string, from: string, body: string, ts: unknown = '1700000000') =>
  ({ from, id, timestamp: ts, type: 'text', text: { body } });

describe('batches', () => {
  it('emits every entry × change × message/status in order', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        { id: 'W1', changes: [
          msgValue({ contacts: [{ profile: { name: 'Ana' }, wa_id: '111' }, { profile: { name: 'Bo' }, wa_id: '222' }],
            messages: [textMsg('m1', '111', 'one'), textMsg('m2', '222', 'two')] }),
          msgValue({ statuses: [{ id: 's1', status: 'sent', timestamp: '1700000001', recipient_id: '333' }] }),
        ] },
        { id: 'W2', changes: [
          msgValue({ messages: [textMsg('m3', '444', 'three')] }),
          { field: 'message_template_status_update', value: { event: 'PAUSED', message_template_id: 9, message_template_name: 't', message_template_language: 'pt_BR' } },
        ] },
      ],
    };
    const evs = normaliseMeta(payload);
    expect(evs.map((e) => [e.kind, e.messageId ?? e.text])).toEqual([
      ['message', 'm1'], ['message', 'm2'], ['status', 's1'], ['message', 'm3'], ['template', 't (pt_BR) PAUSED'],
    ]);
    // contactName is matched by wa_id, not just taken from the first contact.
    expect(evs[0]).toMatchObject({ contactId: '111', contactName: 'Ana', text: 'one', businessId: 'PNID1' });
    expect(evs[1]).toMatchObject({ contactId: '222', contactName: 'Bo', text: 'two' });
    expect(evs[2]).toMatchObject({ status: 'sent', contactId: '333', contactName: null, timestamp: 1700000001000 });
    expect(evs[3].details!.wabaId).toBe('W2');
  });

  it('a value with messages AND statuses yields both', () => {
    const evs = normaliseMeta(env([msgValue({
      messages: [textMsg('in1', '5511999990000', 'hi')],
      statuses: [{ id: 'out1', status: 'delivered', timestamp: '1700000002', recipient_id: '5511999990000' },
        { id: 'out1', status: 'read', timestamp: '1700000003', recipient_id: '5511999990000' }],
    })]));
    expect(evs.map((e) => `${e.kind}:${e.status}:${e.messageId}`)).toEqual([
      'message:incoming:in1', 'status:delivered:out1', 'status:read:out1']);
  });

  it('duplicates inside one payload are all emitted (the store flags them)', () => {
    const m = textMsg('dup', '1', 'same');
    const evs = normaliseMeta(env([msgValue({ messages: [m, m] })]));
    expect(evs).toHaveLength(2);
    expect(evs[0].messageId).toBe('dup');
    expect(evs[1].messageId).toBe('dup');
  });

  it('value-level errors alone: one account event per error', () => {
    const evs = normaliseMeta(env([msgValue({ errors: [
      { code: 130429, title: 'Rate limit hit', message: '(#130429) Rate limit hit', error_data: { details: 'Cloud API message throughput has been reached.' } },
      { code: 0, title: 'AuthException' },
    ] })], { time: 1700000100 }));
    expect(evs).toHaveLength(2);
    expect(evs[0]).toMatchObject({ kind: 'account', messageType: 'error', errorCode: '130429', errorTitle: 'Rate limit hit',
      errorDetail: 'Cloud API message throughput has been reached.', businessId: 'PNID1', timestamp: 1700000100000, status: null });
    expect(evs[1]).toMatchObject({ kind: 'account', errorCode: '0', errorTitle: 'AuthException', errorDetail: null });
  });
});

describe('status words and errors', () => {
  const st = (status: unknown, extra: Record<string, unknown> = {}) =>
    normaliseMeta(env([msgValue({ statuses: [{ id: 'x', status, timestamp: '1700000000', recipient_id: '+55 11 99999-0000', ...extra }] })]))[0];

  it('maps Cloud API and On-Premises words; warning and unknown words become other', () => {
    for (const w of ['sent', 'delivered', 'read', 'played', 'failed', 'deleted']) expect(st(w)).toMatchObject({ status: w, providerStatus: w });
    expect(st('warning')).toMatchObject({ status: 'other', providerStatus: 'warning' });
    expect(st('in_orbit')).toMatchObject({ status: 'other', providerStatus: 'in_orbit' });
    expect(st('DELIVERED')).toMatchObject({ status: 'delivered', providerStatus: 'DELIVERED' });
    expect(st(undefined)).toMatchObject({ kind: 'status', status: 'other', providerStatus: null });
    expect(st(42)).toMatchObject({ status: 'other', providerStatus: null });
  });

  it('contactId is the number without +, spaces or dashes', () => {
    expect(st('sent').contactId).toBe('5511999990000');
  });

  it('minimal error shape {code,title}; old top-level details; title missing → catalogue', () => {
    expect(st('failed', { errors: [{ code: 131047, title: 'Re-engagement message' }] })).toMatchObject({
      errorCode: '131047', errorTitle: 'Re-engagement message', errorDetail: null });
    expect(st('failed', { errors: [{ code: 131026, title: 'Message Undeliverable.', details: 'old style' }] })).toMatchObject({
      errorCode: '131026', errorDetail: 'old style' });
    expect(st('failed', { errors: [{ code: 131026, message: 'only a message' }] })).toMatchObject({
      errorCode: '131026', errorTitle: 'Message undeliverable', errorDetail: 'only a message' });
    // First error wins; the rest stay in raw.
    const ev = st('failed', { errors: [{ code: 131049, title: 'first' }, { code: 131050, title: 'second' }] });
    expect(ev).toMatchObject({ errorCode: '131049', errorTitle: 'first' });
    expect((ev.raw as { errors: unknown[] }).errors).toHaveLength(2);
  });

  it('PMP pricing and a recipient_user_id-only recipient', () => {
    const ev = normaliseMeta(env([msgValue({ statuses: [{ id: 'y', status: 'sent', timestamp: 1700000000, recipient_user_id: 'US.777',
      pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' } }] })]))[0];
    expect(ev).toMatchObject({ contactId: 'US.777', timestamp: 1700000000000 });
    expect(ev.details!.pricing).toMatchObject({ pricing_model: 'PMP', type: 'free_customer_service' });
  });
});

describe('timestamps', () => {
  const ts = (t: unknown) =>
    normaliseMeta(env([msgValue({ messages: [{ from: '1', id: 't', timestamp: t, type: 'text', text: { body: 'x' } }] })]))[0].timestamp;
  it('epoch seconds as string or number → ms; ms kept; garbage → null', () => {
    expect(ts('1700000000')).toBe(1700000000000);
    expect(ts(1700000000)).toBe(1700000000000);
    expect(ts(' 1700000000 ')).toBe(1700000000000);
    expect(ts('1700000000.5')).toBe(1700000000500);
    expect(ts(1700000000123)).toBe(1700000000123); // Gupshup v3 style milliseconds
    expect(ts('1700000000123')).toBe(1700000000123);
    for (const bad of ['asdf', '', '0x10', '1e9', '-5', -5, 0, null, undefined, {}, [], true, Number.NaN, Infinity, '17000000001234567890']) {
      expect(ts(bad), String(bad)).toBeNull();
    }
  });
});

describe('senders', () => {
  it('BSUID-only sender: from absent → from_user_id, else contacts[0].user_id, kept as is', () => {
    const a = normaliseMeta(env([msgValue({ contacts: [{ profile: { name: 'Hidden' }, user_id: 'US.1349' }],
      messages: [{ from_user_id: 'US.1349', id: 'b1', timestamp: '1700000000', type: 'text', text: { body: 'hey' } }] })]))[0];
    expect(a).toMatchObject({ contactId: 'US.1349', contactName: 'Hidden', text: 'hey' });
    const b = normaliseMeta(env([msgValue({ contacts: [{ profile: { name: 'Hidden' }, user_id: 'US.42' }],
      messages: [{ id: 'b2', timestamp: '1700000000', type: 'text', text: { body: 'x' } }] })]))[0];
    expect(b.contactId).toBe('US.42');
  });

  it('from with + and spaces is reduced to digits; name found by wa_id', () => {
    const ev = normaliseMeta(env([msgValue({ contacts: [{ profile: { name: 'Z' }, wa_id: '999' }, { profile: { name: 'Carla' }, wa_id: '15550100' }],
      messages: [textMsg('c', '+1 555-0100', 'hi')] })]))[0];
    expect(ev).toMatchObject({ contactId: '15550100', contactName: 'Carla' });
  });
});

describe('message types', () => {
  const one = (m: Record<string, unknown>) =>
    normaliseMeta(env([msgValue({ messages: [{ from: '1', id: 'i', timestamp: '1700000000', ...m }] })]))[0];

  it('unknown and future types keep their name and never throw', () => {
    expect(one({ type: 'request_welcome' })).toMatchObject({ kind: 'message', status: 'incoming', messageType: 'request_welcome', text: 'Opened the chat for the first time' });
    expect(one({ type: 'hologram', hologram: { caption: 'beam me up' } })).toMatchObject({ messageType: 'hologram', text: 'beam me up' });
    expect(one({ type: 'unknown', errors: [{ code: 131051, title: 'Message type unknown' }] })).toMatchObject({ messageType: 'unknown', errorCode: '131051' });
    expect(one({})).toMatchObject({ kind: 'message', messageType: null, text: null });
    expect(one({ type: 'text', text: 'not an object' })).toMatchObject({ messageType: 'text', text: null });
    expect(one({ type: 'image', image: null })).toMatchObject({ messageType: 'image', text: null });
    expect(one({ type: 'voice', voice: { id: 'v' } }).details!.voice).toBe(true); // legacy On-Premises voice type
    expect(one({ type: 'unsupported', unsupported: { type: 'poll' } }).details!.unsupportedType).toBe('poll');
  });

  it('reaction with missing emoji is a removal; reaction text is the emoji', () => {
    expect(one({ type: 'reaction', reaction: { message_id: 'orig' } })).toMatchObject({ text: 'Removed a reaction', replyTo: 'orig', details: { removed: true } });
    expect(one({ type: 'reaction', reaction: { message_id: 'orig', emoji: '👍' } })).toMatchObject({ text: '👍' });
  });

  it('nfm_reply response_json that is not an object, or not JSON', () => {
    const arr = one({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'f', body: 'Sent', response_json: '[1,2]' } } });
    expect(arr).toMatchObject({ text: 'Sent', details: { flowResponse: [1, 2] } });
    expect(arr.details!.flowToken).toBeUndefined();
    const bad = one({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'f', response_json: '{oops' } } });
    expect(bad).toMatchObject({ text: 'f', details: { flowResponse: '{oops', flowResponseInvalid: true } });
  });

  it('unknown interactive sub-type and list reply description', () => {
    expect(one({ type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: { response: 'accept' } } }))
      .toMatchObject({ messageType: 'interactive', text: 'Allowed the business to call them', details: { interactiveType: 'call_permission_reply' } });
    expect(one({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'r1', title: 'Row', description: 'd' } } }))
      .toMatchObject({ text: 'Row', details: { replyId: 'r1', description: 'd' } });
  });

  it('order with its own text; mixed currencies get no total', () => {
    expect(one({ type: 'order', order: { text: 'please deliver', product_items: [] } }).text).toBe('please deliver');
    expect(one({ type: 'order', order: { product_items: [
      { product_retailer_id: 'A', quantity: 1, item_price: 2, currency: 'USD' },
      { product_retailer_id: 'B', quantity: 1, item_price: 2, currency: 'EUR' }] } }).text).toBe('A ×1, B ×1');
  });

  it('edit of a text message carries the new text', () => {
    expect(one({ type: 'edit', edit: { original_message_id: 'o1', message: { type: 'text', text: { body: 'fixed typo' } } } }))
      .toMatchObject({ messageType: 'edit', text: 'fixed typo', replyTo: 'o1', details: { originalMessageId: 'o1', editedType: 'text' } });
    expect(one({ type: 'revoke', revoke: { original_message_id: 'o2' } })).toMatchObject({ messageType: 'revoke', text: 'Deleted a message', details: { originalMessageId: 'o2' } });
  });
});

describe('other fields', () => {
  const field = (name: string, value: unknown) => normaliseMeta({ object: 'whatsapp_business_account', entry: [{ id: 'W', time: 1700000000, changes: [{ field: name, value }] }] });

  it('template components update, account review, phone number events, alerts, security, capabilities', () => {
    expect(field('message_template_components_update', { message_template_id: 1, message_template_name: 'promo', message_template_language: 'en' })[0])
      .toMatchObject({ kind: 'template', messageType: 'message_template_components_update', text: 'promo (en) components updated', timestamp: 1700000000000 });
    expect(field('template_category_update', { message_template_name: 'x', previous_category: 'UTILITY', new_category: 'MARKETING' })[0])
      .toMatchObject({ kind: 'template', providerStatus: 'MARKETING', text: 'x category UTILITY → MARKETING' });
    expect(field('account_review_update', { decision: 'APPROVED' })[0]).toMatchObject({ kind: 'account', providerStatus: 'APPROVED', text: 'Account review: APPROVED' });
    expect(field('phone_number_quality_update', { display_phone_number: '15550783881', event: 'FLAGGED', current_limit: 'TIER_1K' })[0])
      .toMatchObject({ kind: 'account', providerStatus: 'FLAGGED', text: '15550783881: quality FLAGGED (limit TIER_1K)' });
    expect(field('phone_number_name_update', { display_phone_number: '1', decision: 'REJECTED', requested_verified_name: 'Shop', rejection_reason: 'NAME_FORMAT' })[0])
      .toMatchObject({ kind: 'account', providerStatus: 'REJECTED', text: 'Display name "Shop" REJECTED: NAME_FORMAT' });
    expect(field('account_alerts', { entity_type: 'WABA', alert_info: { alert_severity: 'WARNING', alert_status: 'ACTIVE', alert_type: 'X', alert_description: 'Something to look at' } })[0])
      .toMatchObject({ kind: 'account', providerStatus: 'ACTIVE', text: 'Something to look at' });
    expect(field('security', { display_phone_number: '1555', event: 'PIN_CHANGED', requester: '123' })[0])
      .toMatchObject({ kind: 'account', providerStatus: 'PIN_CHANGED', text: 'Security: PIN_CHANGED on 1555 by 123' });
    expect(field('business_capability_update', { max_daily_conversation_per_phone: 1000 })[0])
      .toMatchObject({ kind: 'account', text: 'Capability update: max daily conversation per phone 1000' });
    expect(field('account_update', { event: 'VERIFIED_ACCOUNT' })[0]).toMatchObject({ kind: 'account', text: 'VERIFIED_ACCOUNT' });
  });

  it('user_preferences: one event per preference, for that customer', () => {
    const evs = field('user_preferences', { contacts: [], user_preferences: [
      { wa_id: '111', category: 'marketing_messages', value: 'stop', timestamp: 1700000001 },
      { wa_id: '222', category: 'marketing_messages', value: 'resume' }] });
    expect(evs.map((e) => [e.contactId, e.text, e.timestamp])).toEqual([
      ['111', 'marketing messages: stop', 1700000001000], ['222', 'marketing messages: resume', 1700000000000]]);
  });

  it('unknown fields are kept as unknown events with raw, labelled "not understood yet"', () => {
    const value = { teleport_requests: [{ id: 'e' }] };
    const [ev] = field('teleport_update', value);
    expect(ev).toMatchObject({ kind: 'unknown', provider: 'meta', messageType: 'teleport_update', status: null, details: { notUnderstood: true } });
    expect(ev.text).toMatch(/not understood yet/i);
    expect(ev.raw).toBe(value);
  });
});

describe('shapes that are not a WhatsApp webhook', () => {
  it('non-object payloads → one unknown event with raw kept', () => {
    for (const p of [null, 42, 'text', true, [], [1, 2], undefined]) {
      const evs = normaliseMeta(p);
      expect(evs, JSON.stringify(p)).toHaveLength(1);
      expect(evs[0]).toMatchObject({ kind: 'unknown', provider: 'meta' });
      expect(evs[0].raw).toBe(p);
    }
  });

  it('other objects, missing entry, empty entry, broken entries and changes', () => {
    const page = { object: 'page', entry: [] };
    expect(normaliseMeta(page)).toMatchObject([{ kind: 'unknown', raw: page }]);
    expect(normaliseMeta(page)[0].text).toContain('"page"');
    expect(normaliseMeta({ object: 'whatsapp_business_account' })).toMatchObject([{ kind: 'unknown' }]);
    expect(normaliseMeta({ object: 'whatsapp_business_account', entry: [] })).toMatchObject([{ kind: 'unknown' }]);
    expect(normaliseMeta({ object: 'whatsapp_business_account', entry: 'x' })).toMatchObject([{ kind: 'unknown' }]);
    const weird = normaliseMeta({ object: 'whatsapp_business_account', entry: [null, 7, { id: 'W' }, { changes: [null, { field: 'messages' }, { field: 'messages', value: 'v' }] }] });
    expect(weird.map((e) => e.kind)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
  });

  it('garbage inside messages/statuses/errors arrays never throws', () => {
    const evs = normaliseMeta(env([msgValue({ messages: [null, 'm', 3], statuses: [[], false], errors: ['e'], contacts: 'nope' })]));
    expect(evs.map((e) => e.kind)).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown', 'account']);
    expect(normaliseMeta(env([msgValue({ messages: 'not an array' })]))).toMatchObject([{ kind: 'unknown' }]);
  });

  it('a messages change with nothing in it is surfaced, not dropped', () => {
    const evs = normaliseMeta(env([msgValue({})]));
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ kind: 'unknown', messageType: 'messages' });
  });

  it('object missing (a BSP passing the format through) is still read', () => {
    const evs = normaliseMeta({ entry: [{ id: 'W', changes: [msgValue({ messages: [textMsg('q', '1', 'hi')] })] }] });
    expect(evs[0]).toMatchObject({ kind: 'message', text: 'hi' });
  });
});

describe('Meta field → reader: one table', () => {
  const fields = Object.keys(META_FIELDS).sort();

  it('every field of the table has a payload in test/fixtures that carries it', () => {
    const carried = new Set<string>();
    for (const folder of ['meta', 'meta-fields']) {
      const dir = resolve(__dirname, '../fixtures', folder);
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
        for (const m of readFileSync(resolve(dir, f), 'utf8').matchAll(/"field"\s*:\s*"(\w+)"/g)) carried.add(m[1]);
      }
    }
    expect(fields.filter((f) => !carried.has(f))).toEqual([]);
  });

  it('docs/webhooks.md lists exactly the fields of the table', () => {
    const doc = readFileSync(resolve(__dirname, '../../docs/webhooks.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Fields'), doc.indexOf('## Message types'));
    const listed = [...section.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`(\w+)`/g)].map((x) => x[1]));
    expect([...new Set(listed)].sort()).toEqual(fields);
  });

  it('a field that is not in the table is kept as "not understood", with its name', () => {
    const [ev] = normaliseMeta({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'toString', value: { a: 1 } }] }] });
    expect(ev).toMatchObject({ kind: 'unknown', messageType: 'toString', text: expect.stringContaining('webhook field "toString"') });
  });
});
