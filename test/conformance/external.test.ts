// The external conformance set: real WhatsApp webhook payloads written by others, kept beside the
// repository in ../shared/fixtures/whatsapp (as in CI), with a SOURCES.md saying what each one must
// become. Run byte for byte when present; when absent this file is not collected and the run prints
// one line saying so (test/conformance/announce.ts). Nothing here is copied into the repository:
// payloads, expectations' sources and signature vectors are read from that folder.
import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { normaliseMeta, normaliseTwilio } from '../../shared/normalise';
import { parseForm } from '../../shared/form';
import { explainError } from '../../shared/error-codes';
import { signMeta, signTwilio, verifyMeta, verifyTwilio } from '../../electron/core/ingest/signature';
import type { HookEvent, NormalisedEvent } from '../../shared/types';
import { EXTERNAL_DIR as FIXTURES, externalFixture } from '../helpers/fixtures';
import { startTestCore, type TestCore } from '../helpers/core';

const load = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const run = (name: string): NormalisedEvent[] => normaliseMeta(load(name));
const runTwilio = (name: string): NormalisedEvent[] => normaliseTwilio(parseForm(fs.readFileSync(path.join(FIXTURES, name), 'utf8')));
/** The parsed envelope, typed just enough to reach into it. */
interface Envelope { entry: { changes: { value: Record<string, unknown[]> }[] }[] }
const firstValue = (p: unknown) => (p as Envelope).entry[0].changes[0].value;

// The sender every pywa message fixture shares (SOURCES.md "expected": from wa_id 972987654321, profile 'Test Name').
const PYWA = { provider: 'meta', contactId: '972987654321', contactName: 'Test Name', businessId: '1122334455667' } as const;
const MSG = { ...PYWA, kind: 'message', status: 'incoming', providerStatus: null } as const;
const STATUS = { ...PYWA, kind: 'status', messageType: null, text: null, replyTo: null } as const;
const NO_ERROR = { errorCode: null, errorTitle: null, errorDetail: null } as const;
const s = (sec: number): number => sec * 1000;

/**
 * One row per Meta fixture: the events it must produce, per SOURCES.md "expected". Fields not listed
 * are not constrained by the row (details are checked in the focused tests below).
 */
const EXPECTED: Record<string, Partial<NormalisedEvent>[]> = {
  'meta-cloud__message-text__pywa-text.json': [
    { ...MSG, ...NO_ERROR, messageId: 'wamid.xyzxyz', messageType: 'text', text: 'Body Text', replyTo: null, timestamp: s(1697043223) },
  ],
  'meta-cloud__message-text__pywa-signed-real-capture.json': [
    { provider: 'meta', kind: 'message', status: 'incoming', contactId: '972544401243', contactName: 'PyWa Tests',
      businessId: '277321005464405', messageType: 'text', text: 'Hey there! I am using PyWa.', timestamp: s(1730231903),
      messageId: 'wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA' },
  ],
  'meta-cloud__message-text__pywa-reply-context.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'text', text: 'replied text', replyTo: 'wamid.xyzxyz==', timestamp: s(1697044746) },
  ],
  'meta-cloud__message-text__pywa-forwarded.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'text', text: 'forwarded text', replyTo: null, timestamp: s(1697044815) },
  ],
  'meta-cloud__message-text__pywa-frequently-forwarded.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'text', text: 'text forwarded many times', replyTo: null, timestamp: s(1697044968) },
  ],
  'meta-cloud__message-text__pywa-referral-ctwa.json': [
    { ...MSG, messageId: 'wamid.ID', messageType: 'text', text: 'BODY', timestamp: s(1697045000) },
  ],
  'meta-cloud__message-image__pywa-image.json': [
    { ...MSG, ...NO_ERROR, messageId: 'wamid.xyzxyz', messageType: 'image', text: null, timestamp: s(1697043379) },
  ],
  'meta-cloud__message-image__pywa-media-with-url.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'image', text: null, timestamp: s(1697043379) },
  ],
  'meta-cloud__message-video__pywa-video.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'video', text: 'caption', timestamp: s(1697044362) },
  ],
  'meta-cloud__message-document__pywa-document.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'document', text: 'caption', timestamp: s(1697043666) },
  ],
  'meta-cloud__message-audio__pywa-audio.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'audio', text: null, timestamp: s(1697043509) },
  ],
  'meta-cloud__message-audio__pywa-voice.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'audio', text: null, timestamp: s(1697043473) },
  ],
  'meta-cloud__message-sticker__pywa-static.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'sticker', text: null, timestamp: s(1697043760) },
  ],
  'meta-cloud__message-sticker__pywa-animated.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'sticker', text: null, timestamp: s(1697043785) },
  ],
  'meta-cloud__message-reaction__pywa-emoji-escaped.json': [
    // The file holds the surrogate-pair escape \ud83d\ude2e; the event holds the real emoji U+1F62E.
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'reaction', text: '\u{1F62E}', replyTo: 'wamid.yzxyzx=', timestamp: s(1697044456) },
  ],
  'meta-cloud__message-reaction__pywa-unreaction-empty.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'reaction', text: 'Removed a reaction', replyTo: 'wamid.yzxyzx=', timestamp: s(1697044456) },
  ],
  'meta-cloud__message-location__pywa-current.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'location', text: '12.25089, 43.90539', timestamp: s(1697044557) },
  ],
  'meta-cloud__message-location__pywa-chosen-forwarded.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'location', text: 'Facebook HQ — 1 Hacker Way, Menlo Park, CA 94025', timestamp: s(1697044557) },
  ],
  'meta-cloud__message-contacts__pywa-three-contacts.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'contacts', text: 'Chandler Bing, Monica, Rachel Green', timestamp: s(1697044621) },
  ],
  'meta-cloud__message-order__pywa-order.json': [
    // order.text is "" → a summary of the cart: 3×30 + 2×35 + 2×10 = 180 ILS.
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'order', text: 'HAMBURGER ×3, FRENCH_FRIES ×2, SODA ×2 (180 ILS)', timestamp: s(1697044668) },
  ],
  'meta-cloud__message-unsupported__pywa-unsupported.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'unsupported', text: 'Sent a message WhatsApp does not pass on to the API', errorCode: '131051', errorTitle: 'Message type unknown',
      errorDetail: 'Message type is currently not supported.', timestamp: s(1697044706) },
  ],
  'meta-cloud__message-interactive__pywa-missing-interactive-body.json': [
    { ...MSG, ...NO_ERROR, messageId: 'wamid.wegrchytvwcggt=', messageType: 'interactive', text: null, replyTo: 'wamid.gvwegfretge==', timestamp: s(1700505494) },
    { provider: 'meta', kind: 'account', status: null, messageType: 'error', messageId: null, contactId: null, businessId: '1122334455667',
      errorCode: '131000', errorTitle: 'Something went wrong', errorDetail: 'Unsupported webhook payload', timestamp: null },
  ],
  'meta-cloud__message-interactive-button_reply__pywa-button.json': [
    { ...MSG, messageId: 'wamid.xyzxyz', messageType: 'interactive', text: 'title', replyTo: 'wamid.xyzxyz', timestamp: s(1698266730) },
  ],
  'meta-cloud__message-interactive-list_reply__pywa-list.json': [
    { ...MSG, messageId: 'wamid.zyzxyz', messageType: 'interactive', text: 'title', replyTo: 'wamid.xyzxyz', timestamp: s(1698266905) },
  ],
  'meta-cloud__message-interactive-nfm_reply__pywa-flow-completion.json': [
    { ...MSG, messageId: 'wamid.wegrchytvwcggt==', messageType: 'interactive', text: 'Sent', replyTo: 'wamid.gvwegfretge==', timestamp: s(1702502473) },
  ],
  'meta-cloud__message-button__pywa-template-quick-reply.json': [
    { ...MSG, messageId: 'wamid.xsidjw', messageType: 'button', text: 'title', replyTo: 'wamid.xyzxyz==', timestamp: s(1698269027) },
  ],
  'meta-cloud__message-button__pywa-quick-reply-no-context-from-user-id.json': [
    { ...MSG, messageId: 'wamid.xsidjx', messageType: 'button', text: 'title', replyTo: null, timestamp: s(1698269027) },
  ],
  'meta-cloud__message-system__pywa-user-changed-number.json': [
    // No contacts[] in this payload: no name to show.
    { ...MSG, contactName: null, messageId: 'wamid.xyzxyz==', messageType: 'system', text: 'User A changed from 972987654321 to 972912345678',
      timestamp: s(1753851315) },
  ],
  'meta-cloud__message-system__pywa-identity-change.json': [
    { ...MSG, contactName: 'User A', messageId: 'wamid.xyzxyz', messageType: 'system', text: 'User identity changed', timestamp: s(1697044706) },
  ],
  'meta-cloud__message-edit__pywa-edited-image.json': [
    { provider: 'meta', kind: 'message', status: 'incoming', messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      contactId: '16505551234', businessId: '106540352242922', messageType: 'edit', text: 'Updated image caption',
      replyTo: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=', timestamp: s(1749854575) },
  ],
  'meta-cloud__message-revoke__pywa-deleted.json': [
    // Docs placeholders are kept as they are: they are not phone numbers (SOURCES.md conventions).
    { provider: 'meta', kind: 'message', status: 'incoming', messageId: '<WHATSAPP_MESSAGE_ID>', contactId: '<WHATSAPP_USER_PHONE_NUMBER>',
      businessId: '<BUSINESS_PHONE_NUMBER_ID>', messageType: 'revoke', text: 'Deleted a message', replyTo: '<ORIGINAL_WHATSAPP_MESSAGE_ID>', timestamp: s(1697043223) },
  ],
  'meta-cloud__status-sent__pywa-sent.json': [
    { ...STATUS, ...NO_ERROR, status: 'sent', providerStatus: 'sent', messageId: 'wamid.xyzxyz', timestamp: s(1698266945) },
  ],
  'meta-cloud__status-delivered__pywa-delivered.json': [
    { ...STATUS, ...NO_ERROR, status: 'delivered', providerStatus: 'delivered', messageId: 'wamid.xyzxyz', timestamp: s(1698266945) },
  ],
  'meta-cloud__status-read__pywa-read.json': [
    { ...STATUS, ...NO_ERROR, status: 'read', providerStatus: 'read', messageId: 'wamid.xyzxyz', timestamp: s(1689380458) },
  ],
  'meta-cloud__status-played__pywa-played.json': [
    { ...STATUS, ...NO_ERROR, status: 'played', providerStatus: 'played', messageId: 'wamid.xyzxyz', timestamp: s(1689380458) },
  ],
  'meta-cloud__status-failed__pywa-130472.json': [
    { ...STATUS, status: 'failed', providerStatus: 'failed', messageId: 'wamid.xyzxyz', errorCode: '130472',
      errorTitle: "User's number is part of an experiment",
      errorDetail: "Failed to send message because this user's phone number is part of an experiment", timestamp: s(1689380458) },
  ],
  'meta-cloud__status-sent__pywa-biz-opaque-callback.json': [
    { ...STATUS, status: 'sent', providerStatus: 'sent', messageId: 'wamid.xyzxyz', timestamp: s(1698266945) },
  ],
  'meta-cloud__status-read__pywa-group.json': [
    // recipient_id is the group; the contact is the participant who read it (docs placeholder kept as is).
    { provider: 'meta', kind: 'status', status: 'read', providerStatus: 'read', messageId: '<WHATSAPP_MESSAGE_ID>', contactId: '<GROUP_PARTICIPANT_USER_PHONE_NUMBER>',
      details: { groupId: 'fowefinoewcnw' },
      contactName: '<USER_DISPLAY_NAME>', businessId: '<BUSINESS_PHONE_NUMBER_ID>', timestamp: s(1698266945) },
  ],
  'meta-cloud__field-message_template_status_update__pywa-approved.json': [
    { provider: 'meta', kind: 'template', status: null, providerStatus: 'APPROVED', messageType: 'message_template_status_update',
      text: 'order_confirmation (en_US) APPROVED', contactId: null, messageId: null, timestamp: s(1751247548) },
  ],
  'meta-cloud__field-message_template_status_update__pywa-rejected.json': [
    { provider: 'meta', kind: 'template', status: null, providerStatus: 'REJECTED', messageType: 'message_template_status_update',
      text: 'abandoned_cart (en) REJECTED: INVALID_FORMAT', timestamp: s(1751247548) },
  ],
  'meta-cloud__field-message_template_quality_update__pywa-yellow.json': [
    { provider: 'meta', kind: 'template', status: null, providerStatus: 'YELLOW', messageType: 'message_template_quality_update',
      text: 'welcome_template (en_US) quality GREEN → YELLOW', timestamp: s(1674864290) },
  ],
  'meta-cloud__field-template_category_update__pywa-marketing.json': [
    { provider: 'meta', kind: 'template', status: null, providerStatus: 'MARKETING', messageType: 'template_category_update',
      text: 'my_message_template (he) category changed to MARKETING', timestamp: s(1750344882) },
  ],
  'meta-cloud__field-account_update__pywa-restriction.json': [
    { provider: 'meta', kind: 'account', status: null, providerStatus: 'ACCOUNT_RESTRICTION', messageType: 'account_update',
      text: 'ACCOUNT_RESTRICTION: RESTRICTED_BIZ_INITIATED_MESSAGING, RESTRICTED_ADD_PHONE_NUMBER_ACTION', timestamp: s(1641330498) },
  ],
  'meta-cloud__field-account_update__pywa-violation.json': [
    { provider: 'meta', kind: 'account', status: null, providerStatus: 'ACCOUNT_VIOLATION', messageType: 'account_update',
      text: 'ACCOUNT_VIOLATION: ADULT', timestamp: s(1743451903) },
  ],
  'meta-cloud__field-user_preferences__pywa-marketing-resume.json': [
    { provider: 'meta', kind: 'account', status: null, providerStatus: 'resume', messageType: 'user_preferences',
      contactId: '16505551234', businessId: '106540352242922', text: 'marketing messages: resume', timestamp: s(1731705721) },
  ],
};

describe('normaliseMeta on every Meta fixture (SOURCES.md "expected")', () => {
  it('has an expectation for every meta-cloud fixture on disk, and a file for every expectation', () => {
    const onDisk = fs.readdirSync(FIXTURES).filter((f) => f.startsWith('meta-cloud__')).sort();
    expect(onDisk.length).toBe(45);
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
});

describe('details and raw', () => {
  it('raw is the provider object the event came from, not a copy', () => {
    const payload = load('meta-cloud__message-text__pywa-text.json');
    const [ev] = normaliseMeta(payload);
    expect(ev.raw).toBe(firstValue(payload).messages[0]);
    const st = load('meta-cloud__status-sent__pywa-sent.json');
    expect(normaliseMeta(st)[0].raw).toBe(firstValue(st).statuses[0]);
    const tpl = load('meta-cloud__field-message_template_status_update__pywa-approved.json');
    expect(normaliseMeta(tpl)[0].raw).toBe(firstValue(tpl));
  });

  it('keeps media facts, voice and animated flags, forwarded and the CTWA referral', () => {
    expect(run('meta-cloud__message-image__pywa-image.json')[0].details).toMatchObject({ media: { id: '65463453', mime_type: 'image/jpeg' } });
    expect((run('meta-cloud__message-image__pywa-media-with-url.json')[0].details!.media as { url?: string }).url).toMatch(/^https:\/\/lookaside\.fbsbx\.com\//);
    expect(run('meta-cloud__message-video__pywa-video.json')[0].details).toMatchObject({ forwarded: true, media: { id: '765756756', mime_type: 'video/mp4' } });
    expect(run('meta-cloud__message-document__pywa-document.json')[0].details).toMatchObject({
      filename: 'filename.pdf', forwarded: true, media: { id: '1234567890987654321', mime_type: 'application/pdf' } });
    expect(run('meta-cloud__message-audio__pywa-audio.json')[0].details!.voice).toBe(false);
    expect(run('meta-cloud__message-audio__pywa-voice.json')[0].details!.voice).toBe(true);
    expect(run('meta-cloud__message-sticker__pywa-static.json')[0].details!.animated).toBe(false);
    expect(run('meta-cloud__message-sticker__pywa-animated.json')[0].details!.animated).toBe(true);
    expect(run('meta-cloud__message-text__pywa-forwarded.json')[0].details!.forwarded).toBe(true);
    expect(run('meta-cloud__message-text__pywa-frequently-forwarded.json')[0].details!.frequentlyForwarded).toBe(true);
    expect(run('meta-cloud__message-text__pywa-referral-ctwa.json')[0].details!.referral).toMatchObject({
      source_type: 'ad or post', source_id: 'ADID', ctwa_clid: 'CTWA_CLID' });
    expect(run('meta-cloud__message-text__pywa-reply-context.json')[0].details!.contextFrom).toBe('972123456789');
  });

  it('location, order, reaction and system details', () => {
    expect(run('meta-cloud__message-location__pywa-chosen-forwarded.json')[0].details!.location).toMatchObject({
      latitude: 37.4611978, longitude: -122.2164385, name: 'Facebook HQ' });
    expect(run('meta-cloud__message-location__pywa-current.json')[0].details!.location).toEqual({ latitude: 12.25089, longitude: 43.90539 });
    const order = run('meta-cloud__message-order__pywa-order.json')[0].details!.order as { catalog_id: string; product_items: unknown[] };
    expect(order.catalog_id).toBe('354160437058781');
    expect(order.product_items).toHaveLength(3);
    expect(run('meta-cloud__message-reaction__pywa-emoji-escaped.json')[0].details).toMatchObject({ reactedMessageId: 'wamid.yzxyzx=', emoji: '😮' });
    expect(run('meta-cloud__message-reaction__pywa-unreaction-empty.json')[0].details).toMatchObject({ reactedMessageId: 'wamid.yzxyzx=', removed: true });
    expect(run('meta-cloud__message-system__pywa-user-changed-number.json')[0].details).toMatchObject({
      systemType: 'user_changed_number', newWaId: '972912345678' });
    expect(run('meta-cloud__message-system__pywa-identity-change.json')[0].details).toMatchObject({
      systemType: 'customer_identity_changed', identity: { hash: 'xyzxyz' } });
  });

  it('interactive replies: ids, flow response decoded from its JSON string', () => {
    expect(run('meta-cloud__message-interactive-button_reply__pywa-button.json')[0].details).toMatchObject({
      interactiveType: 'button_reply', replyId: 'callback_data' });
    expect(run('meta-cloud__message-interactive-list_reply__pywa-list.json')[0].details).toMatchObject({
      interactiveType: 'list_reply', replyId: 'callback_data' });
    const flow = run('meta-cloud__message-interactive-nfm_reply__pywa-flow-completion.json')[0].details!;
    expect(flow).toMatchObject({ interactiveType: 'nfm_reply', flowName: 'flow', flowToken: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.' });
    expect(flow.flowResponse).toMatchObject({ flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.', delivery_rating: '4' });
    expect(run('meta-cloud__message-interactive__pywa-missing-interactive-body.json')[0].details!.interactiveType).toBeNull();
    expect(run('meta-cloud__message-button__pywa-template-quick-reply.json')[0].details!.payload).toBe('callback_data');
  });

  it('edit and revoke point at the original message', () => {
    const edit = run('meta-cloud__message-edit__pywa-edited-image.json')[0];
    expect(edit.details).toMatchObject({ originalMessageId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=', editedType: 'image' });
    const revoke = run('meta-cloud__message-revoke__pywa-deleted.json')[0];
    expect(revoke.details!.originalMessageId).toBe('<ORIGINAL_WHATSAPP_MESSAGE_ID>');
  });

  it('statuses keep conversation, pricing, biz_opaque_callback_data and group participants', () => {
    expect(run('meta-cloud__status-sent__pywa-sent.json')[0].details).toMatchObject({
      conversation: { id: '7270432eae37498234f4444b35ffc5', expiration_timestamp: '1698339900', origin: { type: 'service' } },
      pricing: { billable: true, pricing_model: 'CBP', category: 'service' } });
    expect(run('meta-cloud__status-sent__pywa-biz-opaque-callback.json')[0].details!.bizOpaqueCallbackData).toBe('some data');
    expect(run('meta-cloud__status-read__pywa-group.json')[0].details).toMatchObject({
      recipientType: 'group', recipientParticipantUserId: 'US.123456' });
  });

  it('template and account events keep ids, names and reasons', () => {
    expect(run('meta-cloud__field-message_template_status_update__pywa-approved.json')[0].details).toMatchObject({
      templateId: '1689556908129832', templateName: 'order_confirmation', language: 'en_US', category: 'UTILITY', wabaId: '102290129340398' });
    expect((run('meta-cloud__field-message_template_status_update__pywa-rejected.json')[0].details!.rejectionInfo as { reason: string }).reason).toMatch(/parameters placed next to each other/);
    expect(run('meta-cloud__field-message_template_quality_update__pywa-yellow.json')[0].details).toMatchObject({
      templateId: '806312974732579', previousQuality: 'GREEN', newQuality: 'YELLOW' });
    expect(run('meta-cloud__field-user_preferences__pywa-marketing-resume.json')[0].details).toMatchObject({
      category: 'marketing_messages', detail: 'User requested to resume marketing messages' });
  });
});

const ACCOUNT = 'AC1a03647d811fab342c0ad608e382fab2';

/** SOURCES.md "expected", one row per Twilio fixture. */
const EXPECTED_TWILIO: Record<string, Partial<NormalisedEvent>> = {
  'twilio__inbound-text__botbuilder-text.txt': {
    provider: 'twilio', kind: 'message', status: 'incoming', messageId: 'SM892512e202b34d4109b10a3893fa9640',
    contactId: '31612345678', contactName: null, businessId: '14123456789', messageType: 'text', text: 'test',
    replyTo: null, errorCode: null, errorTitle: null, timestamp: null,
  },
  'twilio__inbound-media__botbuilder-image.txt': {
    provider: 'twilio', kind: 'message', status: 'incoming', messageId: 'MM21151abfaadc1fb79b782f8460862a52',
    contactId: '31612345678', businessId: '14123456789', messageType: 'image', text: null, errorCode: null, timestamp: null,
  },
  'twilio__inbound-location__botbuilder-location.txt': {
    provider: 'twilio', kind: 'message', status: 'incoming', messageId: 'SM9c871cd9649aa3829298e153ae6a8123',
    contactId: '31612345678', businessId: '14123456789', messageType: 'location',
    text: 'Microsoft — Evert van de Beekstraat 354, Schiphol, North Holland 1118 CZ', timestamp: null,
  },
  'twilio__status-delivered__botbuilder-delivered.txt': {
    // Status callbacks: the customer is To, the business is From.
    provider: 'twilio', kind: 'status', status: 'delivered', providerStatus: 'delivered', messageId: 'SMdf55df64a2ff4920bb0748193cfbb640',
    contactId: '31612345678', businessId: '14123456789', messageType: null, text: null, errorCode: null, errorTitle: null, timestamp: null,
  },
  'twilio__status-sent__botbuilder-sent.txt': {
    provider: 'twilio', kind: 'status', status: 'sent', providerStatus: 'sent', messageId: 'SM0cec4ed334e74bcbb64eb8b6684e9654',
    contactId: '31612345678', businessId: '14123456789', errorCode: null, timestamp: null,
  },
};

describe('normaliseTwilio on every Twilio fixture (SOURCES.md "expected")', () => {
  it('has an expectation for every twilio fixture on disk', () => {
    const onDisk = fs.readdirSync(FIXTURES).filter((f) => f.startsWith('twilio__')).sort();
    expect(onDisk.length).toBe(5);
    expect(Object.keys(EXPECTED_TWILIO).sort()).toEqual(onDisk);
  });

  for (const [file, expected] of Object.entries(EXPECTED_TWILIO)) {
    it(file, () => {
      const events = runTwilio(file);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject(expected);
      expect(events[0].details!.accountSid).toBe(ACCOUNT);
    });
  }

  it('media list, location, status extras and raw params', () => {
    expect(runTwilio('twilio__inbound-media__botbuilder-image.txt')[0].details!.media).toEqual([{
      url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/MM21151abfaadc1fb79b782f8460862a52/Media/ME5f0afa2336bd0f73ca553fb5a2e3150bc`,
      contentType: 'image/jpeg',
    }]);
    expect(runTwilio('twilio__inbound-location__botbuilder-location.txt')[0].details!.location).toEqual({
      latitude: 52.303897857666016, longitude: 4.750025749206543, label: 'Microsoft',
      address: 'Evert van de Beekstraat 354, Schiphol, North Holland 1118 CZ' });
    const delivered = runTwilio('twilio__status-delivered__botbuilder-delivered.txt')[0];
    expect(delivered.details).toMatchObject({ eventType: 'DELIVERED', channelToAddress: '+31612345678' });
    expect(delivered.raw).toMatchObject({ MessageStatus: 'delivered', ChannelPrefix: 'whatsapp', ApiVersion: '2010-04-01' });
    expect(runTwilio('twilio__status-sent__botbuilder-sent.txt')[0].details!.structuredMessage).toBe('false');
  });
});


it('the title of 130472 is the one Meta sends', () => {
  const [ev] = run('meta-cloud__status-failed__pywa-130472.json');
  expect(explainError(ev.errorCode, 'meta')!.title).toBe(ev.errorTitle);
});

// ---- signature vectors, read from SOURCES.md ("Signature test vectors") so none is copied here ----

const SOURCES = fs.readFileSync(path.join(FIXTURES, 'SOURCES.md'), 'utf8');
function grab(re: RegExp): RegExpMatchArray {
  const m = SOURCES.match(re);
  if (!m) throw new Error(`SOURCES.md no longer says ${re}`);
  return m;
}
const REAL = {
  file: grab(/body = file `([^`]+)`/)[1],
  secret: grab(/app_secret = `([0-9a-f]+)`/)[1],
  header: grab(/X-Hub-Signature-256: (sha256=[0-9a-f]{64})/)[1],
};

describe('signature vectors (SOURCES.md)', () => {
  it('1. the real Meta-signed capture verifies over the file bytes', () => {
    const body = externalFixture(REAL.file);
    expect(signMeta(body, REAL.secret)).toBe(REAL.header);
    expect(verifyMeta(body, REAL.header, [REAL.secret])).toEqual({ verdict: 'valid', diagnosis: null, matchedSecretIndex: 0 });
    // One byte more (a trailing newline an editor would add) and it no longer verifies.
    expect(verifyMeta(Buffer.concat([body, Buffer.from('\n')]), REAL.header, [REAL.secret]).verdict).toBe('invalid');
  });

  it('2–3. HMAC-SHA256 over a short body, from two SDKs', () => {
    const all = [...SOURCES.matchAll(/HMAC-SHA256\(key=`([^`]+)`, body=`([^`]+)`\) = `([0-9a-f]{64})`/g)];
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const [, key, body, hex] of all) {
      expect(signMeta(body, key)).toBe(`sha256=${hex}`);
      expect(verifyMeta(Buffer.from(body), `sha256=${hex}`, [key]).verdict).toBe('valid');
    }
  });

  const tw = grab(/auth_token `([^`]+)`, URL `([^`]+)`,\s*params `([^`]+)`\s*-> `([^`]+)`/);
  const [, token, url, paramText, sig] = tw;
  const params = paramText.split(', ').map((p): [string, string] => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]);

  it('4. Twilio form-encoded X-Twilio-Signature', () => {
    expect(signTwilio(url, params, token)).toBe(sig);
    expect(verifyTwilio({ header: sig, tokens: [token], urls: [url], params, rawBody: Buffer.from('') }).verdict).toBe('valid');
    expect(verifyTwilio({ header: sig, tokens: ['54321'], urls: [url], params, rawBody: Buffer.from('') }).verdict).toBe('invalid');
  });

  it('5. Twilio JSON body with bodySHA256', () => {
    const body = grab(/body `(\{[^`]+\})`/)[1];
    const hash = grab(/bodySHA256 = hex SHA-256\(body\) = `([0-9a-f]{64})`/)[1];
    const jsonSig = grab(/no params -> `([^`]+)`/)[1];
    const jsonUrl = `${url}&bodySHA256=${hash}`;
    expect(signTwilio(jsonUrl, [], token)).toBe(jsonSig);
    expect(verifyTwilio({ header: jsonSig, tokens: [token], urls: [jsonUrl], params: [], rawBody: Buffer.from(body) }).verdict).toBe('valid');
    expect(verifyTwilio({ header: jsonSig, tokens: [token], urls: [jsonUrl], params: [], rawBody: Buffer.from(body + ' ') }).verdict).toBe('invalid');
  });
});

// ---- every file through the real receiver, byte for byte ----

describe('every external payload through the receiver', () => {
  let t: TestCore;
  beforeAll(async () => { t = await startTestCore({ env: { metaAppSecrets: [REAL.secret] } }); });
  afterAll(async () => { await t?.close(); });

  const files = fs.readdirSync(FIXTURES).filter((f) => !f.endsWith('.md')).sort();

  it('is answered 200, stored byte for byte, and becomes the events the normaliser says', async () => {
    expect(files.length).toBe(50);
    for (const f of files) {
      const body = externalFixture(f);
      const isTwilio = f.startsWith('twilio__');
      const headers: Record<string, string> = isTwilio ? { 'content-type': 'application/x-www-form-urlencoded' }
        : { 'x-hub-signature-256': signMeta(body, REAL.secret) };
      const r = await t.post(isTwilio ? '/twilio' : '/meta', body, headers);
      expect(r.status, f).toBe(200);
      const expected = isTwilio ? runTwilio(f) : run(f);
      const page = await t.call<{ items: HookEvent[] }>('events:list', { limit: 500 });
      const mine = page.items.filter((e) => e.requestId === Math.max(...page.items.map((x) => x.requestId)));
      expect(mine.length, f).toBe(expected.length);
      const detail = await t.call<{ request: { body: string; bodyIsText: boolean } }>('events:get', { id: mine[0].id });
      expect(Buffer.from(detail.request.body, detail.request.bodyIsText ? 'utf8' : 'base64').equals(body), f).toBe(true);
      expect(mine.every((e) => e.signature === (isTwilio ? 'unchecked' : 'valid')), f).toBe(true);
    }
  });
});
