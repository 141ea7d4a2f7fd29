/**
 * Starts and stops the manager service (manager/src/main.ts) as a child process, for the local stack and the
 * tests: its own port, its SQLite database in a run dir, and the two secrets it shares with Kamailio
 * (`X-Cabine-Proxy-Secret` for the authorize/complete/release calls, the auth_ephemeral secret for SIP
 * credentials). Ready when `GET /healthz` answers 200: the HTTP server listens, the database is migrated and
 * the demo seed (when asked for) is written. Never outlives Node (deploy/child-process.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { isIP } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  assertTcpPortFree, failStart, notReadyReason, parseOptions, spawnOwned, stopOwned, waitForReady,
} from './child-process.js';

/** The manager's entry point in this repository. */
export const managerEntryFile = fileURLToPath(new URL('../manager/src/main.ts', import.meta.url));

/** Options of {@link startManager}. */
export interface ManagerOptions {
  /** Absolute directory for the SQLite database and the log; created if missing. */
  readonly runDir: string;
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** The SIP domain of the company (the demo company is seeded with it). */
  readonly sipDomain: string;
  /** Where the app's SIP stack connects (returned by /sip-config). */
  readonly sipWsUrl: string;
  /** Shared with Kamailio's http_client calls; generated when absent. */
  readonly proxySecret?: string;
  /** Shared with Kamailio's auth_ephemeral; generated when absent. */
  readonly sipSharedSecret?: string;
  /**
   * Seed the demo company (users 1001-1003, 25 EUR). Default true here, because this starts the local stack
   * and its tests; the manager's own default (CABINE_SEED_DEMO) is off, so it is always passed explicitly.
   */
  readonly seedDemo?: boolean;
  /** Extra environment (e.g. CABINE_MAX_CALL_SECONDS); wins over the derived values. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default `<runDir>/manager.log`. */
  readonly logFile?: string;
}

/** A running manager. */
export interface RunningManager {
  /** e.g. http://127.0.0.1:15000 */
  readonly url: string;
  readonly port: number;
  readonly proxySecret: string;
  readonly sipSharedSecret: string;
  readonly pid: number;
  /** False once the process has exited, whether it was stopped or it crashed. */
  readonly running: boolean;
  readonly logFile: string;
  /** SIGTERM, resolves once it has exited (SIGKILL to its group after a timeout). */
  stop(): Promise<void>;
  /** Starts it again on the same port and database (after stop(), or to restart). */
  restart(): Promise<void>;
}

const secret = z.string().min(16).max(256).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces or quotes').refine((value) => !/["'\\]/.test(value), 'no quotes or backslashes (it is written into the Kamailio config)');

const optionsSchema = z.object({
  runDir: z.string().refine(isAbsolute, 'must be an absolute path'),
  port: z.number().int().min(1).max(65535),
  host: z.string().refine((host) => isIP(host) !== 0, 'must be an IP address').default('127.0.0.1'),
  sipDomain: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name'),
  sipWsUrl: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL'),
  proxySecret: secret.optional(),
  sipSharedSecret: secret.optional(),
  seedDemo: z.boolean().default(true),
  env: z.record(z.string(), z.string()).default({}),
  logFile: z.string().refine(isAbsolute, 'must be an absolute path').optional(),
});

const startTimeoutMs = 30_000;

/** One GET; true on a 200. */
export const httpOk = (url: string, timeoutMs = 1_000): Promise<boolean> =>
  new Promise((resolve) => {
    const request = httpRequest(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
    request.end();
  });

/**
 * Starts the manager with SQLite in `runDir` and resolves once `/healthz` answers.
 *
 * @throws StackStartError for invalid options, a port in use, or a manager that exits or hangs at start-up.
 */
export async function startManager(options: ManagerOptions): Promise<RunningManager> {
  const valid = parseOptions(optionsSchema, options, 'manager');
  await mkdir(valid.runDir, { recursive: true });
  const proxySecret = valid.proxySecret ?? randomBytes(24).toString('base64url');
  const sipSharedSecret = valid.sipSharedSecret ?? randomBytes(24).toString('base64url');
  const logFile = valid.logFile ?? join(valid.runDir, 'manager.log');
  const url = `http://${valid.host}:${valid.port}`;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CABINE_MANAGER_HOST: valid.host,
    CABINE_MANAGER_PORT: String(valid.port),
    CABINE_MANAGER_DATA_DIR: join(valid.runDir, 'data'),
    CABINE_MANAGER_PUBLIC_URL: url,
    CABINE_SIP_DOMAIN: valid.sipDomain,
    CABINE_SIP_WS_URL: valid.sipWsUrl,
    CABINE_PROXY_SECRET: proxySecret,
    CABINE_SIP_SHARED_SECRET: sipSharedSecret,
    CABINE_SEED_DEMO: valid.seedDemo ? 'true' : 'false',
    // Plain HTTP on loopback: a Secure cookie would never come back.
    CABINE_COOKIE_SECURE: 'false',
    CABINE_LOG_LEVEL: 'info',
    ...valid.env,
  };
  // Never a PostgreSQL URL inherited from the developer's shell: the run dir's SQLite file is the point.
  if (valid.env['DATABASE_URL'] === undefined) {
    delete env['DATABASE_URL'];
  }

  const launch = async (): Promise<ChildProcess> => {
    await assertTcpPortFree(valid.host, valid.port, 'manager HTTP');
    // `node --import tsx`: one process (the tsx CLI would add a second one that pdeathsig does not cover).
    const child = await spawnOwned({
      command: process.execPath,
      args: ['--import', 'tsx', managerEntryFile],
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      logFile,
      env,
    });
    const outcome = await waitForReady(child, () => httpOk(`${url}/healthz`), startTimeoutMs, 50);
    if (outcome !== 'ready') {
      return failStart(child, 'manager', notReadyReason(child, outcome, `did not answer ${url}/healthz within ${startTimeoutMs} ms`), logFile);
    }
    return child;
  };

  let child = await launch();
  return {
    url,
    port: valid.port,
    proxySecret,
    sipSharedSecret,
    get pid(): number {
      return child.pid ?? -1;
    },
    get running(): boolean {
      return child.exitCode === null && child.signalCode === null;
    },
    logFile,
    async stop(): Promise<void> {
      await stopOwned(child);
    },
    async restart(): Promise<void> {
      await stopOwned(child);
      child = await launch();
    },
  };
}
