// Channel names the Electron shell adds on top of the shared contract (shared/ipc.ts). Kept in a module
// with no side effects so both the preload (bundled into preload.cjs) and main can import the same names.
import type { ArgsOf, Envelope, PushChannel, PushChannels, RequestChannel, ResultOf } from '../../shared/ipc';

/** The renderer invokes this once it has subscribed to pushes; main holds pushes until then. */
export const READY_CHANNEL = 'renderer:ready';

/** Pushes that only the desktop shell produces (a desktop notification was clicked; the team server link). */
export interface ShellPushChannels {
  'notifications:clicked': { eventId: number | null; notificationId: number };
  /** Connected to a team server: its live stream's state ("Reconnecting…" while it is down). */
  'connection:changed': { state: 'connecting' | 'open' | 'down' };
}
export type ShellPushChannel = keyof ShellPushChannels;
const shellPushNames: { [P in ShellPushChannel]: true } = { 'notifications:clicked': true, 'connection:changed': true };

export type { ConnectionView } from '../../shared/types';

/** Requests only the desktop shell answers: which core this window shows, and switching it. */
export const SHELL_REQUEST_CHANNELS = ['connection:get', 'connection:connect', 'connection:disconnect'] as const;
export type ShellRequestChannel = (typeof SHELL_REQUEST_CHANNELS)[number];
export const SHELL_PUSH_CHANNELS = Object.keys(shellPushNames) as ShellPushChannel[];

/**
 * The contract's channel names for the preload, typed over the contract's maps so a missing or extra name
 * does not compile. Not imported from shared/ipc.ts at runtime: that module carries the argument schemas,
 * and with them all of zod (~745 KiB) into a preload that only needs the names; main validates anyway.
 */
const requestNames: { [C in RequestChannel]: true } = {
  'app:info': true, 'app:me': true, 'events:list': true, 'events:get': true, 'messages:get': true, 'messages:list': true, 'messages:stats': true, 'contacts:thread': true,
  'stats:get': true, 'rules:list': true, 'views:list': true, 'views:create': true, 'views:update': true, 'views:delete': true,
  'businesses:list': true, 'businesses:name': true, 'rules:create': true, 'rules:update': true, 'rules:delete': true,
  'rules:preview': true, 'notifications:list': true, 'rules:test': true, 'deliveries:list': true, 'forwards:summary': true, 'forwards:retry': true, 'forwards:drop': true, 'settings:get': true, 'settings:update': true,
  'replay:send': true, 'simulate:send': true, 'doctor:get': true, 'stats:extra': true, 'requests:curl': true,
  'replay:filtered': true, 'import:file': true, 'export:save': true, 'tunnel:get': true, 'tunnel:start': true,
  'tunnel:stop': true, 'settings:reveal-verify-token': true, 'contacts:forget': true, 'rejected:list': true, 'rejected:get': true, 'rejected:reverify': true,
  'health:list': true, 'health:update': true,
};
export const PRELOAD_REQUEST_CHANNELS = Object.keys(requestNames) as RequestChannel[];
const pushNames: { [P in PushChannel]: true } = {
  'events:appended': true, 'tunnel:changed': true, 'notifications:fired': true, 'settings:changed': true,
  'notifications:clicked': true, 'deliveries:recorded': true, 'rejected:changed': true, 'team:changed': true, 'contacts:forgotten': true,
};
export const PRELOAD_PUSH_CHANNELS = Object.keys(pushNames) as PushChannel[];

export type AnyPushChannel = PushChannel | ShellPushChannel;
export type AnyPushPayload<P extends AnyPushChannel> =
  P extends PushChannel ? PushChannels[P] : P extends ShellPushChannel ? ShellPushChannels[P] : never;

/**
 * What `window.hookscope` offers. `invoke` resolves with the envelope rather than throwing: errors that
 * cross contextBridge lose every custom field (the `code`), so the renderer's bridge unwraps envelopes
 * itself, exactly as it does for the HTTP transport's `{ error: { code, message } }`.
 */
export interface HookscopePreloadApi {
  invoke<C extends RequestChannel>(channel: C, args?: ArgsOf<C>): Promise<Envelope<ResultOf<C>>>;
  on<P extends AnyPushChannel>(channel: P, cb: (payload: AnyPushPayload<P>) => void): () => void;
  ready(): void;
}
