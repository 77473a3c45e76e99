// The contract's handlers (shared/ipc.ts RequestChannels): a table from each request channel to the
// parts the composition root (core.ts) already built, grouped by area in handlers/. Arguments arrive
// already validated by the dispatcher; the return type makes a channel without a handler not compile.
import type { ContractHandlers } from '../../shared/ipc';
import type { CoreParts } from './parts';
import type { RawHandlers } from './dispatch';
import { historyHandlers, historyRawHandlers } from './handlers/history';
import { rulesHandlers } from './handlers/rules';
import { setupHandlers } from './handlers/setup';
import { toolsHandlers } from './handlers/tools';
import { privacyHandlers } from './handlers/privacy';
import { rejectedHandlers } from './handlers/rejected';

export function createHandlers(parts: CoreParts): ContractHandlers {
  return {
    ...historyHandlers(parts),
    ...rulesHandlers(parts),
    ...setupHandlers(parts),
    ...toolsHandlers(parts),
    ...privacyHandlers(parts),
    ...rejectedHandlers(parts),
  };
}

/** The channels the control API may take as JSON bytes straight from the read worker (dispatch.ts RawHandlers). */
export function createRawHandlers(parts: CoreParts): RawHandlers {
  return historyRawHandlers(parts);
}
