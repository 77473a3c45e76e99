// Setup doctor, settings edits and the power tools (simulate, replay, cURL, import, export). Every
// action answers a Result so a form can show the server's message next to the field it concerns.
import type { ArgsOf, ReplayResult, SimulateResult } from '../../../shared/ipc';
import type { DoctorFinding, ForgetResult, ImportResult, ReplayManyResult, SettingsUpdate } from '../../../shared/types';
import { errorText, type SliceContext } from '../context';
import { nextFixed } from '../doctor-fixed';

export type Result<T> = { ok: true; value: T } | { ok: false; error: string; code?: string };

export type ExportFormat = ArgsOf<'export:save'>['format'];

export interface DoctorState {
  findings: DoctorFinding[];
  loading: boolean;
  error: string | null;
  /** When the findings were fetched (ms since epoch), null before the first answer. */
  at: number | null;
  /** Problems an earlier answer had and this one has not: the user fixed them. */
  fixed: DoctorFinding[];
}

export interface ToolsSlice {
  doctor: DoctorState;
  /** true in the Electron window: exports go through a save dialog instead of a download link. */
  isDesktop: boolean;
  loadDoctor(selfCheck?: boolean): Promise<void>;
  updateSettings(update: SettingsUpdate): Promise<Result<null>>;
  simulateSend(options: ArgsOf<'simulate:send'>): Promise<Result<SimulateResult>>;
  replaySend(args: ArgsOf<'replay:send'>): Promise<Result<ReplayResult>>;
  /** Replays every event matching the current filter. */
  replayFiltered(target?: string): Promise<Result<ReplayManyResult>>;
  requestCurl(requestId: number): Promise<Result<string>>;
  importFile(text: string, format: 'har' | 'ndjson'): Promise<Result<ImportResult>>;
  /** Desktop only: main asks where to save the export of the current filter. */
  exportSave(format: ExportFormat, redact?: boolean): Promise<Result<{ saved: boolean; path: string | null }>>;
  /** Refetch the selected event's detail in place (after a replay added a forward to its request). */
  refreshDetail(): Promise<void>;
  /** Counts (dryRun) or erases everything about one contact; after erasing, the views reload without it. */
  forgetContact(contactId: string, dryRun: boolean): Promise<Result<ForgetResult>>;
  /**
   * A contact was forgotten, here or in another window (`contacts:forgotten`): drop what this window
   * shows of them at once, then refetch the lists, counts and history from the core.
   */
  contactForgotten(contactId: string): Promise<void>;
}

const fail = (err: unknown): { ok: false; error: string; code?: string } => {
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : undefined;
  return { ok: false, error: errorText(err), ...(code ? { code } : {}) };
};

export function createToolsSlice(ctx: SliceContext): ToolsSlice {
  const { set, get, bridge, opts } = ctx;
  let doctorSeq = 0;
  const attempt = async <T>(fn: () => Promise<T>): Promise<Result<T>> => {
    try {
      return { ok: true, value: await fn() };
    } catch (err) {
      return fail(err);
    }
  };
  return {
    doctor: { findings: [], loading: false, error: null, at: null, fixed: [] },
    isDesktop: bridge.transport === 'ipc',
    async loadDoctor(selfCheck) {
      const seq = ++doctorSeq;
      set({ doctor: { ...get().doctor, loading: true, error: null } });
      try {
        const { findings } = await bridge.invoke('doctor:get', selfCheck ? { selfCheck: true } : {});
        if (seq !== doctorSeq) return;
        const prev = get().doctor;
        const fixed = prev.at == null ? [] : nextFixed(prev.findings, prev.fixed, findings);
        set({ doctor: { findings, loading: false, error: null, at: opts.now(), fixed } });
      } catch (err) {
        if (seq !== doctorSeq) return;
        set({ doctor: { ...get().doctor, loading: false, error: errorText(err) } });
      }
    },
    async updateSettings(update) {
      try {
        set({ settings: await bridge.invoke('settings:update', update) });
        return { ok: true, value: null };
      } catch (err) {
        return fail(err);
      }
    },
    simulateSend: (options) => attempt(() => bridge.invoke('simulate:send', options)),
    replaySend: (args) => attempt(() => bridge.invoke('replay:send', args)),
    replayFiltered: (target) => attempt(() => bridge.invoke('replay:filtered', { filter: get().filter, ...(target ? { target } : {}) })),
    requestCurl: (requestId) => attempt(async () => (await bridge.invoke('requests:curl', { requestId })).curl),
    importFile: (text, format) => attempt(() => bridge.invoke('import:file', { text, format })),
    exportSave: (format, redact) => attempt(() => bridge.invoke('export:save', { format, filter: get().filter, ...(redact ? { redact: true } : {}) })),
    forgetContact: (contactId, dryRun) => attempt(async () => {
      const r = await bridge.invoke('contacts:forget', { contactId, dryRun });
      // The push that follows does the same in every window; here it is not waited for (the stream may be down).
      if (!r.dryRun) await get().contactForgotten(contactId);
      return r;
    }),
    async contactForgotten(contactId) {
      if (typeof contactId !== 'string' || contactId === '') return;
      const s = get();
      const shown = s.detail.data ?? s.events.find((e) => e.id === s.selectedId) ?? null;
      if (shown?.contactId === contactId || s.thread.key === contactId) s.clearSelection();
      // Dropped first: reload() keeps loaded events newer than the page it fetches (as if pushed
      // meanwhile), and the erased ones must not survive as such. Queued pushes about them go too.
      get().dropContact(contactId);
      // Toasts and the history may quote the contact too: drop the toasts, refetch the history.
      set({ messages: get().messages.filter((m) => m.contactId !== contactId && !m.events.some((e) => e.contactId === contactId)), notifications: [] });
      await Promise.all([
        get().reload(), get().refreshStats(),
        get().view === 'messages' ? get().reloadMessages() : null,
        get().notificationHistory ? get().loadNotificationHistory() : null,
      ]);
    },
    async refreshDetail() {
      const id = get().selectedId;
      if (id == null) return;
      const key = String(id);
      try {
        const data = await bridge.invoke('events:get', { id });
        if (get().detail.key === key) set({ detail: { key, data, loading: false, error: null } });
      } catch { /* keep what is shown */ }
    },
  };
}
