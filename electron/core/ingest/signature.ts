// Webhook signature verification (runs on every request); the signature debugger (runs on demand) is
// signature-debug.ts.
// Security decisions:
//  - Meta: HMAC-SHA256 over the RAW body bytes, never over a re-serialised body (Meta's "Verify payloads" guidance; docs/webhooks.md).
//  - Comparisons are constant-time over equal-length buffers (timingSafeEqual); a header of the wrong
//    length is refused before any comparison instead of throwing.
//  - Secrets never leave this module: results carry an index, labels and a 4-hex fingerprint at most.
import { createHash, createHmac, createSecretKey, timingSafeEqual, type Hmac, type KeyObject } from 'node:crypto';
import type { SignatureVerdict } from '../../../shared/types';
import {
  describeMetaHeaderProblem, isLocalUrl, parseMetaSignatureHeader, twilioBodyHashParam, twilioParamString,
  twilioUrlCandidatesDetailed, type TwilioAlgorithm,
} from '../../../shared/signature';

export interface SignatureCheck {
  verdict: SignatureVerdict;
  diagnosis: string | null;
  /** Index into the secrets/tokens list of the one that matched (rotation, several apps). */
  matchedSecretIndex?: number;
}

export interface TwilioVerifyInput {
  header: string | undefined;
  tokens: string[];
  /** Full URLs (path and query included) Twilio may have called: the public URL first, then local ones. */
  urls: string[];
  /** Decoded form params; null for a non-form (JSON) body. */
  params: [string, string][] | null;
  rawBody: Buffer;
  /** From X-Twilio-Webhooks-Signature-Settings; when absent it is inferred from the signature's length. */
  algorithm?: TwilioAlgorithm;
}

// ---------------------------------------------------------------------------------------------------
// signing (simulator, edit-and-replay)
// ---------------------------------------------------------------------------------------------------

/** `sha256=<lowercase hex HMAC-SHA256(secret, body)>`, the X-Hub-Signature-256 value. */
export function signMeta(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The X-Twilio-Signature value: base64 HMAC-SHA1 over the URL + sorted params. */
export function signTwilio(url: string, params: [string, string][], token: string, algorithm: TwilioAlgorithm = 'HMAC_SHA1'): string {
  return twilioDigest(token, url + twilioParamString(params), algorithm);
}

export function twilioDigest(key: string, data: string, algorithm: TwilioAlgorithm): string {
  return createHmac(algorithm === 'HMAC_SHA256' ? 'sha256' : 'sha1', key).update(data, 'utf8').digest('base64');
}

// ---------------------------------------------------------------------------------------------------
// Meta
// ---------------------------------------------------------------------------------------------------

/**
 * The app secrets as HMAC keys, made once per secret instead of on every request (a string key is
 * converted and imported on each createHmac). The last list's keys only: a secret removed in Setup is let go.
 */
let metaKeys: { secrets: string[]; keys: KeyObject[] } = { secrets: [], keys: [] };
function metaKeysOf(secrets: string[]): KeyObject[] {
  const known = metaKeys;
  if (known.secrets.length === secrets.length && secrets.every((s, i) => s === known.secrets[i])) return known.keys;
  metaKeys = { secrets: [...secrets], keys: secrets.map((s) => createSecretKey(Buffer.from(s, 'utf8'))) };
  return metaKeys.keys;
}

/**
 * One HMAC-SHA256 per configured app secret, in the secrets' order, to be fed the raw body as it arrives
 * (request-path.ts): their digests, passed to verifyMeta, stand for hashing the whole body again.
 */
export function metaHashers(secrets: string[]): Hmac[] {
  return metaKeysOf(secrets).map((k) => createHmac('sha256', k));
}

/**
 * `digests`: the HMACs of this whole raw body under `secrets`, in order, already computed as it arrived
 * (metaHashers); the comparison with the header is the same constant-time one.
 */
export function verifyMeta(rawBody: Buffer, header: string | undefined, secrets: string[], digests?: Buffer[]): SignatureCheck {
  if (secrets.length === 0) {
    return { verdict: 'unchecked', diagnosis: 'No Meta app secret is configured, so the signature was not checked.' };
  }
  if (header === undefined || header.trim() === '') {
    return {
      verdict: 'missing',
      diagnosis: header === undefined
        ? 'No X-Hub-Signature-256 header: the request did not come from Meta, or a proxy stripped it.'
        : 'The X-Hub-Signature-256 header is empty: the request did not come from Meta, or a proxy blanked it.',
    };
  }
  const parsed = parseMetaSignatureHeader(header);
  if (!parsed.ok) return { verdict: 'invalid', diagnosis: describeMetaHeaderProblem(parsed) };
  const received = Buffer.from(parsed.hex, 'hex'); // 32 bytes: the parser checked 64 hex digits
  const keys = metaKeysOf(secrets);
  for (let i = 0; i < keys.length; i++) {
    const digest = digests?.length === keys.length ? digests[i] : createHmac('sha256', keys[i]).update(rawBody).digest();
    if (digest.length === received.length && timingSafeEqual(digest, received)) {
      return { verdict: 'valid', diagnosis: null, matchedSecretIndex: i };
    }
  }
  return {
    verdict: 'invalid',
    diagnosis: secrets.length === 1
      ? 'X-Hub-Signature-256 does not match the raw body with the configured app secret.'
      : `X-Hub-Signature-256 does not match the raw body with any of the ${secrets.length} configured app secrets.`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Twilio
// ---------------------------------------------------------------------------------------------------

export function inferAlgorithm(header: string): TwilioAlgorithm {
  // base64 of a 20-byte SHA-1 digest is 28 characters, of a 32-byte SHA-256 digest 44.
  return header.length === 44 ? 'HMAC_SHA256' : 'HMAC_SHA1';
}

/** Constant-time equality of two ASCII strings; unequal lengths are unequal without comparing. */
export function safeEqualString(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function isBodyHashUrl(url: string): boolean {
  return url.includes('bodySHA256=');
}

export function verifyTwilio(input: TwilioVerifyInput): SignatureCheck {
  const { tokens, urls, rawBody } = input;
  if (tokens.length === 0) {
    return { verdict: 'unchecked', diagnosis: 'No Twilio auth token is configured, so the signature was not checked.' };
  }
  const header = input.header?.trim();
  if (header === undefined || header === '') {
    return {
      verdict: 'missing',
      diagnosis: 'No X-Twilio-Signature header: the request did not come from Twilio, or a proxy stripped it.',
    };
  }
  const algorithm = input.algorithm ?? inferAlgorithm(header);
  // The params part of the signed string is the same for every URL: build it once.
  const formSuffix = input.params ? twilioParamString(input.params) : '';
  let bodyHashMismatch = false;
  for (const url of urls) {
    const bodyVariant = isBodyHashUrl(url);
    // JSON-body variant: the signature covers the URL only; the body is covered by its hash.
    const suffix = bodyVariant ? '' : formSuffix;
    for (const candidate of twilioUrlCandidatesDetailed(url)) {
      for (let i = 0; i < tokens.length; i++) {
        if (!safeEqualString(twilioDigest(tokens[i], candidate.url + suffix, algorithm), header)) continue;
        if (bodyVariant) {
          const expected = (twilioBodyHashParam(candidate.url) ?? '').toLowerCase();
          const actual = createHash('sha256').update(rawBody).digest('hex');
          if (!safeEqualString(actual, expected)) {
            bodyHashMismatch = true;
            continue;
          }
        }
        return { verdict: 'valid', diagnosis: null, matchedSecretIndex: i };
      }
    }
  }
  if (bodyHashMismatch) {
    return {
      verdict: 'invalid',
      diagnosis: 'The URL signature is right but the body does not match its bodySHA256: the body was changed on the way.',
    };
  }
  const first = urls[0];
  let diagnosis: string;
  if (!first) {
    diagnosis = 'X-Twilio-Signature could not be checked against any URL: set the public URL Twilio calls.';
  } else if (isLocalUrl(first)) {
    diagnosis = `X-Twilio-Signature does not match the local URL ${first}: Twilio signs the public URL it calls, so set the public URL (or start the tunnel).`;
  } else {
    diagnosis = `X-Twilio-Signature does not match ${first} with the configured auth token${tokens.length > 1 ? 's' : ''}.`;
  }
  return { verdict: 'invalid', diagnosis };
}
