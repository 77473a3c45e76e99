// The first screen: where a newcomer lands while nothing is stored. The simulator first (no account
// needed to see what Hookscope shows), then the same setup stepper as the Setup panel, using the width.
// Once events exist but no real webhook has arrived yet (only Meta's handshake, or simulated events),
// the feed shows and a strip above it keeps setup in view (SetupStrip) until the core says a signed
// message or status came in from the network (doctor:get `firstRealWebhookAt`, docs/api.md).
import { useApp, useAppShallow } from '../../state/hooks';
import { usePanel } from '../../state/panel-state';
import { SetupStepper, SimulateButtons, useDoctorRefresh, useSetupSteps } from './setup-stepper';
import { currentStep } from './setup-steps';

export const SETUP_GUIDE_ID = 'setup-guide';

export function SetupGuide() {
  useDoctorRefresh();
  const appInfo = useApp((s) => s.appInfo);
  const connection = useApp((s) => s.connection);
  const retentionDays = useApp((s) => s.settings?.retention.days);
  return (
    // tabIndex -1: the skip link lands here when there is no feed to skip to.
    <div className="setup" data-testid="setup-guide" id={SETUP_GUIDE_ID} tabIndex={-1} aria-labelledby="setup-guide-title">
      <h1 className="setup-title" id="setup-guide-title">Waiting for the first webhook</h1>
      <p className="setup-lead">
        Hookscope is listening{appInfo ? <> on <code>{appInfo.receiver.url}</code></> : null}
        {connection !== 'open' ? ' (connecting…)' : ''}. Seven steps and events show up here live.
      </p>
      <section className="setup-try" data-testid="setup-try" aria-labelledby="setup-try-title">
        <h2 id="setup-try-title" className="setup-try-title">No account yet? See what it looks like</h2>
        <p className="muted small">Simulated webhooks go through the same checks and storage as real ones, and are marked as simulated. Setup stays here until a real one arrives.</p>
        <SimulateButtons />
      </section>
      <SetupStepper />
      {retentionDays !== undefined && <RetentionNote days={retentionDays} />}
    </div>
  );
}

/**
 * Above the feed while events exist but no real webhook has arrived: how far setup is and a way back
 * to it. Gone for good once the core reports the first real webhook.
 */
export function SetupStrip() {
  const s = useAppShallow((st) => ({ known: st.doctor.at != null, done: st.doctor.firstRealWebhookAt != null }));
  useDoctorRefresh(!s.done);
  if (!s.known || s.done) return null;
  return <SetupStripBody />;
}

function SetupStripBody() {
  const steps = useSetupSteps();
  const done = steps.filter((x) => x.state === 'done').length;
  const next = currentStep(steps);
  return (
    <div className="setup-strip" data-testid="setup-strip" role="region" aria-label="Setup progress">
      <span className="setup-strip-count" data-testid="setup-strip-count">Setup: {done} of {steps.length} done</span>
      {next && (
        <span className="setup-strip-next muted">
          Next: <strong>{next.title}</strong>{next.state === 'problem' ? ' — needs a fix' : ''}
        </span>
      )}
      <span className="muted small setup-strip-note">Simulated events and Meta&apos;s handshake don&apos;t count: setup ends with the first real webhook.</span>
      <button type="button" className="btn btn-xs" data-testid="continue-setup" onClick={() => usePanel.getState().open('setup')}>Continue setup</button>
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
