// A plain console logger for the shell. Context objects are logged as JSON; callers never pass secrets or
// request arguments (settings:update carries them), only channel names and error text.
import type { Logger } from '../core/types';
import { guardStream } from '../core/log-sink';

export function createConsoleLogger(scope: string): Logger {
  // A full disk or a closed pipe under stdout/stderr must not end the app (core/log-sink.ts); the global
  // console already ignores synchronous write errors, the streams' later 'error' events are ignored here.
  guardStream(process.stdout);
  guardStream(process.stderr);
  const line = (level: string, msg: string, ctx?: Record<string, unknown>) =>
    `[${new Date().toISOString()}] ${level} ${scope}: ${msg}${ctx ? ` ${safeJson(ctx)}` : ''}`;
  return {
    debug: (msg, ctx) => { if (process.env.HOOKSCOPE_DEBUG) console.debug(line('debug', msg, ctx)); },
    info: (msg, ctx) => console.info(line('info', msg, ctx)),
    warn: (msg, ctx) => console.warn(line('warn', msg, ctx)),
    error: (msg, ctx) => console.error(line('error', msg, ctx)),
  };
}

function safeJson(value: unknown): string {
  try { return JSON.stringify(value); } catch { return String(value); }
}
