// What handlers of several areas use (handlers/history.ts and handlers/rejected.ts): the not-found
// answer, and the signature debugger over a request's exact bytes.
import { HookscopeError } from '../../../shared/errors';
import type { Provider } from '../../../shared/types';
import { debugSignature } from '../ingest/signature-debug';
import type { CoreParts } from '../parts';

export function notFound(what: string): never {
  throw new HookscopeError('NOT_FOUND', `${what} was not found.`);
}

/** The signature debugger (ingest/signature.ts) over a request's exact bytes, with the secrets set now. */
export function explainSignature(
  parts: Pick<CoreParts, 'settings' | 'tunnel' | 'receiverInfo'>,
  r: { provider: Provider; headers: [string, string][]; method: string; path: string; query: string },
  rawBody: Buffer,
) {
  const { settings, tunnel } = parts;
  return debugSignature({
    provider: r.provider, headers: r.headers, rawBody, method: r.method,
    pathAndQuery: r.path + (r.query ? `?${r.query}` : ''), publicUrl: settings.publicUrl(tunnel.get().url ?? null),
    localUrl: parts.receiverInfo()?.url ?? '', metaSecrets: settings.metaSecrets(), verifyToken: settings.verifyToken(), twilioTokens: settings.twilioTokens(),
  });
}
