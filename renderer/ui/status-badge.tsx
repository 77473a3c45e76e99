import type { HookEvent } from '../../shared/types';
import { statusTone, statusWord } from './format';

export function StatusBadge({ event, testId }: { event: Pick<HookEvent, 'status' | 'kind'>; testId?: string }) {
  return (
    <span className={`status status-dotted status-${statusTone(event)}`} data-testid={testId}>
      {statusWord(event)}
    </span>
  );
}

export function SignatureBadge({ verdict }: { verdict: HookEvent['signature'] }) {
  const tone = verdict === 'valid' ? 'delivered' : verdict === 'unchecked' ? 'muted' : 'failed';
  return (
    <span className={`status status-dotted status-${tone}`}>
      signature {verdict}
    </span>
  );
}
