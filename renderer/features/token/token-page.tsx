// The one full page shown when the browser has no token or a token the core refuses (stale bookmark,
// rotated elsewhere): what happened and the fix, instead of a half-rendered app with red banners.
import { useState } from 'react';
import { tokenFromPaste } from './token-paste';

export type TokenProblem = 'missing' | 'stale';

export function TokenPage({ problem }: { problem: TokenProblem }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const open = () => {
    const token = tokenFromPaste(value);
    if (!token) { setError('That is neither a token nor an address ending in ?token=…'); return; }
    const u = new URL(window.location.href);
    u.searchParams.set('token', token);
    window.location.replace(u.toString());
  };
  return (
    <main className="token-page" data-testid="token-page" data-problem={problem}>
      <div className="token-card">
        <h1>Hookscope</h1>
        <h2 data-testid="token-title">{problem === 'missing' ? 'This page needs its access token' : 'This access token is no longer valid'}</h2>
        <p>
          {problem === 'missing'
            ? <>The UI and its control API answer only with the token that <code>npm run serve</code> prints.</>
            : 'Hookscope refused the token in this address: it was rotated (Settings → UI token), or this address belongs to another data folder.'}
        </p>
        <h3>How to fix it</h3>
        <ol>
          <li>Open the address <code>npm run serve</code> printed on its <code>ui:</code> line — it ends with <code>?token=…</code>.</li>
          <li>The token is kept in the file <code>ui-token</code> in the data folder, so the same address keeps working after a restart; bookmark it.</li>
          <li>Or paste the token (or the whole address) here:</li>
        </ol>
        <form className="panel-row" onSubmit={(ev) => { ev.preventDefault(); open(); }}>
          <label className="sr-only" htmlFor="token-paste">Token or ui: address</label>
          <input id="token-paste" className="input grow" value={value} spellCheck={false} autoComplete="off"
            placeholder="http://127.0.0.1:4751/?token=…" onChange={(ev) => { setValue(ev.target.value); setError(null); }} data-testid="token-input" />
          <button type="submit" className="btn" data-testid="token-open">Open</button>
        </form>
        {error && <p className="field-error" role="alert">{error}</p>}
      </div>
    </main>
  );
}
