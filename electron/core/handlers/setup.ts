// The contract's setup channels (shared/ipc.ts): settings, the setup doctor, the tunnel and health checks.
import type { ContractHandlers } from '../../../shared/ipc';
import type { Settings } from '../setup/settings';
import type { CoreParts } from '../parts';

export function setupHandlers(parts: CoreParts) {
  const { settings, emitter, tunnel, power, doctor, firstWebhook } = parts;
  return {
    'settings:get': () => settings.view(),
    'settings:update': (u) => {
      const view = settings.update(u as Parameters<Settings['update']>[0]);
      // New limits hold now, not at the next timer tick.
      if (u.retention) { void power.tools.retention.drain(); void parts.team?.prune(); }
      if (u.rejectedLogBytes !== undefined) parts.rejected.trim();
      emitter.emit('settings:changed', view);
      return view;
    },
    'settings:reveal-verify-token': () => ({ token: settings.verifyToken() }),
    'doctor:get': async (a) => ({ findings: await doctor.run({ selfCheck: a?.selfCheck }), firstRealWebhookAt: firstWebhook.at() }),
    'tunnel:get': () => tunnel.get(),
    'tunnel:start': async () => {
      const state = await tunnel.start();
      const open = [settings.metaSecrets().length === 0 && settings.acceptsUnsigned('meta') ? 'Meta' : null, settings.twilioTokens().length === 0 && settings.acceptsUnsigned('twilio') ? 'Twilio' : null].filter(Boolean);
      // Starting the tunnel is what exposes the receiver: say out loud what accepting unsigned webhooks
      // means (a provider without a secret and without the switch is closed: nothing to warn about).
      return open.length > 0 && state.state !== 'error'
        ? { ...state, warning: `Unsigned webhooks accepted for ${open.join(' and ')}: anyone who knows the tunnel URL can add events.` }
        : state;
    },
    'tunnel:stop': () => tunnel.stop(),
    'health:list': () => ({ checks: parts.health.list() }),
    'health:update': ({ id, enabled, params }) => parts.health.update(id, { enabled, params }),
  } satisfies Partial<ContractHandlers>;
}
