/**
 * tel:, sip: and callto: links. The app registers as their handler, and a link reaches it three ways
 * (https://www.electronjs.org/docs/latest/tutorial/launch-app-from-url-in-another-app):
 * - Windows and Linux, app not running: in this process's argv;
 * - Windows and Linux, app running: the second instance's argv through `second-instance`;
 * - macOS: the `open-url` event (registered before `ready`, or a launching link is lost).
 * Every link goes through `parseTelLink`; only its dialable result reaches the renderer.
 */
import type { App } from 'electron';
import { parseTelLink } from '../shared/ipc/parse-tel-link.js';

export const linkSchemes = ['tel', 'sip', 'callto'] as const;

/** At most this many argv entries are examined: argv comes from whoever started the second instance. */
const maxArgvEntries = 64;

/**
 * The dialable number in a process's argv, or null. Chromium switches (`--x`) are skipped, and only
 * entries that start with one of our schemes are considered, the last one winning.
 */
export function dialableFromArgv(argv: readonly string[]): string | null {
  const candidates = argv
    .slice(0, maxArgvEntries)
    .filter((arg) => typeof arg === 'string' && !arg.startsWith('-') && /^(tel|sip|callto):/i.test(arg));
  for (const arg of candidates.reverse()) {
    const dialable = parseTelLink(arg);
    if (dialable !== null) return dialable;
  }
  return null;
}

export interface LinkRouterDeps {
  /** Forwards the number to the renderer as a dial request. */
  readonly dial: (number: string) => void;
  readonly focusWindow: () => void;
  readonly log: (message: string) => void;
}

export interface LinkRouter {
  handleUrl(url: string): void;
  handleArgv(argv: readonly string[]): void;
}

export function createLinkRouter({ dial, focusWindow, log }: LinkRouterDeps): LinkRouter {
  const forward = (number: string | null) => {
    if (number === null) return;
    dial(number);
    focusWindow();
  };
  return {
    handleUrl(url) {
      const number = parseTelLink(url);
      if (number === null) log('protocol-links: ignored a link that is not a dialable tel:, sip: or callto: link');
      forward(number);
    },
    handleArgv(argv) {
      forward(dialableFromArgv(argv));
    },
  };
}

type LinkApp = Pick<App, 'on' | 'setAsDefaultProtocolClient'>;

export interface ProtocolClientOptions {
  readonly isPackaged: boolean;
  readonly execPath: string;
  /** The script Electron was started with in development (`process.argv[1]`). */
  readonly entryScript: string | undefined;
}

/**
 * Asks the OS to send tel:/sip:/callto: links to this app. In development the OS must start Electron with
 * the app's entry script, hence the extra arguments
 * (https://www.electronjs.org/docs/latest/api/app#appsetasdefaultprotocolclientprotocol-path-args).
 * Packaged builds also declare the schemes in electron-builder.yml (Info.plist, .desktop MimeType).
 */
export function registerProtocolClients(app: Pick<App, 'setAsDefaultProtocolClient'>, options: ProtocolClientOptions): void {
  for (const scheme of linkSchemes) {
    if (options.isPackaged || options.entryScript === undefined) app.setAsDefaultProtocolClient(scheme);
    else app.setAsDefaultProtocolClient(scheme, options.execPath, [options.entryScript]);
  }
}

/** Subscribes the router to `second-instance` and `open-url`; call before `ready`. */
export function listenForLinks(app: LinkApp, router: LinkRouter): void {
  app.on('second-instance', (_event, argv) => router.handleArgv(argv));
  app.on('open-url', (event, url) => {
    event.preventDefault();
    router.handleUrl(url);
  });
}
