// What a stored request means: its normalised events, computed from the exact bytes the provider sent.
// The receiver decides with it before answering (receiver.ts), and the deriver computes it again from the
// stored row when the events were not derived before a crash (deriver.ts) — the same function both times,
// so a request derived after a restart gets exactly the events it would have got at once. The inspector
// re-reads an event's raw JSON through it too, instead of storing each event's JSON beside its request.
import type { NormalisedEvent } from '../../../shared/types';
import { normaliseMeta, normaliseTwilio, normaliseTwilioJson } from '../../../shared/normalise';
import { parseForm } from '../../../shared/form';
import type { EventDeriver, StoredRequestShape } from '../store/event-deriver';

/** The route, exact headers and body a request's events are computed from (the store names the shape). */
export type RequestShape = StoredRequestShape;

export function blankEvent(over: Partial<NormalisedEvent>): NormalisedEvent {
  return {
    provider: null, kind: 'unknown', status: null, providerStatus: null, messageId: null, contactId: null,
    contactName: null, businessId: null, messageType: null, text: null, replyTo: null, errorCode: null,
    errorTitle: null, errorDetail: null, timestamp: null, raw: null, ...over,
  };
}

function header(headers: [string, string][], name: string): string | undefined {
  for (const [k, v] of headers) if (k === name) return v;
  return undefined;
}

/** The event of an accepted Meta handshake (GET /meta with the right verify token). */
export function handshakeEvent(query: string): NormalisedEvent {
  const q = new URLSearchParams(query);
  const get = (k: string) => q.get(`hub.${k}`) ?? q.get(`hub_${k}`);
  return blankEvent({
    provider: 'meta', kind: 'verification', providerStatus: 'accepted', text: 'Handshake accepted: Meta can now deliver webhooks here.',
    details: { mode: get('mode'), challenge: get('challenge') ?? '' },
  });
}

/**
 * The events of a request the receiver accepted. Throws (a SyntaxError) on a body that is not what its
 * route expects — the receiver turns that into a 400 before anything is stored.
 */
export function eventsOf(r: RequestShape, form?: [string, string][] | null): NormalisedEvent[] {
  const body = r.body ?? Buffer.alloc(0);
  if (r.provider === 'meta' || r.path === '/meta') {
    if (r.method === 'GET') return [handshakeEvent(r.query)];
    return normaliseMeta(JSON.parse(body.toString('utf8')));
  }
  // Twilio: form-encoded inbound messages and status callbacks; some products post JSON. `form`: the
  // parameters already parsed for the signature check, so the receiver does not parse them twice.
  if (form) return normaliseTwilio(form);
  const isJson = /json/i.test(header(r.headers, 'content-type') ?? '');
  const text = body.toString('utf8');
  return isJson ? normaliseTwilioJson(JSON.parse(text)) : normaliseTwilio(parseForm(text));
}

/** Like eventsOf, but never throws: a stored body that no longer parses (edited by Forget) reads as one unknown event. */
export function eventsOfStored(r: RequestShape): NormalisedEvent[] {
  try {
    return eventsOf(r);
  } catch (err) {
    return [blankEvent({ provider: r.provider, errorDetail: `Stored body could not be read again: ${(err as Error).message}` })];
  }
}

/** What the store derives with (store/event-deriver.ts): handed to openStore and createReads by the composition roots. */
export const eventDeriver: EventDeriver = { eventsOfStored, blankEvent };
