// Where the secrets are kept, said where they are entered: when they will not survive a restart (no OS
// keychain) the user is told so and chooses between memory and a plain file only they can read; secrets
// this mode cannot read (the desktop app encrypted them, seen from serve) are named.
import { useState } from 'react';
import type { SecretStorageInfo } from '../../../shared/types';
import { useApp, useAppStore } from '../../state/hooks';

const LABELS: Record<SecretStorageInfo['unreadable'][number], string> = {
  metaAppSecret: 'Meta app secret', metaVerifyToken: 'verify token', twilioAuthToken: 'Twilio auth token', ngrokAuthtoken: 'ngrok authtoken',
};

export function SecretStorageNotice() {
  const store = useAppStore();
  const info = useApp((s) => s.settings?.secretStorage ?? null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!info) return null;
  const choose = async (choice: 'memory' | 'plain-file') => {
    setBusy(true);
    const r = await store.getState().updateSettings({ secretStorage: choice });
    setBusy(false);
    setError(r.ok ? null : r.error);
  };
  return (
    <>
      {!info.persistent && info.kind === 'memory' && (
        <div className="notice notice-error" role="status" data-testid="secret-storage-memory">
          <strong>Secrets will not survive a restart.</strong> This computer has no usable keychain (on Linux: no Secret
          Service such as GNOME Keyring or KWallet is running), so secrets are kept in memory only.
          {info.canChoosePlainFile && (
            <div className="panel-row">
              <button type="button" className="btn btn-xs" disabled={busy} onClick={() => void choose('plain-file')} data-testid="secret-storage-plain-file">
                Store them in a file only I can read (not encrypted)
              </button>
              <span className="muted small">or keep them in memory and enter them again after each start.</span>
            </div>
          )}
        </div>
      )}
      {info.kind === 'file' && info.canChoosePlainFile && (
        <div className="notice" data-testid="secret-storage-plain">
          Secrets are stored unencrypted in a file only your user can read (no keychain available).
          <div className="panel-row">
            <button type="button" className="btn btn-xs btn-ghost" disabled={busy} onClick={() => void choose('memory')} data-testid="secret-storage-memory-choice">
              Keep them in memory only
            </button>
          </div>
        </div>
      )}
      {info.unreadable.length > 0 && (
        <div className="notice" data-testid="secret-storage-unreadable">
          Stored but unreadable here: {info.unreadable.map((n) => LABELS[n]).join(', ')} (encrypted by the Hookscope desktop app or another
          keychain). Enter {info.unreadable.length > 1 ? 'them' : 'it'} again to use {info.unreadable.length > 1 ? 'them' : 'it'} here.
        </div>
      )}
      {info.problem && <div className="notice notice-error" role="alert" data-testid="secret-storage-problem">{info.problem}</div>}
      {error && <div className="field-error" role="alert">{error}</div>}
    </>
  );
}
