/**
 * The manager's address as the user types it ("https://manager.example.fr", "127.0.0.1:15000") reduced to
 * an origin. Only http(s), no credentials: the app appends the API paths itself, and the origin is what the
 * add-funds window is locked to. Plain http is accepted for loopback addresses only.
 *
 * Parsed with a pattern rather than `URL`, because shared/ runs without DOM or Node globals; the grammar is
 * the subset of RFC 3986 authority syntax a manager address needs (host name, IPv4, bracketed IPv6, port).
 */
export type ManagerUrlResult = { readonly ok: true; readonly origin: string } | { readonly ok: false; readonly reason: 'invalid' | 'insecure' };

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);
const addressPattern = /^(?:(https?):\/\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?(?:[/?#].*)?$/i;

export function parseManagerUrl(input: string): ManagerUrlResult {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > 2048) return { ok: false, reason: 'invalid' };
  const match = addressPattern.exec(trimmed);
  if (match === null) return { ok: false, reason: 'invalid' };
  const scheme = (match[1] ?? 'https').toLowerCase();
  const host = (match[2] ?? '').toLowerCase();
  const port = match[3];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return { ok: false, reason: 'invalid' };
  if (scheme === 'http' && !loopbackHosts.has(host)) return { ok: false, reason: 'insecure' };
  const defaultPort = scheme === 'https' ? '443' : '80';
  const portPart = port === undefined || String(Number(port)) === defaultPort ? '' : `:${String(Number(port))}`;
  return { ok: true, origin: `${scheme}://${host}${portPart}` };
}

/** Whether `url` (absolute) is on exactly `origin` (scheme, host and port). */
export function isOnOrigin(url: string, origin: string): boolean {
  const parsed = parseManagerUrl(url);
  if (!parsed.ok || parsed.origin !== origin) return false;
  // parseManagerUrl defaults a missing scheme to https; an absolute URL must say it.
  return /^https?:\/\//i.test(url.trim());
}
