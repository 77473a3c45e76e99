// Desktop export: the renderer asks for an export (format + filter) and main asks the user where to
// save it. The renderer never names a path, so a compromised page cannot write files.
import { dialog, type BrowserWindow } from 'electron';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ArgsOf, ResultOf } from '../../shared/ipc';
import type { EventFilter } from '../../shared/types';
import type { Core } from '../core/core';

/** Showing a team server: the same save dialog, the bytes from its GET /api/export (token in the header only). */
export function createRemoteExportSaver(fetchExport: (query: string) => Promise<Response>, getWindow: () => BrowserWindow | null) {
  return async (args: ArgsOf<'export:save'>): Promise<ResultOf<'export:save'>> => {
    const q = new URLSearchParams({ format: args.format });
    for (const [k, v] of Object.entries(args.filter ?? {})) {
      if (v != null && v !== '') q.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    if (args.redact) q.set('redact', '1');
    const ext = args.format === 'har' ? 'har' : args.format === 'csv' ? 'csv' : 'ndjson';
    const win = getWindow();
    const opts = { defaultPath: `hookscope-export.${ext}`, filters: [{ name: args.format.toUpperCase(), extensions: [ext] }] };
    const choice = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
    if (choice.canceled || !choice.filePath) return { saved: false, path: null };
    const r = await fetchExport(q.toString());
    if (!r.ok || !r.body) throw new Error(`the team server answered HTTP ${r.status} to the export`);
    const out = createWriteStream(choice.filePath, { mode: 0o600 });
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    return { saved: true, path: choice.filePath };
  };
}

export function createExportSaver(core: Pick<Core, 'tools'>, getWindow: () => BrowserWindow | null) {
  return async (args: ArgsOf<'export:save'>): Promise<ResultOf<'export:save'>> => {
    if (!core.tools) throw new Error('export is not available');
    const exp = core.tools.exportStream(args.format, args.filter as EventFilter, { redact: args.redact === true });
    try {
      const win = getWindow();
      const opts = { defaultPath: exp.filename, filters: [{ name: args.format.toUpperCase(), extensions: [exp.filename.split('.').pop() ?? 'txt'] }] };
      const choice = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (choice.canceled || !choice.filePath) return { saved: false, path: null };
      const out = createWriteStream(choice.filePath, { mode: 0o600 });
      for (const chunk of exp.chunks) {
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      return { saved: true, path: choice.filePath };
    } finally {
      exp.close();
    }
  };
}
