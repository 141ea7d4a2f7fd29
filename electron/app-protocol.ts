/**
 * Serves the renderer (`dist/renderer`) from `cabine://app/`, a privileged standard + secure scheme,
 * with a Content-Security-Policy header on every response
 * (https://www.electronjs.org/docs/latest/api/protocol#protocolhandlescheme-handler,
 * checklist item 7, https://www.electronjs.org/docs/latest/tutorial/security#7-define-a-content-security-policy).
 */
import type { Protocol } from 'electron';
import { extname, relative, resolve, sep } from 'node:path';
import { contentTypes } from '../shared/web/content-types.js';
import { baseSecurityHeaders, contentSecurityPolicyFor, desktopConnectSources } from '../shared/web/security-headers.js';
import { appHost, appScheme } from './app-origin.js';

/** The renderer's CSP (shared/web/security-headers.ts); the desktop connects to managers over https only. */
export const contentSecurityPolicy = contentSecurityPolicyFor(desktopConnectSources);

/** Privileges of the app scheme; must be registered before the app is ready. */
export const appSchemePrivileges = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
} as const;

const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  ...baseSecurityHeaders,
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
