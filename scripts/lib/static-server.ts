import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { contentTypes } from '../../shared/web/content-types.js';
import { baseSecurityHeaders, contentSecurityPolicyFor, webConnectSources } from '../../shared/web/security-headers.js';

/** A running static web server for the built renderer (the web softphone). */
export interface StaticServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** Folder to serve (the renderer's build output). */
  readonly root: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Served as `/cabine-config.json`: defaults the page reads at start (server URL, domain, manager URL). */
  readonly runtimeConfig?: Readonly<Record<string, unknown>>;
}

/**
 * The desktop shell's policy (shared/web/security-headers.ts), with http: allowed for the local stack's
 * manager; microphone for this origin only.
 */
const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicyFor(webConnectSources),
  ...baseSecurityHeaders,
  'Permissions-Policy': 'camera=(), geolocation=(), microphone=(self)',
};

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { ...securityHeaders, 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** Serves `root` on loopback. GET and HEAD only; paths cannot leave `root`; unknown paths are 404. */
export function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const root = resolve(options.root);
  const host = options.host ?? '127.0.0.1';
  const runtimeConfig = JSON.stringify(options.runtimeConfig ?? {});

  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'Method not allowed');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      send(res, 400, 'Bad request');
      return;
    }
    if (pathname === '/cabine-config.json') {
      send(res, 200, runtimeConfig, contentTypes['.json']);
      return;
    }
    const relative = pathname === '/' ? 'index.html' : pathname.replace(/^\/+/, '');
    const file = normalize(join(root, relative));
    if (file !== root && !file.startsWith(root + sep)) {
      send(res, 403, 'Forbidden');
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) {
          send(res, 404, 'Not found');
          return;
        }
        res.writeHead(200, {
          ...securityHeaders,
          'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
          'Content-Length': info.size,
          'Cache-Control': relative === 'index.html' ? 'no-store' : 'public, max-age=3600',
        });
        if (req.method === 'HEAD') res.end();
        else createReadStream(file).pipe(res);
      },
      () => send(res, 404, 'Not found'),
    );
  });

  return new Promise((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${options.port} on ${host} is in use: set CABINE_WEB_PORT to another port`)
          : error,
      );
    });
    server.listen(options.port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({
        port,
        url: `http://${host}:${port}/`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
