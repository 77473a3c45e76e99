// The only user of ipcMain. Every request channel of the shared contract gets one handler that:
//   1. checks the sender is our window's top frame showing our file:// renderer (a stray webContents,
//      an iframe or a page that navigated elsewhere gets FORBIDDEN_SENDER),
//   2. hands the call to the core's dispatcher (electron/core/dispatch.ts, the same door `serve` uses),
//      which validates the arguments with the channel's zod schema (VALIDATION with a readable message),
//      calls the handler and answers with an envelope: Electron drops custom error fields over
//      invoke (electron/electron#24427), so failures travel as values { ok: false, error: { code, message } }.
// Pushes from the core are coalesced (one batch per ~50 ms) and held until the renderer says it is ready.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { PUSH_CHANNELS, REQUEST_CHANNELS, type ContractHandlers, type Envelope, type PushChannel, type RequestChannel } from '../../shared/ipc';
import { appError } from '../../shared/errors';
import { createDispatcher } from '../core/dispatch';
import type { Core } from '../core/core';
import type { Logger } from '../core/types';
import { READY_CHANNEL, type AnyPushChannel, type AnyPushPayload } from '../preload/channels';
import { isRendererUrl } from './window';

// ---------------------------------------------------------------- pushes

export interface PushRelay {
  push<P extends AnyPushChannel>(channel: P, payload: AnyPushPayload<P>): void;
  /** The renderer in `contents` has subscribed: deliver what is held, then batch as usual. */
  markReady(contents: WebContents): void;
  /** The renderer reloaded or navigated: hold pushes again until it says ready. */
  resetReady(): void;
  /** Forget held pushes (the window is gone; a new renderer pulls fresh state with requests). */
  clear(): void;
  dispose(): void;
}

export interface PushRelayOptions {
  /** The webContents pushes go to (our window's), or null when there is no window. */
  getTarget: () => WebContents | null;
  batchMs?: number;
  /** Cap on items held per array channel while the renderer is not ready; the newest are kept. */
  maxHeldItems?: number;
}

/** Array pushes add up (every event must reach the feed); the others are state: the last value wins. */
const ARRAY_PUSHES: ReadonlySet<AnyPushChannel> = new Set<AnyPushChannel>(['events:appended', 'notifications:fired', 'deliveries:recorded', 'contacts:forgotten']);

export function createPushRelay(opts: PushRelayOptions): PushRelay {
  const batchMs = opts.batchMs ?? 50;
  const maxHeld = opts.maxHeldItems ?? 5000;
  const pending = new Map<AnyPushChannel, unknown>();
  let readyId: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const readyTarget = (): WebContents | null => {
    const wc = opts.getTarget();
    return wc && !wc.isDestroyed() && wc.id === readyId ? wc : null;
  };
  const flush = () => {
    if (timer) { clearTimeout(timer); timer = null; }
    const wc = readyTarget();
    if (!wc || pending.size === 0) return;
    const batch = [...pending];
    pending.clear();
    for (const [channel, payload] of batch) wc.send(channel, payload);
  };
  const schedule = () => {
    if (timer || pending.size === 0 || !readyTarget()) return;
    timer = setTimeout(flush, batchMs);
  };

  return {
    push(channel, payload) {
      if (ARRAY_PUSHES.has(channel) && Array.isArray(payload)) {
        const held = pending.get(channel) as unknown[] | undefined;
        let merged = held ? held.concat(payload) : payload.slice();
        // Bounded so a window that never becomes ready cannot grow main's memory without limit; the
        // renderer pages older events from the store anyway.
        if (merged.length > maxHeld) merged = merged.slice(merged.length - maxHeld);
        pending.set(channel, merged);
      } else {
        pending.set(channel, payload);
      }
      schedule();
    },
    markReady(contents) {
      readyId = contents.id;
      flush();
    },
    resetReady() {
      readyId = null;
      if (timer) { clearTimeout(timer); timer = null; }
    },
    clear() { pending.clear(); },
    dispose() {
      readyId = null;
      if (timer) { clearTimeout(timer); timer = null; }
      pending.clear();
    },
  };
}

// ---------------------------------------------------------------- requests

export interface IpcOptions {
  core: Pick<Core, 'handlers' | 'on'>;
  /** Channels main answers itself instead of the core (e.g. export:save needs a save dialog). */
  overrides?: Partial<ContractHandlers>;
  relay: PushRelay;
  getWindow: () => BrowserWindow | null;
  /** Absolute path of dist/renderer/index.html: the only page allowed to call. */
  rendererFile: string;
  logger: Logger;
}

/** Our window, its top frame, showing our renderer file. Anything else is refused. */
export function isTrustedSender(event: IpcMainInvokeEvent, win: BrowserWindow | null, rendererFile: string): boolean {
  if (!win || win.isDestroyed()) return false;
  if (event.sender.id !== win.webContents.id) return false;
  const frame = event.senderFrame;
  // null: the frame navigated or was destroyed since it sent; a parent: an iframe, which never needs IPC.
  if (!frame || frame.parent !== null) return false;
  return isRendererUrl(frame.url, rendererFile);
}

export function setupIpc(opts: IpcOptions): { dispose(): void } {
  const { core, relay, logger } = opts;
  const trusted = (event: IpcMainInvokeEvent) => isTrustedSender(event, opts.getWindow(), opts.rendererFile);
  const forbidden = (channel: string, event: IpcMainInvokeEvent): Envelope<never> => {
    logger.warn('ipc: refused a sender', { channel, url: event.senderFrame?.url?.slice(0, 200) ?? null });
    return { ok: false, error: appError('FORBIDDEN_SENDER') };
  };

  // Validation, the handler call and error mapping are the core's one door (dispatch.ts), shared with
  // the HTTP transport under `serve`; this file adds only what IPC needs: the sender check.
  const dispatch = createDispatcher({ ...core.handlers, ...opts.overrides } as ContractHandlers, logger);
  const handle = (channel: RequestChannel, event: IpcMainInvokeEvent, args: unknown): Promise<Envelope<unknown>> | Envelope<never> =>
    trusted(event) ? dispatch(channel, args) : forbidden(channel, event);

  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event, args: unknown) => handle(channel, event, args));
  }
  ipcMain.handle(READY_CHANNEL, (event): Envelope<null> => {
    if (!trusted(event)) return forbidden(READY_CHANNEL, event);
    relay.markReady(event.sender);
    return { ok: true, value: null };
  });

  const unsubscribe = PUSH_CHANNELS.map((channel: PushChannel) =>
    core.on(channel, (payload: unknown) => relay.push(channel, payload as never)));

  return {
    dispose() {
      for (const channel of [...REQUEST_CHANNELS, READY_CHANNEL]) ipcMain.removeHandler(channel);
      for (const off of unsubscribe) off();
    },
  };
}
