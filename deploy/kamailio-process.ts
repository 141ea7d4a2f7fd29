/**
 * Starts and stops a Kamailio SIP server as a child process, for development, tests and `npm run stack`.
 *
 * Each server lives in its own run dir (config, subscriber table, pid file, control socket, log), so several
 * can run side by side on different ports. Kamailio runs in the foreground (`-DD -E`), in its own process
 * group, and never outlives the Node process that started it:
 *   - on a normal exit of Node, a process 'exit' handler sends it SIGTERM;
 *   - when Node dies any other way (SIGKILL, crash, an unhandled signal), the kernel sends it SIGTERM: it is
 *     started through `setpriv --pdeathsig SIGTERM` (util-linux), which sets PR_SET_PDEATHSIG before exec.
 * On SIGTERM the Kamailio main process stops its workers itself (~2 s). If it has not exited after
 * `stopTimeoutMs`, stop() kills the whole process group with SIGKILL. All of this is deploy/child-process.ts,
 * shared with the other processes of the stack.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { request as httpRequest } from 'node:http';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { emergencyNumbersFor } from '../shared/numbering/emergency-numbers.js';
import { extensionRegexFor } from '../shared/numbering/extension-range.js';
import {
  StackStartError, assertTcpPortFree, assertUdpPortFree, exited, failStart, notReadyReason, parseOptions, requireExecutable,
  spawnOwned, stopOwned, waitForReady,
} from './child-process.js';
import {
  defaultGuard, renderKamailioConfig, sipHost, type BillingConfig, type GuardConfig, type RenderedKamailioConfig,
  type TrunkConfig,
} from './kamailio-config.js';

const execFileAsync = promisify(execFile);

/** Options of {@link startKamailio}. */
export interface KamailioOptions {
  /** Absolute directory for everything this server writes; created if missing. */
  readonly runDir: string;
  /** SIP over WebSocket (ws) port. */
  readonly wsPort: number;
  /** SIP over UDP port. */
  readonly udpPort: number;
  /** SIP over secure WebSocket (wss) port; wss is off when absent. */
  readonly wssPort?: number;
  /** wss certificate chain (leaf first) and key, PEM; absent: a self-signed certificate is generated. */
  readonly tlsCertificate?: { readonly chainFile: string; readonly keyFile: string };
  /**
   * The default SIP domain (its accounts' digest realm). The server serves every company's domain: this one,
   * the static accounts' and any the manager names (docs/sip-server.md, "Several companies on one server").
   */
  readonly domain: string;
  /** Static accounts allowed to register and call, each in its `domain` (default: `domain`). */
  readonly users: readonly { readonly username: string; readonly password: string; readonly domain?: string }[];
  /** Address to listen on; default 127.0.0.1. */
  readonly listenHost?: string;
  /** Where Kamailio's log goes (appended); default `<runDir>/kamailio.log`. */
  readonly logFile?: string;
  /** Secret shared with the manager for auth_ephemeral credentials; random when absent (no such users). */
  readonly ephemeralSecret?: string;
  /** The manager to authorize and charge calls to the phone network; absent: such calls get 503. */
  readonly billing?: BillingConfig;
  /** The carrier trunk; absent: calls outside the company get 403 (and emergency calls 503). */
  readonly trunk?: TrunkConfig;
  /** rtpengine's ng socket (`udp:127.0.0.1:<port>`); absent: no media relay. */
  readonly rtpengineSocket?: string;
  /**
   * Anchor every call's media at rtpengine, WebRTC to WebRTC too (default false: browsers talk directly,
   * with STUN/TURN). Needs rtpengineSocket. docs/sip-server.md, "NAT traversal".
   */
  readonly relayAllMedia?: boolean;
  /** ISO country whose emergency short codes are routed first (shared/numbering); default FR. */
  readonly emergencyCountry?: string;
  /** Paid calls one user may start per minute; default 10. */
  readonly paidCallsPerMinute?: number;
  /** Lockouts, bans and allowed WebSocket origins; production defaults ({@link defaultGuard}) when absent. */
  readonly guard?: Partial<GuardConfig>;
}

/** A running Kamailio. */
export interface RunningKamailio {
  /** e.g. ws://127.0.0.1:15080 */
  readonly wsUrl: string;
  /** e.g. wss://127.0.0.1:15443, when wss is on. */
  readonly wssUrl?: string;
  readonly udpPort: number;
  /** Pid of the Kamailio main process (changes on restart()). */
  readonly pid: number;
  /** SIGTERM, resolves once the process has exited (SIGKILL to its process group after a timeout). */
  stop(): Promise<void>;
  /**
   * stop() then start again on the same ports and run dir. Registrations are lost (usrloc is in memory);
   * dialogs and undelivered charging reports are not (deploy/kamailio-state.ts). `{ crash: true }` SIGKILLs
   * the whole process group instead of a graceful stop: nothing gets a chance to save anything.
   */
  restart(options?: { readonly crash?: boolean }): Promise<void>;
  /**
   * Addresses of record currently registered (from `kamcmd ul.dump`; usrloc keys them extension@domain):
   * the extension alone for the default domain (`1001`), `extension@domain` for any other (`1001@b.test`).
   */
  registrations(): Promise<string[]>;
  /** Runs one RPC command over the control socket (`kamcmd`), e.g. `['htable.dump', 'billq']`. */
  rpc(args: readonly string[]): Promise<string>;
}

/**
 * Why Kamailio could not be started; the message says what to do. The same class as every other part of the
 * stack throws (the port, binary and start-up checks are deploy/child-process.ts's).
 */
export { StackStartError as KamailioStartError };

const port = z.number().int().min(1).max(65535);
// Secrets are substituted into the config with #!substdef "!NAME!value!g": no '!', quotes or backslashes.
const configSecret = z.string().min(16).max(256).regex(/^[A-Za-z0-9._~+/=:-]+$/, 'must be 16-256 of A-Z a-z 0-9 . _ ~ + / = : -');
// Unix sockets paths are limited to 107 bytes (sun_path); the control socket lives in the run dir.
const maxRunDirLength = 107 - '/kamailio_ctl'.length;

// Lower-cased: the config compares domains as the proxy lower-cases them (route[OWN_DOMAIN]).
const sipDomain = z
  .string()
  .regex(/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i, 'must be a host name like cabine.test')
  .transform((domain) => domain.toLowerCase());

const optionsSchema = z
  .object({
    runDir: z
      .string()
      .refine(isAbsolute, 'must be an absolute path')
      .refine((dir) => dir.length <= maxRunDirLength, `must be at most ${maxRunDirLength} characters (unix socket path limit)`)
      .refine((dir) => !/[!"\n\r\s]/.test(dir), 'must not contain whitespace, quotes or "!" (it is written into the config)'),
    wsPort: port,
    udpPort: port,
    wssPort: port.optional(),
    tlsCertificate: z
      .strictObject({
        chainFile: z.string().refine(isAbsolute, 'must be an absolute path').refine((file) => existsSync(file), 'no such file'),
        keyFile: z.string().refine(isAbsolute, 'must be an absolute path').refine((file) => existsSync(file), 'no such file'),
      })
      .optional(),
    domain: sipDomain,
    users: z
      .array(
        z.object({
          // db_text separates columns with ':'; SIP user parts of our accounts are simple tokens anyway.
          username: z.string().regex(/^[A-Za-z0-9._+-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ + -'),
          password: z.string().min(1).max(256),
          domain: sipDomain.optional(),
        }),
      )
      .min(1, 'at least one user is needed'),
    listenHost: z
      .string()
      .refine((host) => isIP(host) !== 0, 'must be an IP address')
      .default('127.0.0.1'),
    logFile: z.string().refine(isAbsolute, 'must be an absolute path').optional(),
    ephemeralSecret: configSecret.optional(),
    billing: z
      .object({
        apiUrl: z.string().regex(/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[A-Za-z0-9._/-]*)?$/, 'must be an http(s) URL without query'),
        proxySecret: configSecret,
        authorizeTimeoutSeconds: z.number().int().min(1).max(10),
      })
      .optional(),
    trunk: z
      .object({
        address: z.string().regex(/^[0-9.]+:\d{1,5}$/, 'must be ipv4:port'),
        prefixRules: z.array(
          z.object({
            prefix: z.string().regex(/^[0-9+*#]{1,10}$/, 'must be 1-10 of 0-9 + * #'),
            strip: z.number().int().min(0).max(10),
            prepend: z.string().regex(/^[0-9A-Za-z+*#]{0,16}$/, 'must be up to 16 of 0-9 A-Z a-z + * #'),
          }),
        ),
      })
      .optional(),
    rtpengineSocket: z.string().regex(/^udp6?:[0-9A-Za-z.:[\]-]+:\d{1,5}$/, 'must be udp:host:port').optional(),
    relayAllMedia: z.boolean().default(false),
    emergencyCountry: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code').default('FR'),
    paidCallsPerMinute: z.number().int().min(1).max(10_000).default(10),
    guard: z
      .object({
        floodExempt: z.array(z.string().regex(/^[0-9.]+\/\d{1,2}$|^[0-9a-f:]+\/\d{1,3}$/i, 'must be a CIDR subnet')).default([...defaultGuard.floodExempt]),
        banSeconds: z.number().int().min(1).max(86_400).default(defaultGuard.banSeconds),
        authFailsPerUser: z.number().int().min(1).max(1000).default(defaultGuard.authFailsPerUser),
        authFailsPerSource: z.number().int().min(1).max(1000).default(defaultGuard.authFailsPerSource),
        // Origins go into a regex inside a quoted define: scheme://host[:port|:*], nothing else.
        allowedOrigins: z
          .array(z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/[A-Za-z0-9.[\]:-]+(:(\d{1,5}|\*))?$/, 'must be an origin like https://phone.example.com or http://127.0.0.1:*'))
          .default([...defaultGuard.allowedOrigins]),
      })
      .default({ ...defaultGuard, floodExempt: [...defaultGuard.floodExempt], allowedOrigins: [...defaultGuard.allowedOrigins] }),
  })
  .refine((o) => o.wssPort === undefined || o.wssPort !== o.wsPort, { message: 'wssPort must differ from wsPort', path: ['wssPort'] });

type ValidOptions = z.infer<typeof optionsSchema>;

/** Debian packages that provide the modules our config loads. */
const modulePackages: Readonly<Record<string, string>> = {
  websocket: 'kamailio-websocket-modules',
  xhttp: 'kamailio',
  tls: 'kamailio-tls-modules',
  http_client: 'kamailio-utils-modules',
  db_sqlite: 'kamailio-sqlite-modules',
  db_postgres: 'kamailio-postgres-modules',
  jansson: 'kamailio-json-modules',
  auth_ephemeral: 'kamailio-autheph-modules',
  rtpengine: 'kamailio-extra-modules',
};

const startTimeoutMs = 10_000;
const stopTimeoutMs = 5_000;

/** Turns `kamailio -c` output into an actionable message (missing module -> Debian package). */
function explainConfigError(output: string): string {
  const missing = /could not find module <([a-z_]+)>|load_module\(\): could not open module <[^>]*\/([a-z_]+)\.so>/i.exec(output);
  const moduleName = missing?.[1] ?? missing?.[2];
  if (moduleName !== undefined) {
    const pkg = modulePackages[moduleName];
    return `Kamailio module "${moduleName}" is missing${pkg === undefined ? '' : `: apt-get install ${pkg}`}`;
  }
  const lines = output
    .split('\n')
    .filter((line) => /ERROR|CRITICAL/.test(line))
    .slice(0, 10);
  return `Kamailio rejected the config:\n${lines.join('\n') || output.slice(-2000)}`;
}

/**
 * One WebSocket handshake (RFC 6455 4.1, sub-protocol "sip"); true when the server switched protocols. The
 * readiness probe: a handshake, not just an accepted TCP connection, proves the TCP workers are up too.
 * Stopping Kamailio while its TCP main process is still handing its first connection to workers that are not
 * ready can hang its shutdown.
 */
const handshake = (host: string, wsPort: number): Promise<boolean> =>
  new Promise((resolve) => {
    const request = httpRequest({
      host,
      port: wsPort,
      path: '/',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Protocol': 'sip',
      },
    });
    request.once('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(true);
    });
    request.once('response', (response) => {
      response.resume();
      resolve(false);
    });
    request.once('error', () => resolve(false));
    request.end();
  });

/** Where clients connect: a wildcard listen address is reached over loopback. */
const connectHost = (listenHost: string): string =>
  listenHost === '0.0.0.0' ? '127.0.0.1' : listenHost === '::' ? '::1' : listenHost;

interface Started {
  readonly child: ChildProcess;
  readonly rendered: RenderedKamailioConfig;
}

async function launch(options: ValidOptions): Promise<Started> {
  const kamailio = await requireExecutable('kamailio', 'kamailio kamailio-websocket-modules');
  const { runDir, listenHost } = options;

  await assertTcpPortFree(listenHost, options.wsPort, 'WebSocket');
  if (options.wssPort !== undefined) {
    await assertTcpPortFree(listenHost, options.wssPort, 'secure WebSocket');
  }
  await assertUdpPortFree(listenHost, options.udpPort, 'UDP');

  const rendered = await renderKamailioConfig({
    runDir,
    domain: options.domain,
    listenHost,
    wsPort: options.wsPort,
    udpPort: options.udpPort,
    wssPort: options.wssPort,
    tlsCertificate: options.tlsCertificate,
    users: options.users,
    ephemeralSecret: options.ephemeralSecret ?? randomBytes(24).toString('base64url'),
    billing: options.billing,
    trunk: options.trunk,
    rtpengineSocket: options.rtpengineSocket,
    relayAllMedia: options.relayAllMedia,
    emergencyNumbers: emergencyNumbersFor(options.emergencyCountry),
    extensionPattern: extensionRegexFor(options.emergencyCountry),
    paidCallsPerMinute: options.paidCallsPerMinute,
    guard: options.guard,
  });

  try {
    await execFileAsync(kamailio, ['-f', rendered.configFile, '-c'], { cwd: runDir });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    throw new StackStartError(explainConfigError(`${failure.stdout ?? ''}${failure.stderr ?? ''}`), { cause: error });
  }

  const logFile = options.logFile ?? join(runDir, 'kamailio.log');
  const args = [
    '-f', rendered.configFile,
    '-DD', // foreground, but still fork the workers
    '-E', // log to stderr (our log file)
    '-P', rendered.pidFile,
    '-Y', runDir, // runtime dir (sockets, fifo)
    '-w', runDir, // working dir
    '-m', '256', // shared memory MB: ~64 KB per WebSocket connection
    '-M', '8', // private memory MB per process
  ];
  const child = await spawnOwned({ command: kamailio, args, cwd: runDir, logFile });
  const host = connectHost(listenHost);
  const outcome = await waitForReady(child, () => handshake(host, options.wsPort), startTimeoutMs);
  if (outcome !== 'ready') {
    const why = notReadyReason(child, outcome, `did not accept WebSocket connections on ${host}:${options.wsPort} within ${startTimeoutMs} ms`);
    return failStart(child, 'Kamailio', why, logFile, stopTimeoutMs);
  }
  return { child, rendered };
}

/**
 * SIGKILL to every process of Kamailio's group (it runs detached: the group is its own), as a crash or an
 * OOM kill would leave it, then waits until none is left holding the listen sockets.
 */
async function crashKamailio(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const done = exited(child);
  process.kill(-pid, 'SIGKILL');
  await done;
  const groupAlive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const deadline = Date.now() + stopTimeoutMs;
  while (groupAlive() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function parseAors(dump: string, defaultDomain: string): string[] {
  const aors = new Set<string>();
  for (const match of dump.matchAll(/^\s*AoR:\s*(\S+)\s*$/gm)) {
    if (match[1] !== undefined) {
      aors.add(match[1].endsWith(`@${defaultDomain}`) ? match[1].slice(0, -defaultDomain.length - 1) : match[1]);
    }
  }
  return [...aors];
}

/**
 * Renders the config into `options.runDir`, checks it (`kamailio -c`), starts Kamailio in the foreground as
 * a child process and resolves once its WebSocket port accepts connections.
 *
 * @throws KamailioStartError for invalid options, a port in use, a missing binary or module (naming the
 *   Debian package to install), a rejected config, or a server that dies or hangs during start-up.
 */
export async function startKamailio(options: KamailioOptions): Promise<RunningKamailio> {
  const valid = parseOptions(optionsSchema, options, 'Kamailio');
  const kamcmd = await requireExecutable('kamcmd', 'kamailio');

  let current = await launch(valid);
  const host = sipHost(connectHost(valid.listenHost));

  const server: RunningKamailio = {
    wsUrl: `ws://${host}:${valid.wsPort}`,
    ...(valid.wssPort === undefined ? {} : { wssUrl: `wss://${host}:${valid.wssPort}` }),
    udpPort: valid.udpPort,
    get pid(): number {
      return current.child.pid ?? -1;
    },
    async stop(): Promise<void> {
      await stopOwned(current.child, stopTimeoutMs);
    },
    async restart(options?: { readonly crash?: boolean }): Promise<void> {
      if (options?.crash === true) {
        await crashKamailio(current.child);
      } else {
        await stopOwned(current.child, stopTimeoutMs);
      }
      current = await launch(valid);
    },
    async rpc(args: readonly string[]): Promise<string> {
      const { stdout } = await execFileAsync(kamcmd, ['-s', `unix:${current.rendered.controlSocket}`, ...args]);
      return stdout;
    },
    async registrations(): Promise<string[]> {
      const { stdout } = await execFileAsync(kamcmd, ['-s', `unix:${current.rendered.controlSocket}`, 'ul.dump']);
      return parseAors(stdout, valid.domain);
    },
  };
  return server;
}
