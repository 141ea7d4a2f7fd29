/**
 * The main window and the guards every web contents gets. Items refer to Electron's security checklist,
 * https://www.electronjs.org/docs/latest/tutorial/security.
 */
import type { App, BrowserWindow, BrowserWindowConstructorOptions, Event, WebContents, WebPreferences } from 'electron';
import { appEntryUrl, isAppOrigin } from './app-origin.js';
import type { OpenExternal } from './open-external.js';

/**
 * Web preferences of every window (the app and the add-funds window). Each line is a checklist item,
 * written out even where it is already Electron's default so that a change of default cannot weaken the app.
 */
export function lockedDownWebPreferences(): WebPreferences {
  return {
    // Item 3: context isolation keeps the page's JavaScript away from the preload's.
    contextIsolation: true,
    // Item 4: the renderer runs in Chromium's OS sandbox; the preload is CommonJS because of it
    // (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts).
    sandbox: true,
    // Item 2: no Node.js in the page or its workers.
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // Item 6: keep the same-origin policy.
    webSecurity: true,
    // Item 8: no http content inside the app's secure origin.
    allowRunningInsecureContent: false,
    // Item 9: no experimental web platform features.
    experimentalFeatures: false,
    // Items 11 and 12: <webview> is not needed, so it is not even available.
    webviewTag: false,
    // Item 10: blink features stay untouched (no enableBlinkFeatures key).
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** The app window's preferences: the locked-down set, its preload, and no background throttling. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    ...lockedDownWebPreferences(),
    preload: preloadPath,
    // The softphone must keep ringing and keep its SIP keep-alives on time while in the background.
    backgroundThrottling: false,
  };
}

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 420,
    height: 720,
    minWidth: 360,
    minHeight: 560,
    title: 'Cabine',
    // Shown once the first paint is ready, to avoid a white flash.
    show: false,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

type GuardedContents = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

/**
 * Guards one web contents: no new windows (item 14), no navigation away from the app's origin
 * (item 13), no `<webview>` (item 12). Links the page tries to open go through the one allowlisted
 * `openExternal`.
 */
export function hardenWebContents(contents: GuardedContents, openExternal: OpenExternal): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
  const keepInApp = (event: Pick<Event, 'preventDefault'>, url: string) => {
    if (!isAppOrigin(url)) {
      event.preventDefault();
      openExternal(url);
    }
  };
  contents.on('will-navigate', keepInApp);
  contents.on('will-redirect', keepInApp);
  contents.on('will-frame-navigate', (event) => {
    if (!isAppOrigin(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * Applies `hardenWebContents` to every web contents the app ever creates, including windows that do
 * not exist yet (the manager's add-funds window): the checklist's advice to guard at
 * `web-contents-created` (https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation).
 */
export function guardAllWebContents(
  app: Pick<App, 'on'>,
  openExternal: OpenExternal,
  /**
   * Contents that follow another navigation rule (the add-funds window, locked to the manager's origin
   * by add-funds-window.ts) are named here and left to that rule; every other contents stays in the app.
   */
  ownRule: (contents: WebContents) => boolean = () => false,
): void {
  app.on('web-contents-created', (_event, contents) => {
    if (!ownRule(contents)) hardenWebContents(contents, openExternal);
  });
}

export type BrowserWindowConstructor = new (options: BrowserWindowConstructorOptions) => BrowserWindow;

export interface MainWindowDeps {
  readonly BrowserWindow: BrowserWindowConstructor;
  readonly preloadPath: string;
  readonly log: (message: string) => void;
}

/** Creates the main window and loads the app from its own scheme (see app-protocol.ts). */
export function createMainWindow({ BrowserWindow, preloadPath, log }: MainWindowDeps): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath));
  window.once('ready-to-show', () => window.show());
  window.loadURL(appEntryUrl).catch((error: unknown) => log(`window: failed to load ${appEntryUrl}: ${String(error)}`));
  return window;
}

/** Brings the window to the front, restoring it from the dock or taskbar when minimized or hidden. */
export function focusWindow(window: Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus' | 'isDestroyed'> | null): void {
  if (window === null || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
