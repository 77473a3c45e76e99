// The signature debugger (runs on demand: the inspector of an invalid or missing verdict, the rejected
// log's detail): recomputes the signatures a provider may have made over the exact bytes received, with
// every secret set now and every URL form the provider may have signed, and says which one matched and why.
// Secrets never leave it: results carry an index, labels and a 4-hex fingerprint at most (signature.ts).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Provider, SignatureDebug, SignatureDebugCandidate } from '../../../shared/types';
import {
  describeMetaHeaderProblem, escapeUnicodeJson, isLocalUrl, joinBaseUrl, parseMetaSignatureHeader,
  parseTwilioSignatureSettings, reserialiseJson, twilioBodyHashParam, twilioParamString,
  twilioUrlCandidatesDetailed, type TwilioAlgorithm,
} from '../../../shared/signature';
import { inferAlgorithm, isBodyHashUrl, safeEqualString, twilioDigest } from './signature';

export interface SignatureDebugInput {
  provider: Provider;
  /** Header names lower-cased. */
  headers: [string, string][];
  rawBody: Buffer;
  method: string;
  /** e.g. `/twilio?x=1` */
  pathAndQuery: string;
  /** Base (or full) public URL Twilio calls, when known. */
  publicUrl: string | null;
  /** Base URL of the local receiver, e.g. http://127.0.0.1:4750 */
  localUrl: string;
  metaSecrets: string[];
  verifyToken: string | null;
  twilioTokens: string[];
}

/** A short, non-reversible label for a secret: first 4 hex characters of its SHA-256. */
function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 4);
}

function firstHeader(headers: [string, string][], name: string): string | undefined {
  for (const [k, v] of headers) if (k === name) return v;
  return undefined;
}

interface Tried extends SignatureDebugCandidate {
  key: 'secret' | 'verify-token';
  keyIndex: number;
  variant: string;
}

export function debugSignature(input: SignatureDebugInput): SignatureDebug {
  return input.provider === 'meta' ? debugMeta(input) : debugTwilio(input);
}

function debugMeta(input: SignatureDebugInput): SignatureDebug {
  const header256 = firstHeader(input.headers, 'x-hub-signature-256');
  const headerSha1 = firstHeader(input.headers, 'x-hub-signature');
  const useSha1 = (header256 === undefined || header256.trim() === '') && headerSha1 !== undefined && headerSha1.trim() !== '';
  const received = useSha1 ? headerSha1!.trim() : header256?.trim() ?? null;

  // Bodies to try, in the order of the causes they reveal.
  const rawText = input.rawBody.toString('utf8');
  const bodies: { variant: string; label: string; bytes: Buffer }[] = [{ variant: 'raw', label: 'raw body', bytes: input.rawBody }];
  const seen = new Set<string>([rawText]);
  const addBody = (variant: string, label: string, text: string | null): void => {
    if (text === null || seen.has(text)) return;
    seen.add(text);
    bodies.push({ variant, label, bytes: Buffer.from(text, 'utf8') });
  };
  const reserialised = reserialiseJson(rawText);
  addBody('reserialised', 're-serialised JSON (JSON.stringify)', reserialised);
  if (reserialised !== null) addBody('escaped', 'JSON re-escaped as Meta sends it (\\uXXXX, \\/)', escapeUnicodeJson(reserialised));
  addBody('escaped', 'body with non-ASCII and / re-escaped', escapeUnicodeJson(rawText));
  if (/\s$/.test(rawText)) addBody('trimmed', 'body without trailing whitespace', rawText.replace(/\s+$/, ''));

  const keys: { key: Tried['key']; keyIndex: number; label: string; value: string }[] = input.metaSecrets.map((s, i) => ({
    key: 'secret', keyIndex: i, label: `app secret #${i + 1} (${fingerprint(s)})`, value: s,
  }));
  if (input.verifyToken) keys.push({ key: 'verify-token', keyIndex: 0, label: 'verify token used as key', value: input.verifyToken });

  let receivedHex: Buffer | null = null;
  let headerProblem: string | null = null;
  if (received !== null) {
    if (useSha1) {
      const m = /^sha1\s*=\s*([0-9a-fA-F]{40})$/i.exec(received);
      if (m) receivedHex = Buffer.from(m[1], 'hex');
      else headerProblem = 'The legacy X-Hub-Signature header is malformed: expected "sha1=" followed by 40 hex characters.';
    } else {
      const parsed = parseMetaSignatureHeader(received);
      if (parsed.ok) receivedHex = Buffer.from(parsed.hex, 'hex');
      else headerProblem = describeMetaHeaderProblem(parsed);
    }
  }

  const algo = useSha1 ? 'sha1' : 'sha256';
  const candidates: Tried[] = [];
  for (const k of keys) {
    for (const b of bodies) {
      const digest = createHmac(algo, k.value).update(b.bytes).digest();
      const matches = receivedHex !== null && digest.length === receivedHex.length && timingSafeEqual(digest, receivedHex);
      candidates.push({
        label: `${k.label} · ${b.label}`, computed: `${algo}=${digest.toString('hex')}`, matches,
        key: k.key, keyIndex: k.keyIndex, variant: b.variant,
      });
    }
  }

  const out = (cause: string): SignatureDebug => ({
    provider: 'meta', received,
    candidates: candidates.map(({ label, computed, matches }) => ({ label, computed, matches })),
    cause,
  });

  if (received === null) {
    return out(input.metaSecrets.length === 0 && !input.verifyToken
      ? 'No X-Hub-Signature-256 header, and no app secret is configured: the request did not come from Meta, or a proxy stripped the header.'
      : 'No X-Hub-Signature-256 header: the request did not come from Meta, or a proxy stripped it.');
  }
  if (headerProblem) return out(headerProblem);

  const hit = (pred: (c: Tried) => boolean): Tried | undefined => candidates.find((c) => c.matches && pred(c));
  const raw = hit((c) => c.key === 'secret' && c.variant === 'raw');
  if (raw) {
    if (useSha1) {
      return out(`Only the legacy X-Hub-Signature (SHA-1) header arrived, and it matches app secret #${raw.keyIndex + 1}: a proxy dropped X-Hub-Signature-256, so Hookscope cannot accept the request.`);
    }
    return out(raw.keyIndex === 0
      ? 'The signature is valid: it matches app secret #1 over the raw body.'
      : `The signature is valid: it matches app secret #${raw.keyIndex + 1} over the raw body (a second app, or a rotated secret).`);
  }
  if (hit((c) => c.key === 'verify-token')) {
    return out('The signature was made with your verify token: paste the App Secret (App Dashboard → Settings → Basic), not the verify token.');
  }
  if (hit((c) => c.variant === 'reserialised')) {
    return out('The signature matches the body after re-serialising: something between Meta and Hookscope re-encoded the JSON (a proxy or middleware).');
  }
  if (hit((c) => c.variant === 'escaped')) {
    return out('The signature matches the body once non-ASCII characters and slashes are re-escaped as Meta sends them (\\uXXXX, \\/): something between Meta and Hookscope decoded and re-encoded the JSON (a proxy or middleware).');
  }
  if (hit((c) => c.variant === 'trimmed')) {
    return out('The signature matches the body without its trailing whitespace: something between Meta and Hookscope appended to the body (a proxy or middleware).');
  }
  if (input.metaSecrets.length === 0) {
    return out('No app secret is configured, so this signature cannot be checked: paste the App Secret (App Dashboard → Settings → Basic).');
  }
  if (useSha1) {
    return out('Only the legacy X-Hub-Signature (SHA-1) header arrived and no configured secret produces it: the app secret is probably from another Meta app, or was rotated.');
  }
  return out('No configured secret produces this signature: the app secret is probably from another Meta app, or was rotated.');
}

function debugTwilio(input: SignatureDebugInput): SignatureDebug {
  const received = firstHeader(input.headers, 'x-twilio-signature')?.trim() || null;
  const settingsHeader = firstHeader(input.headers, 'x-twilio-webhooks-signature-settings');
  const algorithm: TwilioAlgorithm = settingsHeader ? parseTwilioSignatureSettings(settingsHeader) : received ? inferAlgorithm(received) : 'HMAC_SHA1';

  // Bases to try: the configured public URL, what the proxy headers say was called, then the local URL.
  type Source = 'public' | 'forwarded' | 'local';
  const bases: { source: Source; label: string; url: string }[] = [];
  const seenUrls = new Set<string>();
  const addBase = (source: Source, label: string, base: string): void => {
    const url = joinBaseUrl(base, input.pathAndQuery);
    if (seenUrls.has(url)) return;
    seenUrls.add(url);
    bases.push({ source, label, url });
  };
  if (input.publicUrl) addBase('public', 'public URL', input.publicUrl);
  const fHost = firstHeader(input.headers, 'x-forwarded-host')?.split(',')[0]?.trim();
  const fProto = firstHeader(input.headers, 'x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  const host = firstHeader(input.headers, 'host')?.trim();
  if (fHost) addBase('forwarded', 'URL from X-Forwarded-Host', `${fProto === 'http' ? 'http' : 'https'}://${fHost}`);
  if (host && !isLocalUrl(`http://${host}`)) {
    addBase('forwarded', 'URL from Host header', `${fProto === 'http' ? 'http' : 'https'}://${host}`);
  }
  addBase('local', 'local URL', input.localUrl);

  const contentType = (firstHeader(input.headers, 'content-type') ?? '').toLowerCase();
  const isGet = input.method.toUpperCase() === 'GET';
  const bodyText = input.rawBody.toString('utf8');
  const isForm = contentType.includes('application/x-www-form-urlencoded')
    || (contentType === '' && bodyText.includes('=') && !/^\s*[[{]/.test(bodyText));
  // GET requests carry their params in the URL, which is signed as is: nothing is appended.
  const params: [string, string][] = !isGet && isForm ? parseForm(bodyText) : [];
  const formSuffix = twilioParamString(params);
  const bodyHash = createHash('sha256').update(input.rawBody).digest('hex');

  interface TwTried extends SignatureDebugCandidate { source: Source; variant: string; url: string; port?: string; tokenIndex: number; bodyOk: boolean }
  const tried: TwTried[] = [];
  const variantLabel: Record<string, (port?: string) => string> = {
    'as-given': () => '',
    'port-added': (port) => ` with :${port}`,
    'port-removed': (port) => ` without :${port}`,
    'legacy-query': () => ' with legacy query encoding',
  };
  input.twilioTokens.forEach((token, i) => {
    const tokenLabel = `auth token #${i + 1} (${fingerprint(token)})`;
    for (const base of bases) {
      const bodyVariant = isBodyHashUrl(base.url);
      for (const c of twilioUrlCandidatesDetailed(base.url)) {
        const computed = twilioDigest(token, c.url + (bodyVariant ? '' : formSuffix), algorithm);
        const bodyOk = !bodyVariant || safeEqualString(bodyHash, (twilioBodyHashParam(c.url) ?? '').toLowerCase());
        tried.push({
          label: `${tokenLabel} · ${base.label}${variantLabel[c.variant](c.port)}: ${c.url}`,
          computed, matches: received !== null && safeEqualString(computed, received),
          source: base.source, variant: c.variant, url: c.url, port: c.port, tokenIndex: i, bodyOk,
        });
      }
    }
  });

  const out = (cause: string): SignatureDebug => ({
    provider: 'twilio', received,
    candidates: tried.map(({ label, computed, matches }) => ({ label, computed, matches })),
    cause,
  });

  if (received === null) return out('No X-Twilio-Signature header: the request did not come from Twilio, or a proxy stripped it.');
  if (input.twilioTokens.length === 0) {
    return out('No Twilio auth token is configured, so this signature cannot be checked: paste the Auth Token from the Twilio Console.');
  }
  const hit = tried.find((t) => t.matches);
  if (!hit) {
    if (!input.publicUrl) {
      return out(`No candidate matches and Hookscope only knows the local URL (${joinBaseUrl(input.localUrl, input.pathAndQuery)}): set the public URL (or start the tunnel) so Twilio signatures can be checked.`);
    }
    return out('No configured auth token and URL produce this signature: check that the auth token belongs to the account (or subaccount) that owns this number, and that the webhook URL in Twilio is exactly the public URL, path and query included.');
  }
  if (!hit.bodyOk) {
    return out('The URL signature is right but the body does not match its bodySHA256: the body was changed on the way.');
  }
  const tokenNote = hit.tokenIndex > 0 ? ` with auth token #${hit.tokenIndex + 1}` : '';
  if (hit.source === 'forwarded') {
    return out(input.publicUrl
      ? `Twilio signed ${hit.url}, not the public URL set in Hookscope (${joinBaseUrl(input.publicUrl, input.pathAndQuery)}): update the public URL (the tunnel address probably changed).`
      : `Twilio signed ${hit.url} but Hookscope only knows the local URL: set the public URL (or start the tunnel) so Twilio signatures can be checked.`);
  }
  if (hit.variant === 'port-added') {
    return out(`Twilio signed the URL with the default port (${hit.url})${tokenNote}; Hookscope accepts that form too, so the signature is valid.`);
  }
  if (hit.variant === 'port-removed') {
    return out(`Twilio signed the URL without the default port (${hit.url})${tokenNote}; Hookscope accepts that form too, so the signature is valid.`);
  }
  if (hit.variant === 'legacy-query') {
    return out(`Twilio signed the URL with its query string encoded the legacy way (${hit.url})${tokenNote}; Hookscope accepts that form too, so the signature is valid.`);
  }
  if (hit.source === 'local' && input.publicUrl) {
    return out(`The signature matches the local URL (${hit.url})${tokenNote}, not the public URL: the request was signed for this machine directly (a local tool or the simulator).`);
  }
  return out(`The signature is valid: it matches ${hit.source === 'public' ? 'the public URL' : 'the URL'} ${hit.url}${tokenNote || ' with auth token #1'}.`);
}

/** application/x-www-form-urlencoded, UTF-8, `+` as space; malformed escapes kept as written. */
function parseForm(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    out.push([decode(eq >= 0 ? pair.slice(0, eq) : pair), eq >= 0 ? decode(pair.slice(eq + 1)) : '']);
  }
  return out;
}

function decode(s: string): string {
  const t = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(t);
  } catch {
    return t;
  }
}
