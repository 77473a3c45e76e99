// The contract's tools channels (shared/ipc.ts): replay, the simulator, copy as cURL, import, export
// (tools/power-tools.ts).
import type { ContractHandlers } from '../../../shared/ipc';
import { HookscopeError } from '../../../shared/errors';
import type { Store } from '../store/store';
import type { CoreParts } from '../parts';
import { notFound } from './common';

export function toolsHandlers(parts: CoreParts) {
  const { store, power } = parts;
  return {
    'replay:send': power.handlers['replay:send'],
    'simulate:send': power.handlers['simulate:send'],
    'requests:curl': ({ requestId, redact }) => {
      if (!store.getRequest(requestId)) notFound(`Request ${requestId}`);
      return { curl: power.tools.curl(requestId, { redact }) };
    },
    'replay:filtered': ({ filter, target }) => power.tools.replayFiltered(filter as Parameters<Store['listEvents']>[0], { target }),
    'import:file': ({ text, format }) => power.tools.importFile(text, format),
    'export:save': () => {
      // The renderer never names a path: the desktop shell asks the user (electron/main/ipc.ts).
      throw new HookscopeError('BAD_REQUEST', 'Saving an export to a file is done by the desktop app; under serve, download GET /api/export.');
    },
  } satisfies Partial<ContractHandlers>;
}
