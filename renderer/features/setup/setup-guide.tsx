// The empty state: the same setup stepper as the Setup panel, where a newcomer lands first.
import { useApp } from '../../state/hooks';
import { SetupStepper, useDoctorRefresh } from './setup-stepper';

export function SetupGuide() {
  useDoctorRefresh();
  const appInfo = useApp((s) => s.appInfo);
  const connection = useApp((s) => s.connection);
  const retentionDays = useApp((s) => s.settings?.retention.days);
  return (
    <div className="setup" data-testid="setup-guide">
      <h1 className="setup-title">Waiting for the first webhook</h1>
      <p className="setup-lead">
        Hookscope is listening{appInfo ? <> on <code>{appInfo.receiver.url}</code></> : null}
        {connection !== 'open' ? ' (connecting…)' : ''}. Seven steps and events show up here live.
      </p>
      <SetupStepper />
      {retentionDays !== undefined && <RetentionNote days={retentionDays} />}
    </div>
  );
}

/** Messages are customers' personal data: say how long they are kept, and where to change it. */
export function RetentionNote({ days }: { days: number | null }) {
  return (
    <p className="setup-note muted small" data-testid="retention-note">
      {days != null
        ? `Webhooks are kept for ${days} day${days === 1 ? '' : 's'}, then deleted.`
        : 'Webhooks are kept until you delete them.'}{' '}
      Change it under Settings → Retention; privacy mode (Shift+P) hides names, numbers and texts before you share your screen.
    </p>
  );
}
