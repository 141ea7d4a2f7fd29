/**
 * Starts and stops coturn (Debian `coturn`, the `turnserver` binary): the STUN/TURN server that lets two
 * browsers behind NAT routers find their public addresses (server-reflexive candidates) and, when no direct
 * path works (symmetric NAT, UDP filtered), relay their media (relay candidates).
 *
 * Credentials are the TURN REST kind (`use-auth-secret`): the manager hands out
 * "<expiry>:<extension>" + base64(HMAC-SHA1(secret, username)) with the SIP configuration
 * (manager/src/turn/turn-credentials.ts) and coturn recomputes them from its `static-auth-secret`; there is no
 * user database and no anonymous relay. Peers on loopback and private networks are refused, as in
 * deploy/production/turnserver.conf: a relay must never become a way into the server's own networks.
 * Readiness is a STUN Binding request answered with a success response (RFC 8489 section 6).
 *
 * Reference: coturn's README.turnserver (https://github.com/coturn/coturn), RFC 8656 (TURN).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdir } from 'node:fs/promises';
import { isIP, isIPv6 } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import {
  assertTcpPortFree, assertUdpPortFree, failStart, notReadyReason, parseOptions, requireExecutable, spawnOwned,
  stopOwned, waitForReady,
} from './child-process.js';

/** Options of {@link startCoturn}. */
export interface CoturnOptions {
  /** Absolute directory for the pid file, the log and coturn's (empty) database; created if missing. */
  readonly runDir: string;
  /** STUN/TURN port, UDP and TCP (3478 in production). */
  readonly port: number;
  /** Relay ports [min, max], inclusive. */
  readonly relayPortMin: number;
  readonly relayPortMax: number;
  /** coturn's static-auth-secret, equal to the manager's CABINE_TURN_SHARED_SECRET. */
  readonly sharedSecret: string;
  /** Address to listen and relay on; default 127.0.0.1. */
  readonly host?: string;
  /** The public address when coturn sits behind a 1:1 NAT (coturn's external-ip); default none. */
  readonly externalIp?: string;
  /** Default "cabine.test". */
  readonly realm?: string;
  /**
   * Allow relaying to 127.0.0.0/8 (default false): only for a single-machine stack whose browsers share
   * this machine's loopback. Private networks stay refused either way.
   */
  readonly allowLoopbackPeers?: boolean;
  /** Default `<runDir>/coturn.log`. */
  readonly logFile?: string;
}

/** A running coturn. */
export interface RunningCoturn {
  readonly host: string;
  readonly port: number;
  /** What the manager's CABINE_TURN_URLS takes: a STUN URL and the TURN URLs over UDP and TCP. */
  readonly urls: readonly string[];
  readonly realm: string;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

/**
 * Peers coturn never relays to: "this" network, RFC 1918, shared address space (RFC 6598), link-local,
 * IPv6 unique-local and link-local. Loopback is refused by coturn itself unless allow-loopback-peers.
 */
export const deniedPeerRanges: readonly string[] = [
  '0.0.0.0-0.255.255.255',
  '10.0.0.0-10.255.255.255',
  '100.64.0.0-100.127.255.255',
  '169.254.0.0-169.254.255.255',
  '172.16.0.0-172.31.255.255',
  '192.168.0.0-192.168.255.255',
  'fc00::-fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  'fe80::-febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
];

const port = z.number().int().min(1).max(65535);
const ip = z.string().refine((host) => isIP(host) !== 0, 'must be an IP address');
const optionsSchema = z
  .object({
    runDir: z.string().refine(isAbsolute, 'must be an absolute path'),
    port,
    relayPortMin: port,
    relayPortMax: port,
    sharedSecret: z.string().min(16, 'must be at least 16 characters'),
    host: ip.default('127.0.0.1'),
    externalIp: ip.optional(),
    realm: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name').default('cabine.test'),
    allowLoopbackPeers: z.boolean().default(false),
    logFile: z.string().refine(isAbsolute, 'must be an absolute path').optional(),
  })
  .refine((o) => o.relayPortMax - o.relayPortMin >= 1, { message: 'the relay port range needs at least 2 ports', path: ['relayPortMax'] })
  .refine((o) => o.port < o.relayPortMin || o.port > o.relayPortMax, { message: 'port must be outside the relay port range', path: ['port'] });

const startTimeoutMs = 10_000;

/** RFC 8489 section 5: the magic cookie every STUN message carries after its length. */
export const stunMagicCookie = 0x2112a442;

/**
 * Sends one STUN Binding request over UDP and resolves true on a Binding success response with the same
 * transaction id (false on timeout or anything else).
 */
export function stunBinding(host: string, stunPort: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    const transactionId = randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2); // no attributes
    request.writeUInt32BE(stunMagicCookie, 4);
    transactionId.copy(request, 8);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('error', () => done(false));
    socket.on('message', (message) => {
      if (message.length >= 20 && message.readUInt16BE(0) === 0x0101 && message.subarray(8, 20).equals(transactionId)) done(true);
    });
    socket.send(request, stunPort, host);
  });
}

/**
 * Starts coturn in the foreground and resolves once it answers a STUN Binding request.
 *
 * @throws StackStartError for invalid options, a port in use, a missing binary, or a server that exits or
 *   does not answer during start-up.
 */
export async function startCoturn(options: CoturnOptions): Promise<RunningCoturn> {
  const valid = parseOptions(optionsSchema, options, 'coturn');
  const binary = await requireExecutable('turnserver', 'coturn');
  await mkdir(valid.runDir, { recursive: true });
  await assertUdpPortFree(valid.host, valid.port, 'coturn STUN/TURN');
  await assertTcpPortFree(valid.host, valid.port, 'coturn STUN/TURN');
  const logFile = valid.logFile ?? join(valid.runDir, 'coturn.log');

  const child: ChildProcess = await spawnOwned({
    command: binary,
    args: [
      '-n', // no /etc/turnserver.conf: everything is on this command line
      `--listening-ip=${valid.host}`,
      `--relay-ip=${valid.host}`,
      `--listening-port=${valid.port}`,
      `--min-port=${valid.relayPortMin}`,
      `--max-port=${valid.relayPortMax}`,
      ...(valid.externalIp === undefined ? [] : [`--external-ip=${valid.externalIp}`]),
      `--realm=${valid.realm}`,
      '--use-auth-secret',
      `--static-auth-secret=${valid.sharedSecret}`,
      '--fingerprint',
      // Plain STUN/TURN over UDP and TCP here; production adds TLS (turns:) in turnserver.conf.
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-multicast-peers',
      // Browsers relay media over UDP only; TCP relays (RFC 6062) would let a credential open TCP
      // connections to any allowed peer.
      '--no-tcp-relay',
      ...(valid.allowLoopbackPeers ? ['--allow-loopback-peers'] : []),
      ...deniedPeerRanges.map((range) => `--denied-peer-ip=${range}`),
      `--db=${join(valid.runDir, 'turndb.sqlite')}`,
      `--pidfile=${join(valid.runDir, 'turnserver.pid')}`,
      '--log-file=stdout',
      '--simple-log',
      '--no-software-attribute',
    ],
    cwd: valid.runDir,
    logFile,
  });

  const outcome = await waitForReady(child, () => stunBinding(valid.host, valid.port, 200), startTimeoutMs);
  if (outcome !== 'ready') {
    const why = notReadyReason(child, outcome, `did not answer a STUN Binding request on ${valid.host}:${valid.port}/udp within ${startTimeoutMs} ms`);
    return failStart(child, 'coturn', why, logFile);
  }
  const address = isIPv6(valid.host) ? `[${valid.host}]` : valid.host;
  const publicAddress = valid.externalIp === undefined ? address : isIPv6(valid.externalIp) ? `[${valid.externalIp}]` : valid.externalIp;
  return {
    host: valid.host,
    port: valid.port,
    urls: [
      `stun:${publicAddress}:${valid.port}`,
      `turn:${publicAddress}:${valid.port}?transport=udp`,
      `turn:${publicAddress}:${valid.port}?transport=tcp`,
    ],
    realm: valid.realm,
    get pid(): number {
      return child.pid ?? -1;
    },
    logFile,
    stop: () => stopOwned(child),
  };
}
