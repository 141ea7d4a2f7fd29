/**
 * The security headers on every answer that serves the renderer: the desktop's `cabine://app/` protocol
 * handler (electron/app-protocol.ts) and the web softphone's static server (scripts/lib/static-server.ts).
 * Electron security checklist item 7: https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy
 *
 * One policy for both; only `connect-src` differs. Nothing may be framed, no plugins, no inline script or
 * style. renderer/index.html carries the same policy as a meta tag (frame-ancestors works only as a header).
 */

/**
 * Where the renderer may connect. ws:/wss: because the SIP server is the user's choice (SIP over WebSocket,
 * RFC 7118), https: for the manager API. The web softphone also allows http:, for the local stack's
 * manager on loopback; the desktop app reaches managers over https only.
 */
export const desktopConnectSources = ["'self'", 'wss:', 'ws:', 'https:'] as const;
export const webConnectSources = ["'self'", 'ws:', 'wss:', 'http:', 'https:'] as const;

/** The renderer's Content-Security-Policy, allowing connections to `connectSources`. */
export const contentSecurityPolicyFor = (connectSources: readonly string[]): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src ${connectSources.join(' ')}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/** The headers besides the CSP: no MIME sniffing, no cross-origin opener, no referrer. */
export const baseSecurityHeaders: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};
