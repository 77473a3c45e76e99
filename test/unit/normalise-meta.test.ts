import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { normaliseMeta } from '../../shared/normalise';
import type { NormalisedEvent } from '../../shared/types';

// The shared fixtures are a sibling of the repository (../shared), here and in CI; read byte for byte.
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/whatsapp');
const load = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
const run = (name: string): NormalisedEvent[] => normaliseMeta(load(name));
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
