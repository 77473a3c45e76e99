// What a provider's error code means, in words a person acts on: the inspector's Summary tab, the
// notification body and the CLI all read this one table.
// Sources: Meta's error-code reference (titles as Meta's error-code page and
// pywa's `errors.py` give them, plus real payloads); Twilio's error dictionary with the Twilio↔WhatsApp
// pairings from Twilio's error-code mapping page [T-map]. Meanings of Twilio codes are written from
// Twilio's error dictionary; the docs flag them as not re-confirmed, so they say what to check rather
// than promise a cause.

import type { Provider } from './types';

export interface ErrorExplanation {
  code: string;
  title: string;
  /** What happened, in plain words. */
  meaning: string;
  /** What to do about it. */
  action: string;
  /** false when the code is not in the catalogue: the wording is then generic. */
  known: boolean;
  /** The same (or the same family of) failure under other numberings: Twilio 63016 ↔ Meta 131047 ↔ On-Premises 470. */
  related?: string[];
  /** Where the provider documents the code. */
  link?: string;
  /** Set when an unlisted code was explained by its family (calling 138xxx, history 2593xxx). */
  family?: string;
}

interface Entry {
  title: string;
  meaning: string;
  action: string;
}

const META_LINK = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';
const twilioLink = (code: string): string => `https://www.twilio.com/docs/api/errors/${code}`;

const META: Record<string, Entry> = {
  '0': {
    title: 'AuthException',
    meaning: 'Meta could not authenticate the app or the access token it was given.',
    action: 'Generate a new access token (or system-user token) with the whatsapp_business_messaging permission and update your app.',
  },
  '429': {
    title: 'Rate limit hit (On-Premises API)',
    meaning: 'Too many messages were sent in a short time. This is the legacy On-Premises code; the Cloud API uses 130429.',
    action: 'Slow down and retry with back-off.',
  },
  '470': {
    title: 'Message failed: outside the 24-hour window (On-Premises API)',
    meaning: 'More than 24 hours have passed since the customer last wrote, so a free-form message is not allowed. Legacy code; the Cloud API says 131047.',
    action: 'Send an approved template message instead; free-form messages work again once the customer replies.',
  },
  '471': {
    title: 'Spam rate limit hit (On-Premises API)',
    meaning: 'WhatsApp limited this number because too many people blocked or reported its messages. Legacy code.',
    action: 'Send fewer, more wanted messages; check the phone number quality in WhatsApp Manager.',
  },
  '472': {
    title: "User's number is part of an experiment (On-Premises API)",
    meaning: 'Meta held back this marketing message because the customer is in an experiment group. Legacy code; the Cloud API says 130472.',
    action: 'Nothing to fix on your side; do not retry this message.',
  },
  '1002': {
    title: 'Recipient is not a valid WhatsApp user (On-Premises API)',
    meaning: 'The number could not be reached on WhatsApp. Legacy code.',
    action: 'Check the number (country code, no leading zeros) and that the person uses WhatsApp.',
  },
  '1006': {
    title: 'Resource not found (On-Premises API)',
    meaning: 'The contact or resource the message refers to was not found. Legacy code.',
    action: 'Check the recipient number and any media or message id you referenced.',
  },
  '1013': {
    title: 'User is not valid (On-Premises API)',
    meaning: 'The recipient is not a valid WhatsApp user. Legacy code.',
    action: 'Check the recipient number and that it is on WhatsApp.',
  },
  '1015': {
    title: 'Too many requests (On-Premises API)',
    meaning: 'The API was called too often. Legacy code.',
    action: 'Slow down and retry with back-off.',
  },
  '1021': {
    title: 'Bad user: recipient is the sender (On-Premises API)',
    meaning: 'The message was addressed to the business number itself or to an invalid user. Legacy code.',
    action: 'Send to the customer number, not your own.',
  },
  '1026': {
    title: 'Receiver incapable (On-Premises API)',
    meaning: 'The recipient cannot receive this message (old WhatsApp version, or not accepted the terms). Legacy code.',
    action: 'Ask the customer to update WhatsApp; do not retry blindly.',
  },
  '130429': {
    title: 'Rate limit hit',
    meaning: 'Your number reached the Cloud API throughput limit (messages per second).',
    action: 'Queue and slow down your sends; retry with back-off.',
  },
  '130472': {
    title: "User's number is part of an experiment",
    meaning: 'Meta did not deliver this marketing message because the customer is part of a Meta experiment.',
    action: 'Nothing to fix on your side. Do not retry; reach the customer through another channel if needed.',
  },
  '131000': {
    title: 'Something went wrong',
    meaning: 'An unknown error on Meta\'s side (the webhook variant reads "Unsupported webhook payload").',
    action: 'Retry later; if it keeps happening, report it to Meta with the message id.',
  },
  '131005': {
    title: 'Access denied',
    meaning: 'The permission the request needs was not granted, or was removed.',
    action: 'Check the token\'s permissions (whatsapp_business_messaging / management) in Business Manager.',
  },
  '131008': {
    title: 'Required parameter is missing',
    meaning: 'The send request left out a parameter the API requires.',
    action: 'Fix the request your code sends (see the error details for the parameter).',
  },
  '131009': {
    title: 'Parameter value is not valid',
    meaning: 'One of the values in the send request is not accepted (a bad phone number, id or format).',
    action: 'Fix the request your code sends (see the error details for which value).',
  },
  '131014': {
    title: 'Request for media URL failed',
    meaning: 'Meta could not download the media link you gave (for example it answered 404 or needs a login).',
    action: 'Use a public HTTPS link that answers 200 with the right content type, or upload the media first.',
  },
  '131016': {
    title: 'Service unavailable',
    meaning: 'WhatsApp was temporarily unavailable.',
    action: 'Retry later; check the WhatsApp Business API status page.',
  },
  '131021': {
    title: 'Recipient cannot be sender',
    meaning: 'The message was addressed to the business number that sends it.',
    action: 'Send to the customer number, not your own.',
  },
  '131026': {
    title: 'Message undeliverable',
    meaning: 'WhatsApp could not deliver the message: the number may not be on WhatsApp, the person has not accepted the latest terms, uses a very old app, or has blocked you.',
    action: 'Check the number; do not retry blindly. Reach the customer another way.',
  },
  '131031': {
    title: 'Business account has been locked',
    meaning: 'The WhatsApp Business account is locked or restricted (a policy violation, or data verification failed).',
    action: 'Open WhatsApp Manager → Account quality to see why, and appeal or fix it there.',
  },
  '131042': {
    title: 'Business eligibility payment issue',
    meaning: 'Messages cannot be sent because of a payment or billing problem on the business account.',
    action: 'Add or fix the payment method / credit line in Business Manager.',
  },
  '131044': {
    title: 'Business eligibility payment issue (calling)',
    meaning: 'A payment problem stops calling features on the business account.',
    action: 'Fix the payment method in Business Manager.',
  },
  '131045': {
    title: 'Incorrect certificate',
    meaning: 'The phone number is not correctly registered (registration or certificate error).',
    action: 'Register the phone number again with the Cloud API.',
  },
  '131047': {
    title: 'Re-engagement message',
    meaning: 'More than 24 hours have passed since the customer last replied, so a free-form message is not allowed.',
    action: 'Send an approved template message instead; free-form messages work again once the customer replies.',
  },
  '131048': {
    title: 'Spam rate limit hit',
    meaning: 'Sending was limited because many recipients blocked or reported your messages.',
    action: 'Send fewer, more relevant messages; check quality in WhatsApp Manager.',
  },
  '131049': {
    title: 'Meta chose not to deliver',
    meaning: 'Meta did not deliver this marketing message to keep the ecosystem healthy (a per-customer limit on marketing messages).',
    action: 'Do not retry immediately; wait at least 24 hours, or send a utility message if one applies.',
  },
  '131050': {
    title: 'User stopped marketing messages',
    meaning: 'The customer chose to stop receiving marketing messages from you.',
    action: 'Respect the opt-out: do not send marketing messages to this customer.',
  },
  '131051': {
    title: 'Unsupported message type',
    meaning: 'The customer sent something the API cannot pass on (a message type WhatsApp does not support for businesses yet).',
    action: 'Nothing to fix; ask the customer to send it another way if you need it.',
  },
  '131052': {
    title: 'Media download error',
    meaning: 'The media the customer sent could not be downloaded.',
    action: 'Ask the customer to send the file again.',
  },
  '131053': {
    title: 'Media upload error',
    meaning: 'The media you sent could not be uploaded, often because its type or size is not supported.',
    action: 'Send a supported format (see the error details for the allowed types) within the size limit.',
  },
  '131056': {
    title: 'Pair rate limit hit',
    meaning: 'Too many messages went to the same customer in a short time.',
    action: 'Wait before sending to this customer again.',
  },
  '132000': {
    title: 'Template parameter count mismatch',
    meaning: 'The number of variables you sent does not match the template.',
    action: 'Send exactly the variables the template defines.',
  },
  '132001': {
    title: 'Template does not exist',
    meaning: 'No approved template with this name exists in this language.',
    action: 'Check the template name, the language code and that it is approved.',
  },
  '132005': {
    title: 'Template hydrated text too long',
    meaning: 'The template text with your variables filled in is longer than allowed.',
    action: 'Shorten the variable values.',
  },
  '132007': {
    title: 'Template format character policy violated',
    meaning: 'The template content breaks WhatsApp policy.',
    action: 'Edit the template or the variable values to follow the policy.',
  },
  '132012': {
    title: 'Template parameter format mismatch',
    meaning: 'A variable value does not have the format the template expects.',
    action: 'Send the variable in the expected format (text, currency, date, media…).',
  },
  '132015': {
    title: 'Template is paused',
    meaning: 'The template was paused because of low quality ratings.',
    action: 'Use another template, or edit this one to improve it.',
  },
  '132016': {
    title: 'Template is disabled',
    meaning: 'The template was paused too many times and is now permanently disabled.',
    action: 'Create a new template with different content.',
  },
  '133010': {
    title: 'Phone number not registered',
    meaning: 'The phone number is not registered on the WhatsApp Cloud API.',
    action: 'Register the phone number with the Cloud API.',
  },
  // Calling API (138xxx): carried by a failed call's terminate webhook or a call error. Wording from
  // Meta's calling troubleshooting reference; a 138xxx code not listed here still gets calling-specific
  // advice (see CODE_FAMILIES below).
  '138000': {
    title: 'Calling not available for this number',
    meaning: 'Calling is not enabled (or not allowed) for this business phone number, so the call could not be made or received.',
    action: 'Enable calling in the phone number\'s call settings (WhatsApp Manager or the settings API) and check the number is eligible.',
  },
  '138001': {
    title: 'Receiver cannot take calls',
    meaning: 'The customer\'s WhatsApp cannot receive this call (app version, device, or calls are not possible for them right now).',
    action: 'Do not retry at once; message the customer instead, or try later.',
  },
  '138002': {
    title: 'Too many concurrent calls',
    meaning: 'The business phone number already has as many calls in progress as it is allowed.',
    action: 'Wait for a call to end before starting another, or spread calls over more numbers.',
  },
  '138003': {
    title: 'Duplicate call',
    meaning: 'A call to this customer is already in progress.',
    action: 'Use the call that is already running; end it before starting a new one.',
  },
  '138004': {
    title: 'Call connection error',
    meaning: 'The call could not be set up between the business and WhatsApp (media or signalling failed).',
    action: 'Check the SDP answer/offer and your WebRTC or SIP set-up, then retry.',
  },
  '138005': {
    title: 'Call rate limit hit',
    meaning: 'Too many calls were made from this number, or to this customer, in a short time.',
    action: 'Slow down and retry later.',
  },
  '138006': {
    title: 'No permission to call this customer',
    meaning: 'A business-initiated call needs the customer\'s call permission, and there is none (never granted, declined or expired).',
    action: 'Send a call permission request and wait until the customer accepts before calling.',
  },
  '138007': {
    title: 'Call connection timed out',
    meaning: 'The call was not connected in time (the answer or accept step did not complete).',
    action: 'Answer calls promptly: pre-accept and accept as soon as the connect webhook arrives.',
  },
  '138009': {
    title: 'Call permission request limit hit',
    meaning: 'Too many call permission requests were sent to this customer.',
    action: 'Wait before asking this customer again.',
  },
  '138012': {
    title: 'Business-initiated call limit hit',
    meaning: 'The number of calls the business may start to this customer in a period was reached.',
    action: 'Wait before calling this customer again.',
  },
  // Coexistence history import.
  '2593109': {
    title: 'Chat history sharing is off',
    meaning: 'The business turned off sharing of its WhatsApp Business app chat history, so no past messages will be imported.',
    action: 'Ask the business to allow chat history sharing in the WhatsApp Business app and onboard again if history is needed.',
  },
};

/**
 * Whole families of codes whose members share one meaning: a code that is not in the table above but
 * falls in a family gets the family's wording instead of "unknown" (still `known: false`).
 */
const CODE_FAMILIES: { from: number; to: number; title: string; meaning: string; action: string; link: string }[] = [
  {
    from: 138000, to: 138999, title: 'Calling error',
    meaning: 'A Calling API error: the call could not be made, connected or completed. The error title and details in the payload name the exact cause.',
    action: 'Look the code up in Meta\'s calling troubleshooting reference, and check the call logs in WhatsApp Manager (Phone numbers → the number → Call logs) with the call id.',
    link: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/calling/troubleshooting/',
  },
  {
    from: 2593000, to: 2593999, title: 'Chat history import error',
    meaning: 'The WhatsApp Business app chat history could not be shared or imported. The error title and details in the payload say why.',
    action: 'Check the business\'s history sharing choice in the WhatsApp Business app and the onboarding state.',
    link: 'https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/history/',
  },
];

const TWILIO: Record<string, Entry> = {
  '21211': {
    title: "Invalid 'To' phone number",
    meaning: 'The number you sent to is not a valid phone number.',
    action: 'Use the E.164 format with the whatsapp: prefix, e.g. whatsapp:+14155550100.',
  },
  '21408': {
    title: 'Permission to send to this region is not enabled',
    meaning: 'Your Twilio account is not allowed to send to this country.',
    action: 'Enable the region in the Twilio Console → Messaging → Geo permissions.',
  },
  '21610': {
    title: 'Recipient has unsubscribed',
    meaning: 'The customer replied STOP (or similar), so Twilio blocks messages to them.',
    action: 'Do not send until the customer opts in again (e.g. replies START).',
  },
  '30003': {
    title: 'Unreachable destination',
    meaning: 'The recipient\'s phone could not be reached (switched off or out of coverage).',
    action: 'Retry later.',
  },
  '30005': {
    title: 'Unknown destination',
    meaning: 'The recipient number does not exist or is no longer in service.',
    action: 'Check the number.',
  },
  '30007': {
    title: 'Message filtered',
    meaning: 'The message was filtered (carrier or channel spam filtering).',
    action: 'Review the content and sending pattern.',
  },
  '30008': {
    title: 'Unknown error',
    meaning: 'Delivery failed for a reason Twilio did not learn.',
    action: 'Retry later; if it persists, contact Twilio support with the message SID.',
  },
  '63001': {
    title: 'Channel could not authenticate the request',
    meaning: 'Twilio could not authenticate with WhatsApp for this sender.',
    action: 'Check the WhatsApp sender\'s set-up in the Twilio Console.',
  },
  '63003': {
    title: 'Channel could not find To address',
    meaning: 'The recipient is not a valid WhatsApp user, or the number is wrong.',
    action: 'Check the number and that the person uses WhatsApp.',
  },
  '63005': {
    title: 'Channel did not accept the content',
    meaning: 'WhatsApp refused the message content.',
    action: 'See the channel\'s error message in the payload for the reason, and fix the content.',
  },
  '63007': {
    title: 'No channel with this From address',
    meaning: 'Twilio has no WhatsApp sender for the From number you used.',
    action: 'Send from your approved WhatsApp sender (or the sandbox number), with the whatsapp: prefix.',
  },
  '63013': {
    title: 'Channel policy violation',
    meaning: 'The message breaks WhatsApp\'s policy.',
    action: 'Review WhatsApp\'s Business and Commerce policies and change the content.',
  },
  '63015': {
    title: 'Recipient has not joined the sandbox',
    meaning: 'The Twilio WhatsApp sandbox only sends to numbers that joined it.',
    action: 'Have the recipient send the "join <code>" message to the sandbox number first.',
  },
  '63016': {
    title: 'Outside the 24-hour window: use a template',
    meaning: 'More than 24 hours have passed since the customer last wrote, so a free-form message is not allowed.',
    action: 'Send an approved template (Content API) instead; free-form messages work again once the customer replies.',
  },
  '63018': {
    title: 'Rate limit exceeded for channel',
    meaning: 'WhatsApp throttled the sender: too many messages too fast.',
    action: 'Slow down and retry with back-off.',
  },
  '63019': {
    title: 'Media failed to download',
    meaning: 'The media URL in your message could not be fetched.',
    action: 'Use a public HTTPS media URL that answers 200 with the right content type.',
  },
  '63020': {
    title: "Twilio's Business Manager invitation not accepted",
    meaning: "The business has not accepted Twilio's invitation in Meta Business Manager.",
    action: 'Accept the request from Twilio in Meta Business Manager.',
  },
  '63021': {
    title: 'Channel invalid content',
    meaning: 'The message content is not valid for WhatsApp.',
    action: 'See the channel error message in the payload and fix the content.',
  },
  '63024': {
    title: 'Invalid message recipient',
    meaning: 'The recipient cannot receive this WhatsApp message (not a valid user, or their app cannot receive it).',
    action: 'Check the number; ask the customer to update WhatsApp.',
  },
  '63027': {
    title: 'Template does not exist for this language',
    meaning: 'No approved template with this name exists in the language you asked for.',
    action: 'Check the template and its language in the Twilio Content Template Builder.',
  },
  '63028': {
    title: 'Template parameter count mismatch',
    meaning: 'The number of variables does not match the template.',
    action: 'Send exactly the variables the template defines.',
  },
  '63030': {
    title: 'Unsupported parameter for this channel',
    meaning: 'The message used a parameter WhatsApp does not support.',
    action: 'Remove the parameter from the send request.',
  },
  '63031': {
    title: 'Sender and recipient cannot be the same',
    meaning: 'The message was addressed to the sending number itself.',
    action: 'Send to the customer number.',
  },
  '63032': {
    title: "User's number is part of an experiment",
    meaning: 'Meta held back this marketing message because the customer is part of a Meta experiment.',
    action: 'Nothing to fix on your side; do not retry this message.',
  },
  '63038': {
    title: 'Daily message limit reached',
    meaning: 'The account or sender reached its daily messaging limit.',
    action: 'Wait until the limit resets, or raise the messaging tier.',
  },
  '63049': {
    title: 'Meta chose not to deliver this marketing message',
    meaning: 'Meta did not deliver this marketing message to keep the ecosystem healthy (per-customer marketing limit).',
    action: 'Do not retry immediately; wait at least 24 hours.',
  },
};

/**
 * Codes that name the same (or the same family of) failure under different numberings: Twilio's
 * 630xx, the On-Premises API's 4xx/1xxx and the Cloud API's 13xxxx. Twilio↔legacy pairs are from
 * Twilio's error-code mapping page [T-map]; legacy↔Cloud API pairs from Meta's own notes (470 → 131047,
 * 472 → 130472). Groups, not per-code lists, so every pairing reads both ways.
 */
const EQUIVALENT_GROUPS: string[][] = [
  ['63016', '470', '131047'], // outside the 24-hour customer-service window
  ['63018', '429', '471', '1015', '130429', '131048', '131056'], // rate limits (throughput, spam, pair)
  ['63003', '1006', '1013', '1021'], // To address not found / not a valid user
  ['63024', '1002', '1026', '131026'], // invalid recipient / receiver incapable / undeliverable
  ['63032', '472', '130472'], // number part of an experiment
  ['63049', '131049'], // Meta chose not to deliver (marketing limit)
  ['63027', '132001'], // template does not exist
  ['63028', '132000'], // template parameter count
  ['63031', '1021', '131021'], // recipient is the sender
];

const RELATED: Record<string, string[]> = (() => {
  const map: Record<string, string[]> = {};
  for (const group of EQUIVALENT_GROUPS) {
    for (const code of group) {
      const list = Object.hasOwn(map, code) ? map[code] : (map[code] = []);
      for (const other of group) if (other !== code && !list.includes(other)) list.push(other);
    }
  }
  return map;
})();

function lookup(code: string, provider?: Provider): { entry: Entry; provider: Provider } | null {
  // The caller's provider first: a Twilio callback may still mention a Meta code, and vice versa.
  const order: Provider[] = provider === 'twilio' ? ['twilio', 'meta'] : ['meta', 'twilio'];
  for (const p of order) {
    const table = p === 'meta' ? META : TWILIO;
    // hasOwn: a code like "constructor" must not find Object.prototype members.
    if (Object.hasOwn(table, code)) return { entry: table[code], provider: p };
  }
  return null;
}

/**
 * Explain a provider error code. Null only when there is no code at all; an unknown code gets
 * `known: false` and generic wording that still tells the user where to look.
 */
export function explainError(
  code: string | number | null | undefined,
  provider?: 'meta' | 'twilio',
): ErrorExplanation | null {
  if (code === null || code === undefined) return null;
  const c = (typeof code === 'number' ? (Number.isFinite(code) ? String(code) : '') : code).trim();
  if (c === '') return null;
  const hit = lookup(c, provider);
  if (hit) {
    const { entry } = hit;
    const related = Object.hasOwn(RELATED, c) ? RELATED[c] : undefined;
    const out: ErrorExplanation = {
      code: c,
      title: entry.title,
      meaning: entry.meaning, // pairings travel in `related`, which the UI lists on its own line
      action: entry.action,
      known: true,
      link: hit.provider === 'meta' ? META_LINK : twilioLink(c),
    };
    if (related) out.related = related.slice();
    return out;
  }
  if (provider !== 'twilio' && /^\d{1,9}$/.test(c)) {
    const n = Number(c);
    const family = CODE_FAMILIES.find((f) => n >= f.from && n <= f.to);
    if (family) {
      return { code: c, title: `${family.title} ${c}`, meaning: family.meaning, action: family.action, known: false, link: family.link, family: family.title };
    }
  }
  const who = provider === 'meta' ? 'Meta' : provider === 'twilio' ? 'Twilio' : 'the provider';
  const link = provider === 'twilio' ? twilioLink(c) : provider === 'meta' ? META_LINK : undefined;
  const out: ErrorExplanation = {
    code: c,
    title: `Error ${c}`,
    meaning: `Hookscope does not know this code from ${who}. The error title and details in the payload say what went wrong.`,
    action: provider === 'twilio'
      ? `Look it up in Twilio's error dictionary (${twilioLink(c)}).`
      : provider === 'meta'
        ? `Look it up in Meta's WhatsApp error-code reference (${META_LINK}).`
        : `Look it up in Meta's WhatsApp error-code reference (${META_LINK}) or Twilio's error dictionary (https://www.twilio.com/docs/api/errors).`,
    known: false,
  };
  if (link) out.link = link;
  return out;
}
