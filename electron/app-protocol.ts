/**
 * Serves the renderer (`dist/renderer`) from `cabine://app/`, a privileged standard + secure scheme,
 * with a Content-Security-Policy header on every response
 * (https://www.electronjs.org/docs/latest/api/protocol#protocolhandlescheme-handler,
 * checklist item 7, https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy).
 */
import type { Protocol } from 'electron';
import { extname, relative, resolve, sep } from 'node:path';
import { appHost, appScheme } from './app-origin.js';

/**
 * The renderer's CSP. `connect-src` allows ws:/wss: because the SIP server is the user's choice (SIP over
 * WebSocket, RFC 7118) and https: for the manager API; nothing may be framed, no plugins, no inline script.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self' wss: ws: https:",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Privileges of the app scheme; must be registered before the app is ready. */
export const appSchemePrivileges = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
} as const;

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.webmanifest': 'application/manifest+json',
};

const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/**
 * The file under `root` that `requestUrl` names, or null when it names something outside the app
 * (another host, `..` traversal, encoded separators).
 */
export function resolveAppFile(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${appScheme}:` || url.host.toLowerCase() !== appHost) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const wanted = pathname === '/' || pathname === '' ? '/index.html' : pathname;
  const rootPath = resolve(root);
  const file = resolve(rootPath, `.${wanted}`);
  const inside = relative(rootPath, file);
  if (inside === '' || inside.startsWith('..') || inside.startsWith(sep)) return null;
  return file;
}

export interface AppProtocolDeps {
  readonly root: string;
  readonly readFile: (path: string) => Promise<Uint8Array<ArrayBuffer>>;
}

/** The `protocol.handle` handler: GET only, files under `root` only, CSP on every answer. */
export function createAppRequestHandler({ root, readFile }: AppProtocolDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers: securityHeaders });
    }
    const file = resolveAppFile(root, request.url);
    if (file === null) return new Response('Not found', { status: 404, headers: securityHeaders });
    try {
      const body = await readFile(file);
      const type = contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: { ...securityHeaders, 'Content-Type': type },
      });
    } catch {
      return new Response('Not found', { status: 404, headers: securityHeaders });
    }
  };
}

/** Registers the scheme's privileges; call before `app` is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([appSchemePrivileges]);
}

/** Starts serving the renderer; call once `app` is ready. */
export function serveApp(protocol: Pick<Protocol, 'handle'>, deps: AppProtocolDeps): void {
  protocol.handle(appScheme, createAppRequestHandler(deps));
}
