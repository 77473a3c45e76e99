// Logging must never end the process (docs/architecture.md "The outbox"): the log is the least important
// thing Hookscope writes. When stderr is a file on a full disk a write throws ENOSPC at once; when it is a
// pipe whose reader went away (a closed terminal, a log collector that died) the stream emits 'error'
// (EPIPE) later, which Node turns into an uncaught exception. Both are swallowed here; what was to be
// logged is lost, the webhooks are not.
import type { Writable } from 'node:stream';

const guarded = new WeakSet<Writable>();

/** Ignores the 'error' events of a standard stream (once per stream). */
export function guardStream(stream: Writable): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on('error', () => { /* a log line lost: see the header comment */ });
}

/** Writes a log line; never throws. */
export function writeLogLine(stream: Writable, text: string): void {
  guardStream(stream);
  try {
    stream.write(text);
  } catch { /* ENOSPC, EBADF, EPIPE thrown synchronously: see the header comment */ }
}
