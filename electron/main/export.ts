// Desktop export: the renderer asks for an export (format + filter) and main asks the user where to
// save it. The renderer never names a path, so a compromised page cannot write files.
import { dialog, type BrowserWindow } from 'electron';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { ArgsOf, ResultOf } from '../../shared/ipc';
import type { EventFilter } from '../../shared/types';
import type { Core } from '../core/core';

export function createExportSaver(core: Pick<Core, 'tools'>, getWindow: () => BrowserWindow | null) {
  return async (args: ArgsOf<'export:save'>): Promise<ResultOf<'export:save'>> => {
    if (!core.tools) throw new Error('export is not available');
    const exp = core.tools.exportStream(args.format, args.filter as EventFilter);
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
