// Settings → Team server (desktop only): show a team server's history live instead of this computer's
// own, with a personal token from its admin (README "Run a team server"). The token goes to main, which
// checks it with the server and keeps it in the OS keychain; this page never reads it back.
import { useEffect, useState } from 'react';
import { useApp, useAppStore } from '../../state/hooks';

export function TeamServerSection() {
  const store = useAppStore();
  const can = useApp((s) => s.canConnectTeamServer);
  const view = useApp((s) => s.teamServer);
  const connection = useApp((s) => s.connection);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [state, setState] = useState<{ busy: boolean; error: string | null; done: string | null }>({ busy: false, error: null, done: null });
  useEffect(() => { if (can) void store.getState().loadTeamServer(); }, [can, store]);
  if (!can || !view) return null;

  const connect = async () => {
    setState({ busy: true, error: null, done: null });
    const r = await store.getState().connectTeamServer(url, token);
    setToken('');
    if ('error' in r) { setState({ busy: false, error: r.error, done: null }); return; }
    const who = r.view.identity;
    setState({ busy: true, error: null, done: `Connected${who?.name ? ` as ${who.name}` : ''} (${who?.role ?? 'viewer'}). Hookscope restarts to show the team server…` });
  };
  const disconnect = async () => {
    setState({ busy: true, error: null, done: null });
    const r = await store.getState().disconnectTeamServer();
    if ('error' in r) { setState({ busy: false, error: r.error, done: null }); return; }
    setState({ busy: true, error: null, done: 'Hookscope restarts with this computer\'s own receiver…' });
  };

  return (
    <section className="panel-section" data-testid="team-server">
      <h3 className="section-title">Team server</h3>
      {view.mode === 'remote' ? (
        <>
          <p data-testid="team-server-current">
            This window shows the team server <code>{view.url}</code>
            {connection === 'open' ? ' (connected).' : ' (reconnecting…).'} Its receiver, rules and history are shared; your token is kept in this
            computer's keychain.
          </p>
          <button type="button" className="btn btn-xs" disabled={state.busy} onClick={() => void disconnect()} data-testid="team-server-disconnect">
            Use this computer's own receiver instead
          </button>
        </>
      ) : (
        <form onSubmit={(ev) => { ev.preventDefault(); void connect(); }} data-testid="team-server-form">
          <p className="muted small">
            Show a shared Hookscope (<code>npm run serve -- --ui-host …</code>) instead of this computer's own receiver. Ask its admin for
            your token (<code>tokens add NAME --role viewer</code>).
          </p>
          {!view.canKeepToken && (
            <p className="notice" data-testid="team-server-no-keychain">This computer has no keychain: store secrets in a file (above) first, or the token would be lost at the restart.</p>
          )}
          <label className="form-row">
            <span>Address</span>
            <input type="url" value={url} onChange={(ev) => setUrl(ev.target.value)} placeholder="https://hooks.team.example" required data-testid="team-server-url" />
          </label>
          <label className="form-row">
            <span>Your token</span>
            <input type="password" value={token} onChange={(ev) => setToken(ev.target.value)} autoComplete="off" required data-testid="team-server-token" />
          </label>
          <button type="submit" className="btn btn-xs" disabled={state.busy || !url || !token} data-testid="team-server-connect">Connect</button>
        </form>
      )}
      {state.error && <p className="field-error" role="alert" data-testid="team-server-error">{state.error}</p>}
      {state.done && <p className="muted small" role="status" data-testid="team-server-done">{state.done}</p>}
    </section>
  );
}
