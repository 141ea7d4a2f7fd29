/**
 * The add-funds window: the manager's own add-funds page, opened already signed in through a one-time
 * hand-off code, in a window of its own. It is a browser for one origin and nothing else:
 * - its own session partition (`persist:add-funds`): the manager's cookies never mix with the app's
 *   session, and `denyAllPermissions` (permissions.ts) refuses every device and notification;
 * - sandboxed, context-isolated, no preload and no Node: the page gets no bridge to the app;
 * - navigation and redirects limited to the manager's origin, new windows denied
 *   (https://www.electronjs.org/docs/latest/tutorial/security#13-disable-or-limit-navigation).
 * When the page reaches its receipt, `onPurchaseCompleted` runs; the user closes the window when done.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Event, WebContents } from 'electron';
import { addFundsPartition } from './permissions.js';
import { lockedDownWebPreferences, type BrowserWindowConstructor } from './window.js';

/** The window's options; exported so tests can assert every flag. */
export function addFundsWindowOptions(title: string): BrowserWindowConstructorOptions {
  return {
    width: 520,
    height: 680,
    minWidth: 360,
    minHeight: 480,
    title,
    autoHideMenuBar: true,
    show: false,
    // The app's locked-down set, no preload (the manager's page gets no bridge), its own session.
    webPreferences: { ...lockedDownWebPreferences(), partition: addFundsPartition },
  };
}

/** The manager's receipt page after a purchase: `/prepaid/receipts/<id>?new=1` (manager web routes). */
export function isPurchaseReceiptUrl(url: string, origin: string): boolean {
  if (!url.startsWith(`${origin}/`)) return false;
  const rest = url.slice(origin.length);
  return /^\/prepaid\/receipts\/[A-Za-z0-9_-]{1,64}\?(?:[^#]*&)?new=1(?:[&#]|$)/.test(rest);
}

type GuardedContents = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

/** Keeps one web contents on the manager's origin: no new windows, no navigation or redirect elsewhere. */
export function lockToOrigin(contents: GuardedContents, allows: (url: string) => boolean, log: (message: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    log(`add-funds: refused a new window for ${JSON.stringify(url.slice(0, 200))}`);
    return { action: 'deny' };
  });
  const keep = (event: Pick<Event, 'preventDefault'>, url: string): void => {
    if (!allows(url)) {
      event.preventDefault();
      log(`add-funds: refused navigation to ${JSON.stringify(url.slice(0, 200))}`);
    }
  };
  contents.on('will-navigate', keep);
  contents.on('will-redirect', keep);
  contents.on('will-frame-navigate', (event) => {
    if (!allows(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export interface AddFundsWindowDeps {
  readonly BrowserWindow: BrowserWindowConstructor;
  /** Whether a URL is on the manager's origin (asked on every navigation: the origin can change on re-sign-in). */
  readonly allows: (url: string) => boolean;
  readonly title: () => string;
  readonly onPurchaseCompleted: () => void;
  readonly log: (message: string) => void;
}

export interface AddFundsWindows {
  /** Opens the window on `url`, or reuses and focuses the one already open. */
  open(url: string, origin: string): void;
  close(): void;
}

export function createAddFundsWindows(deps: AddFundsWindowDeps): AddFundsWindows {
  let window: BrowserWindow | null = null;

  return {
    open(url, origin) {
      if (!deps.allows(url)) {
        deps.log('add-funds: refused to open a URL outside the manager origin');
        return;
      }
      if (window === null || window.isDestroyed()) {
        const created = new deps.BrowserWindow(addFundsWindowOptions(deps.title()));
        lockToOrigin(created.webContents, deps.allows, deps.log);
        created.webContents.on('did-navigate', (_event, landed) => {
          if (isPurchaseReceiptUrl(landed, origin)) deps.onPurchaseCompleted();
        });
        created.once('ready-to-show', () => created.show());
        created.on('closed', () => {
          if (window === created) window = null;
        });
        window = created;
      } else {
        window.focus();
      }
      window.loadURL(url).catch((error: unknown) => deps.log(`add-funds: failed to load the manager page: ${String(error)}`));
    },
    close() {
      if (window !== null && !window.isDestroyed()) window.close();
      window = null;
    },
  };
}
