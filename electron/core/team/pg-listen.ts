// The team database's listening connection (docs/architecture.md "Team mode"): LISTEN on a connection of
// its own — a pooled one would be handed to other queries — reconnecting with back-off (250 ms doubling to
// 5 s) whenever it is lost. The mirror fetches on what it hears; `onState` says when the connection is lost
// and back, since a reconnect is when to catch up (anything notified meanwhile was missed).
import pg from 'pg';
import type { Logger } from '../types';
import { FORGET_CHANNEL, NOTIFY_CHANNEL, RULES_CHANNEL } from './pg-names';

export interface ListenHandlers {
  /** The committed id range of an append (`first` = `last` when an older appender only said its highest id). */
  onNotify(last: number, first: number): void;
  onState(up: boolean): void;
  /** The rules and forget channels (RULES_CHANNEL, FORGET_CHANNEL). */
  onChannel?(channel: string): void;
}

/** An append's NOTIFY payload, `first-last` or a single id; null when it is neither. */
export function parseRange(payload: string | undefined): { first: number; last: number } | null {
  const m = /^(\d+)(?:-(\d+))?$/.exec(payload ?? '');
  if (!m) return null;
  const first = Number(m[1]);
  const last = m[2] != null ? Number(m[2]) : first;
  return last >= first ? { first, last } : null;
}

/** Starts listening; resolves nothing, reports through the handlers; the returned function stops it. */
export function startListener(deps: { config: pg.ClientConfig; logger: Logger; target: string; redact(text: string): string }, on: ListenHandlers): () => Promise<void> {
  const { config, logger, target, redact } = deps;
  let client: pg.Client | null = null;
  let stopped = false;
  let up = false;
  let delay = 250;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const setUp = (v: boolean) => { if (v !== up) { up = v; on.onState(v); } };
  const connect = async () => {
    timer = null;
    if (stopped) return;
    const c = new pg.Client({ ...config, application_name: `${config.application_name}-listen` });
    client = c;
    c.on('error', (err) => {
      logger.warn('database listener lost its connection; reconnecting', { database: target, err: redact(String(err)) });
      drop(c);
    });
    c.on('end', () => drop(c));
    c.on('notification', (n) => {
      if (n.channel === RULES_CHANNEL || n.channel === FORGET_CHANNEL) { on.onChannel?.(n.channel); return; }
      if (n.channel !== NOTIFY_CHANNEL) return;
      const range = parseRange(n.payload);
      if (range) on.onNotify(range.last, range.first);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${NOTIFY_CHANNEL}; LISTEN ${RULES_CHANNEL}; LISTEN ${FORGET_CHANNEL}`);
      if (stopped) { await c.end().catch(() => undefined); return; }
      delay = 250;
      setUp(true);
    } catch (err) {
      logger.debug('database listener could not connect', { database: target, err: redact(String(err)) });
      drop(c);
    }
  };
  const drop = (c: pg.Client) => {
    if (client !== c) return;
    client = null;
    c.removeAllListeners('notification');
    c.end().catch(() => undefined);
    setUp(false);
    if (!stopped && !timer) {
      timer = setTimeout(() => void connect(), delay);
      timer.unref?.();
      delay = Math.min(delay * 2, 5000);
    }
  };
  void connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const c = client;
    client = null;
    if (c) await c.end().catch(() => undefined);
  };
}
