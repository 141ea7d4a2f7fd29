/**
 * The one way the app opens a link outside itself (Electron security checklist item 15, "Do not use
 * shell.openExternal with untrusted content":
 * https://www.electronjs.org/docs/latest/tutorial/security#15-do-not-use-shellopenexternal-with-untrusted-content).
 * Only https links to allowlisted hosts reach the OS; `file:`, `smb:`, custom schemes and the rest
 * would let a page start programs.
 */
import type { Shell } from 'electron';

/** Hosts the app may open in the user's browser: its own help and account pages. */
export const defaultExternalHosts: readonly string[] = ['cabine.app', 'www.cabine.app', 'help.cabine.app'];

export interface OpenExternalDeps {
  readonly shell: Pick<Shell, 'openExternal'>;
  readonly allowedHosts?: readonly string[];
  readonly log: (message: string) => void;
}

/** Whether `url` is an https link to one of `allowedHosts` (exact host match, default port only). */
export function isAllowedExternalUrl(url: string, allowedHosts: readonly string[] = defaultExternalHosts): boolean {
  if (url.length > 2048) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    allowedHosts.includes(parsed.hostname)
  );
}

/** Opens allowlisted links in the system browser; returns whether it did. */
export type OpenExternal = (url: string) => boolean;

export function createOpenExternal({ shell, allowedHosts = defaultExternalHosts, log }: OpenExternalDeps): OpenExternal {
  return (url) => {
    if (!isAllowedExternalUrl(url, allowedHosts)) {
      log(`open-external: refused ${JSON.stringify(url.slice(0, 200))}`);
      return false;
    }
    shell.openExternal(url).catch((error: unknown) => log(`open-external: failed: ${String(error)}`));
    return true;
  };
}
