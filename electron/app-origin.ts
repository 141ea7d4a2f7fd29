/**
 * The app's own origin. The renderer is served from a privileged custom scheme rather than `file://`,
 * so it has a real origin that permission, navigation and IPC checks can compare against
 * (https://www.electronjs.org/docs/latest/tutorial/security#18-avoid-usage-of-the-file-protocol-and-prefer-usage-of-custom-protocols).
 */

export const appScheme = 'cabine';
export const appHost = 'app';
/** What Chromium reports as the origin of the app's pages (a standard scheme has a host-based origin). */
export const appOrigin = `${appScheme}://${appHost}`;
export const appEntryUrl = `${appOrigin}/index.html`;

/**
 * Whether `urlOrOrigin` (a full URL or a bare origin) belongs to the app's origin.
 * Compares scheme and host by hand: Node's WHATWG `URL#origin` is "null" for non-special schemes.
 */
export function isAppOrigin(urlOrOrigin: string | undefined | null): boolean {
  if (typeof urlOrOrigin !== 'string' || urlOrOrigin.length === 0) return false;
  let url: URL;
  try {
    url = new URL(urlOrOrigin);
  } catch {
    return false;
  }
  return url.protocol === `${appScheme}:` && url.host.toLowerCase() === appHost && url.username === '' && url.password === '';
}
