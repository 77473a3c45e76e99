// One door into the contract for both transports (IPC in main, HTTP under serve): validate the
// arguments against the channel's schema, call the handler, and answer with the envelope.
// Expected failures are values; unexpected ones are logged once, with context.
import { ZodError } from 'zod';
import { requestSchemas, isRequestChannel, type ArgsOf, type ContractHandlers, type Envelope, type RequestChannel } from '../../shared/ipc';
import { HookscopeError, appError } from '../../shared/errors';
import type { Logger } from './types';
import type { RawJson } from './store/reads';

export function formatZodError(err: ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export type Dispatch = (channel: string, args: unknown) => Promise<Envelope<unknown>>;

/**
 * Channels answered as JSON bytes (store/reads.ts RawJson) for a transport that only writes them out (the
 * control API). Never `rules:list`: its answer is masked per role after the handler (control-api.ts).
 */
export type RawHandlers = Partial<{ [C in Exclude<RequestChannel, 'rules:list'>]: (args: ArgsOf<C>) => Promise<RawJson> }>;

/**
 * With `raw`, a channel found there answers with its RawJson (the envelope's value), after the same
 * validation; errors are the same values either way. Without it (IPC), every value is an object.
 */
export function createDispatcher(handlers: ContractHandlers, logger: Logger, raw?: RawHandlers): Dispatch {
  return async (channel, args) => {
    if (!isRequestChannel(channel)) return { ok: false, error: appError('NOT_FOUND', `Unknown channel "${channel}".`) };
    const parsed = requestSchemas[channel].safeParse(args ?? undefined);
    if (!parsed.success) return { ok: false, error: appError('VALIDATION', formatZodError(parsed.error)) };
    try {
      const handler = ((raw as Record<string, unknown> | undefined)?.[channel] ?? handlers[channel as RequestChannel]) as (a: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (err) {
      if (err instanceof HookscopeError) return { ok: false, error: { code: err.code, message: err.message } };
      if (err instanceof ZodError) return { ok: false, error: appError('VALIDATION', formatZodError(err)) };
      logger.error('handler failed', { channel, err: err instanceof Error ? err.stack ?? err.message : String(err) });
      return { ok: false, error: appError('INTERNAL') };
    }
  };
}
