// The side panel: one registry of panels, opened from the top bar's nav. Each feature adds its panel
// component to PANELS; nothing else needs to change.
import type { ComponentType } from 'react';
import { OWN_BUTTON, PANEL_IDS, usePanel, type PanelId } from '../../state/panel-state';
import { RejectedPanel } from '../rejected/rejected-panel';
import { SetupPanel } from '../setup/setup-panel';
import { ToolsPanel } from '../tools/tools-panel';
import { SettingsPanel } from '../settings/settings-panel';
import { RulesPanel } from '../rules/rules-panel';
import { NotificationsPanel } from '../notifications/notifications-panel';
import { StatsPanel } from '../stats/stats-panel';
import { HealthPanel } from '../health/health-panel';
import { useApp } from '../../state/hooks';
import { ErrorBoundary } from '../../ui/error-boundary';

interface PanelDef { title: string; component: ComponentType | null }

/** Register panels here. A null component shows a placeholder until the feature lands. */
export const PANELS: Record<PanelId, PanelDef> = {
  rules: { title: 'Rules', component: RulesPanel },
  notifications: { title: 'Notifications', component: NotificationsPanel },
  stats: { title: 'Stats', component: StatsPanel },
  health: { title: 'Health', component: HealthPanel },
  setup: { title: 'Setup', component: SetupPanel },
  tools: { title: 'Tools', component: ToolsPanel },
  settings: { title: 'Settings', component: SettingsPanel },
  rejected: { title: 'Rejected requests', component: RejectedPanel },
};

export function PanelNav() {
  const panel = usePanel((s) => s.panel);
  const toggle = usePanel((s) => s.toggle);
  const unread = useApp((s) => s.unreadNotifications);
  return (
    <nav className="panel-nav" aria-label="Panels">
      {PANEL_IDS.filter((id) => !OWN_BUTTON.has(id)).map((id) => (
        <button key={id} type="button" className={`btn btn-xs nav-btn${panel === id ? ' is-active' : ''}`}
          aria-pressed={panel === id} data-testid={`nav-${id}`} onClick={() => toggle(id)}>
          {PANELS[id].title}
          {id === 'notifications' && unread > 0 && panel !== id && (
            <span className="nav-badge" data-testid="notifications-unread" aria-label={`${unread} unread`}>{unread > 99 ? '99+' : unread}</span>
          )}
        </button>
      ))}
    </nav>
  );
}

export function PanelHost() {
  const panel = usePanel((s) => s.panel);
  const close = usePanel((s) => s.close);
  if (!panel) return null;
  const def = PANELS[panel];
  const Body = def.component;
  return (
    <aside className="side-panel" data-testid={`panel-${panel}`} aria-label={def.title}>
      <header className="side-panel-head">
        <h2>{def.title}</h2>
        <button type="button" className="btn btn-xs" aria-label="Close panel" onClick={close}>×</button>
      </header>
      <div className="side-panel-body">
        <ErrorBoundary name={`The ${def.title} panel`} resetKey={panel}>
          {Body ? <Body /> : <p className="muted">Coming soon.</p>}
        </ErrorBoundary>
      </div>
    </aside>
  );
}
