import type { HostBridge } from '../../../shared/host/host-bridge.js';
import { createBrowserHost, type BrowserHostBridge } from './browser-host.js';
import { createWebManagerLink } from './web-manager-link.js';

declare global {
  interface Window {
    /** The Electron preload's implementation of the host bridge (electron/preload.ts). */
    readonly cabine?: HostBridge;
  }
}

export interface PickHostOptions {
  /** Localised notification text for an incoming call. */
  readonly incomingCallText: (from: string) => { readonly title: string; readonly body: string };
}

/** The desktop shell's bridge when the preload exposed one, else the web host. */
export function pickHost(options: PickHostOptions): HostBridge | BrowserHostBridge {
  if (window.cabine !== undefined) return window.cabine;
  const manager = createWebManagerLink({
    fetch: (url, init) => fetch(url, { ...init, credentials: 'omit', cache: 'no-store' }),
    wait: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
    openTab: (url) => void window.open(url, '_blank', 'noopener,noreferrer'),
  });
  return createBrowserHost({
    storage: window.localStorage,
    events: window,
    notify(call, onClick) {
      if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
      const text = options.incomingCallText(call.from);
      const notification = new Notification(text.title, { body: text.body, tag: call.callId });
      notification.onclick = () => {
        window.focus();
        onClick();
        notification.close();
      };
    },
    showIndicator(state) {
      document.documentElement.dataset['registration'] = state;
    },
  }, manager);
}

export function isBrowserHost(host: HostBridge): host is BrowserHostBridge {
  return host.kind === 'web' && 'rememberedAccount' in host;
}
