// The empty state: the same setup stepper as the Setup panel, where a newcomer lands first.
import { useApp } from '../../state/hooks';
import { SetupStepper, useDoctorRefresh } from './setup-stepper';

export function SetupGuide() {
  useDoctorRefresh();
  const appInfo = useApp((s) => s.appInfo);
  const connection = useApp((s) => s.connection);
  return (
    <div className="setup" data-testid="setup-guide">
      <h1 className="setup-title">Waiting for the first webhook</h1>
      <p className="setup-lead">
        Hookscope is listening{appInfo ? <> on <code>{appInfo.receiver.url}</code></> : null}
        {connection !== 'open' ? ' (connecting…)' : ''}. Seven steps and events show up here live.
      </p>
      <SetupStepper />
    </div>
  );
}
