import type { AppInfo } from '../../../shared/ipc';
import type { SettingsView, TunnelState } from '../../../shared/types';

/** The base URL a provider should call: the live tunnel, else the configured public URL, else the local receiver. */
export function callbackBase(tunnel: TunnelState | null, settings: SettingsView | null, info: AppInfo | null): { url: string | null; source: 'tunnel' | 'public' | 'local' | 'none' } {
  if (tunnel?.state === 'online' && tunnel.url) return { url: trimSlash(tunnel.url), source: 'tunnel' };
  if (settings?.publicUrl) return { url: trimSlash(settings.publicUrl), source: 'public' };
  if (info?.receiver.url) return { url: trimSlash(info.receiver.url), source: 'local' };
  return { url: null, source: 'none' };
}

function trimSlash(u: string) {
  return u.replace(/\/+$/, '');
}
