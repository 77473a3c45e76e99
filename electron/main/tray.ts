// Tray icon and menu: where webhooks arrive (receiver address) and whether the public tunnel is up, readable
// without opening the window. The icon is a tiny PNG embedded here so the tray needs no asset file.
import { clipboard, Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import type { ReceiverInfo, TunnelState } from '../../shared/types';
import type { Logger } from '../core/types';

// 16×16 green dot.
const ICON_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAaUlEQVR42q2TsQ0AIQhFnYSOzQi7ON/fhuau4RJi8Ixi8Rrif4piY2irkBWJoZ2hYKg58BqtBOKBZ4L5mlQgP8ERGQW02Dk7CUVB3wh/9CjAgQBRYAcCuyoot1C+xPIzlgfpyihf+UzbvK+D+CTEdGJaAAAAAElFTkSuQmCC';

export interface TrayOptions {
  receiver: ReceiverInfo | null;
  tunnel: TunnelState | null;
  showWindow: () => void;
  quit: () => void;
  logger: Logger;
}

export interface AppTray {
  update(state: { receiver?: ReceiverInfo | null; tunnel?: TunnelState | null }): void;
  destroy(): void;
}

export function tunnelLabel(t: TunnelState | null): string {
  if (!t || t.state === 'off') return 'Tunnel: off';
  if (t.state === 'online') return `Tunnel: ${t.url ?? 'online'}`;
  if (t.state === 'connecting') return 'Tunnel: connecting…';
  return `Tunnel: error${t.message ? ` (${t.message.slice(0, 80)})` : ''}`;
}

export function createTray(opts: TrayOptions): AppTray | null {
  let tray: Tray;
  try {
    tray = new Tray(nativeImage.createFromDataURL(ICON_DATA_URL));
  } catch (err) {
    // Some Linux desktops have no status area; the app works without a tray.
    opts.logger.warn('tray is not available', { error: String(err) });
    return null;
  }
  let receiver = opts.receiver;
  let tunnel = opts.tunnel;

  const render = () => {
    const template: MenuItemConstructorOptions[] = [
      { label: `Receiver: ${receiver?.url ?? 'not running'}`, enabled: false },
      { label: tunnelLabel(tunnel), enabled: false },
      ...(tunnel?.state === 'online' && tunnel.url
        ? [{ label: 'Copy tunnel URL', click: () => clipboard.writeText(tunnel?.url ?? '') }]
        : []),
      { type: 'separator' },
      { label: 'Show Hookscope', click: opts.showWindow },
      { label: 'Quit', click: opts.quit },
    ];
    tray.setContextMenu(Menu.buildFromTemplate(template));
    tray.setToolTip(`Hookscope — ${receiver?.url ?? 'receiver not running'} — ${tunnelLabel(tunnel)}`);
  };
  render();
  tray.on('click', opts.showWindow);

  return {
    update(state) {
      if (state.receiver !== undefined) receiver = state.receiver;
      if (state.tunnel !== undefined) tunnel = state.tunnel;
      render();
    },
    destroy() { tray.destroy(); },
  };
}
