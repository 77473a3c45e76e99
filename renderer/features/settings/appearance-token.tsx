// Settings that are not the core's: the theme (kept by this browser / window) and, under `serve`, the
// UI token (kept in the data dir; rotating it ends every other open tab's access).
import { useState } from 'react';
import { useApp, useAppStore } from '../../state/hooks';
import { applyTheme, loadThemeChoice, saveThemeChoice, THEME_CHOICES, type ThemeChoice } from '../../ui/theme';

const THEME_LABEL: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function AppearanceSection() {
  const [choice, setChoice] = useState<ThemeChoice>(loadThemeChoice);
  const pick = (c: ThemeChoice) => {
    setChoice(c);
    saveThemeChoice(c);
    applyTheme(c);
  };
  return (
    <section className="panel-section" data-testid="settings-appearance">
      <h3 className="section-title" id="theme-title">Theme</h3>
      <div className="segmented" role="radiogroup" aria-labelledby="theme-title">
        {THEME_CHOICES.map((c) => (
          <button key={c} type="button" role="radio" aria-checked={choice === c} className={`btn btn-xs${choice === c ? ' is-active' : ''}`}
            data-testid={`theme-${c}`} onClick={() => pick(c)}>{THEME_LABEL[c]}</button>
        ))}
      </div>
      <p className="muted small">System follows your operating system's light or dark mode.</p>
    </section>
  );
}

export function UiTokenSection() {
  const store = useAppStore();
  const can = useApp((s) => s.canRotateUiToken);
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  if (!can) return null;
  const rotate = async () => {
    if (!window.confirm('Make a new UI token? Other open tabs and bookmarks with the old address stop working.')) return;
    setState({ busy: true, error: null });
    const r = await store.getState().rotateUiToken();
    if ('error' in r) { setState({ busy: false, error: r.error }); return; }
    // This tab moves to the new address (and remembers it); the old token is already refused.
    const u = new URL(window.location.href);
    u.searchParams.set('token', r.token);
    window.location.replace(u.toString());
  };
  return (
    <section className="panel-section" data-testid="settings-ui-token">
      <h3 className="section-title">UI token</h3>
      <p className="muted small">
        The address <code>npm run serve</code> prints carries this token. It is generated once and kept in the data folder
        (file <code>ui-token</code>), so the address stays the same across restarts. Make a new one if the address leaked.
      </p>
      <button type="button" className="btn btn-xs" data-admin-only disabled={state.busy} onClick={() => void rotate()} data-testid="rotate-ui-token">
        {state.busy ? 'Rotating…' : 'Make a new token'}
      </button>
      {state.error && <div className="field-error" role="alert">{state.error}</div>}
    </section>
  );
}
