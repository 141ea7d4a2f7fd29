/**
 * The one rule for a SIP-over-WebSocket server address (RFC 7118), shared by the app's sign-in forms, its
 * runtime config, the manager's SIP settings and the proxy's deployment: `wss://` always, `ws://` only to
 * this machine. Over plain `ws://` anyone on the path reads the digest exchange and the calls' signalling,
 * and can rewrite the SDP (media to their own address) or the dialled numbers; on loopback there is no path.
 *
 * Parsed by hand rather than with `URL` (shared/ has no DOM or Node). The parse is deliberately narrower
 * than WHATWG's, so that nothing it calls loopback can mean another host to the browser: no user info
 * (`ws://127.0.0.1@evil.example`), no backslash (a slash to WHATWG in `ws:` URLs), no percent-encoding
 * in the host, IPv4 only as four plain decimal numbers (WHATWG reads `0127.0.0.1` as octal 87.0.0.1).
 */

/** `ok`, or why not: `malformed` (not a ws:// or wss:// URL we accept), `insecure` (ws:// to another host). */
export type SipServerUrlCheck = 'ok' | 'malformed' | 'insecure';

const urlPattern = /^(wss?):\/\/([^/?#\s]+)(\/[^\s#]*)?$/;
const hostAndPortPattern = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;
const maxLength = 512;

/** Checks a SIP WebSocket server address: `wss://host[:port][/path]`, or `ws://` to a loopback host. */
export function checkSipServerUrl(url: string): SipServerUrlCheck {
  if (url.length > maxLength || url.includes('\\')) return 'malformed';
  const match = urlPattern.exec(url);
  if (match === null) return 'malformed';
  const [, scheme, authority = ''] = match;
  const hostAndPort = hostAndPortPattern.exec(authority);
  if (hostAndPort === null) return 'malformed';
  const [, host = '', port] = hostAndPort;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return 'malformed';
  if (host.startsWith('[') && parseIpv6(host.slice(1, -1)) === null) return 'malformed';
  if (host.startsWith('.') || host.endsWith('..') || host.includes('..')) return 'malformed';
  if (scheme === 'wss') return 'ok';
  return isLoopbackHost(host) ? 'ok' : 'insecure';
}

/**
 * True for the hosts that are this machine whoever resolves them: `localhost` (RFC 6761 6.3), 127.0.0.0/8
 * written as a dotted quad, and `[::1]` in any spelling. IPv6 with an embedded IPv4 part (`[::ffff:127.0.0.1]`)
 * is not parsed at all (checkSipServerUrl calls it malformed): rarely meant, not worth a second parser.
 */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === 'localhost.') return true;
  if (lower.startsWith('[') && lower.endsWith(']')) {
    const groups = parseIpv6(lower.slice(1, -1));
    return groups !== null && groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
  }
  const octets = lower.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) <= 255);
}

/** The eight 16-bit groups of a plain IPv6 address (hex groups, at most one `::`), or null. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? groups.map((g) => parseInt(g, 16)) : null;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}
