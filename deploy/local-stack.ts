/**
 * The whole local stack in one call, for `npm start`, the end-to-end fixtures, the SIP tests and the bench:
 * rtpengine (media relay), the carrier stand-in (baresip or sipp behind the trunk), the manager (wallet,
 * authorization, charging) and Kamailio wired to all three with shared secrets. Every port is free on
 * loopback (chosen by the OS unless given), every process lives in `runDir`, and stop() stops them in the
 * reverse order. If a part fails to start, the parts already started are stopped before the error surfaces.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { defaultSipDomain, demoUsers } from '../shared/config/defaults.js';
import { startCarrier, type RunningCarrier } from './carrier-process.js';
import { startCoturn, type RunningCoturn } from './coturn-process.js';
import { freePortPair, freeUdpPort, parseOptions, StackStartError } from './child-process.js';
import type { GuardConfig, TrunkPrefixRule } from './kamailio-config.js';
import { startKamailio, type RunningKamailio } from './kamailio-process.js';
import { startManager, type RunningManager } from './manager-process.js';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process.js';

/** Options of {@link startLocalStack}; everything but runDir has a default. */
export interface LocalStackOptions {
  /** Absolute directory; each part gets a sub-directory. */
  readonly runDir: string;
  /**
   * The default SIP domain: the demo company's and the static accounts'. The one Kamailio serves every
   * company's domain besides (companies onboarded in the manager: docs/sip-server.md, "Several companies").
   */
  readonly domain?: string;
  /**
   * db_text static accounts of Kamailio, each in its `domain` (default: `domain`); the manager seeds the demo
   * company's extensions. Default: shared demo users.
   */
  readonly users?: readonly { readonly username: string; readonly password: string; readonly domain?: string }[];
  /** Fixed ports (e.g. the documented defaults for `npm start`); free ports otherwise. */
  readonly ports?: { readonly sipWs?: number; readonly sipUdp?: number; readonly manager?: number };
  /** Start the manager (default true). Without it calls to the phone network are refused (503). */
  readonly manager?: boolean;
  /** Extra manager environment (e.g. CABINE_MAX_CALL_SECONDS). */
  readonly managerEnv?: Readonly<Record<string, string>>;
  /** The carrier stand-in's engine, or false for no trunk (default "baresip"). */
  readonly carrier?: 'baresip' | 'sipp' | false;
  /** Start rtpengine (default true). */
  readonly rtpengine?: boolean;
  /**
   * Start coturn (default false) and have the manager hand out its STUN/TURN servers with time-limited
   * credentials in the sip-config (docs/sip-server.md, "NAT traversal"). On one machine the browsers reach
   * each other directly; relaying to loopback peers is allowed here so a relay-only peer connection works.
   */
  readonly turn?: boolean;
  /**
   * Paid calls hear the balance before they connect (default false): the manager renders prompts with
   * espeak-ng into `<runDir>/prompts` and the proxy plays them with rtpengine (docs/sip-server.md). Needs
   * rtpengine and the manager.
   */
  readonly announcements?: boolean;
  /**
   * An outside trunk (ip:port) instead of the carrier stand-in, e.g. a test's recording endpoint; needs
   * `carrier: false`.
   */
  readonly trunkAddress?: string;
  /** The trunk's number rewriting (default none: E.164 with '+'). */
  readonly trunkPrefixRules?: readonly TrunkPrefixRule[];
  /** Default 10. */
  readonly paidCallsPerMinute?: number;
  /** Default 1 (http_client's smallest). */
  readonly authorizeTimeoutSeconds?: number;
  /** Overrides of the proxy's guard (deploy/kamailio-config.ts GuardConfig) for the local stack. */
  readonly guard?: Partial<GuardConfig>;
  /**
   * Where Kamailio reaches the manager's API, given the manager's own: a test can put a real HTTP relay in
   * between (a slow or failing network). Default: the manager's address.
   */
  readonly billingApiUrl?: (managerApiUrl: string) => string | Promise<string>;
}

/** A running local stack. */
export interface LocalStack {
  readonly domain: string;
  readonly users: readonly { readonly username: string; readonly password: string; readonly domain?: string }[];
  /** The one SIP server of every company's domain. */
  readonly kamailio: RunningKamailio;
  readonly manager?: RunningManager;
  readonly rtpengine?: RunningRtpengine;
  readonly carrier?: RunningCarrier;
  readonly coturn?: RunningCoturn;
  /** Secret shared by Kamailio and the manager for auth_ephemeral credentials. */
  readonly ephemeralSecret: string;
  /** Stops every part, the last started first. */
  stop(): Promise<void>;
}

const port = z.number().int().min(1).max(65535);
const optionsSchema = z.object({
  runDir: z.string().refine(isAbsolute, 'must be an absolute path'),
  domain: z.string().default(defaultSipDomain),
  users: z.array(z.object({ username: z.string(), password: z.string(), domain: z.string().optional() })).default(demoUsers.map(({ username, password }) => ({ username, password }))),
  ports: z.object({ sipWs: port.optional(), sipUdp: port.optional(), manager: port.optional() }).default({}),
  manager: z.boolean().default(true),
  managerEnv: z.record(z.string(), z.string()).default({}),
  carrier: z.union([z.enum(['baresip', 'sipp']), z.literal(false)]).default('baresip'),
  rtpengine: z.boolean().default(true),
  turn: z.boolean().default(false),
  announcements: z.boolean().default(false),
  trunkAddress: z.string().regex(/^[0-9.]+:\d{1,5}$/, 'must be ipv4:port').optional(),
  trunkPrefixRules: z.array(z.object({ prefix: z.string(), strip: z.number(), prepend: z.string() })).default([]),
  paidCallsPerMinute: z.number().int().positive().default(10),
  authorizeTimeoutSeconds: z.number().int().min(1).max(10).default(1),
  guard: z.custom<Partial<GuardConfig>>((value) => typeof value === 'object' && value !== null).optional(),
  billingApiUrl: z.custom<(managerApiUrl: string) => string | Promise<string>>((value) => typeof value === 'function').optional(),
}).refine((o) => o.trunkAddress === undefined || o.carrier === false, {
  message: 'trunkAddress replaces the carrier stand-in: set carrier: false', path: ['trunkAddress'],
});

/**
 * A random block of `size` ports in 20000-31999 for media: below Linux's ephemeral range (32768-60999),
 * from which the OS hands out the "free port" of every other part of the stack (Kamailio, the manager,
 * rtpengine's control port, browsers' ICE sockets), so no such port can fall inside a media range.
 * rtpengine and baresip skip ports someone else holds, so a collision with another stack on the machine
 * costs a port, not a failure.
 */
const mediaRange = (size: number): { min: number; max: number } => {
  const min = 20_000 + 2 * randomInt(0, (12_000 - size) / 2);
  return { min, max: min + size - 1 };
};

/** Where the manager renders prompts: rtpengine's `file=` flag takes a path of `A-Z a-z 0-9 . _ / -` only. */
function promptDir(runDir: string): string {
  const dir = join(runDir, 'prompts');
  if (!/^\/[A-Za-z0-9._/-]+$/.test(dir)) throw new StackStartError(`announcements need a run dir path of A-Z a-z 0-9 . _ / - only (got ${dir})`);
  return dir;
}

/**
 * Starts rtpengine, the carrier stand-in, the manager and Kamailio, in that order (each depends on the
 * previous ones' addresses), and resolves when all of them answered their readiness probes.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const o = parseOptions(optionsSchema, options, 'local stack');
  await mkdir(o.runDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      await stop().catch(() => undefined);
    }
  };
  const ephemeralSecret = randomBytes(24).toString('base64url');
  const proxySecret = randomBytes(24).toString('base64url');

  try {
    let rtpengine: RunningRtpengine | undefined;
    if (o.rtpengine) {
      const media = mediaRange(400);
      rtpengine = await startRtpengine({ runDir: join(o.runDir, 'rtpengine'), ngPort: await freeUdpPort(), portMin: media.min, portMax: media.max });
      stops.push(rtpengine.stop);
    }

    let carrier: RunningCarrier | undefined;
    if (o.carrier !== false) {
      const media = mediaRange(o.carrier === 'sipp' ? 2 : 100);
      carrier = await startCarrier({
        runDir: join(o.runDir, 'carrier'),
        engine: o.carrier,
        sipPort: await freePortPair('127.0.0.1', o.carrier === 'baresip'),
        ...(o.carrier === 'baresip' ? { ctrlPort: await freePortPair() } : {}),
        rtpPortMin: media.min,
        rtpPortMax: media.max,
      });
      stops.push(carrier.stop);
    }

    let coturn: RunningCoturn | undefined;
    const turnSecret = randomBytes(24).toString('base64url');
    if (o.turn) {
      const relay = mediaRange(100);
      coturn = await startCoturn({
        runDir: join(o.runDir, 'coturn'), port: await freePortPair(), relayPortMin: relay.min, relayPortMax: relay.max,
        sharedSecret: turnSecret, allowLoopbackPeers: true,
      });
      stops.push(coturn.stop);
    }

    const wsPort = o.ports.sipWs ?? (await freePortPair());
    const udpPort = o.ports.sipUdp ?? (await freePortPair());

    let manager: RunningManager | undefined;
    if (o.manager) {
      manager = await startManager({
        runDir: join(o.runDir, 'manager'),
        port: o.ports.manager ?? (await freePortPair()),
        sipDomain: o.domain,
        sipWsUrl: `ws://127.0.0.1:${wsPort}`,
        proxySecret,
        sipSharedSecret: ephemeralSecret,
        // Demo passwords are hashed at start-up: the cheapest scrypt cost the manager accepts keeps it quick.
        env: {
          CABINE_SCRYPT_LOG_N: '10',
          // Deactivations reach Kamailio at once (jsonrpcs on its loopback ws port; docs/sip-server.md "Revocation").
          CABINE_KAMAILIO_RPC_URL: `http://127.0.0.1:${wsPort}/RPC`,
          ...(o.announcements && rtpengine !== undefined ? { CABINE_ANNOUNCEMENT_DIR: promptDir(o.runDir) } : {}),
          ...(coturn === undefined ? {} : { CABINE_TURN_URLS: coturn.urls.join(','), CABINE_TURN_SHARED_SECRET: turnSecret }),
          ...o.managerEnv,
        },
      });
      stops.push(manager.stop);
    }

    const kamailio = await startKamailio({
      runDir: join(o.runDir, 'kamailio'),
      wsPort,
      udpPort,
      domain: o.domain,
      users: o.users,
      ephemeralSecret,
      ...(manager === undefined
        ? {}
        : {
            billing: {
              apiUrl: o.billingApiUrl === undefined ? `${manager.url}/api/v1` : await o.billingApiUrl(`${manager.url}/api/v1`),
              proxySecret,
              authorizeTimeoutSeconds: o.authorizeTimeoutSeconds,
            },
          }),
      ...(carrier === undefined && o.trunkAddress === undefined
        ? {}
        : { trunk: { address: o.trunkAddress ?? carrier?.address ?? '', prefixRules: o.trunkPrefixRules } }),
      ...(rtpengine === undefined ? {} : { rtpengineSocket: rtpengine.ngSocket }),
      paidCallsPerMinute: o.paidCallsPerMinute,
      guard: {
        // This machine's own clients (tests, the load bench, the developer) send thousands of requests a
        // second from 127.0.0.1: exempt from flood bans. Other loopback addresses (127.0.0.2, ...) are not,
        // which is where the attack tests send from.
        floodExempt: ['127.0.0.1/32'],
        allowedOrigins: ['cabine://app', 'http://127.0.0.1:*', 'http://localhost:*'],
        ...o.guard,
      },
    });
    stops.push(kamailio.stop);

    return {
      domain: o.domain,
      users: o.users,
      kamailio,
      ...(manager === undefined ? {} : { manager }),
      ...(rtpengine === undefined ? {} : { rtpengine }),
      ...(carrier === undefined ? {} : { carrier }),
      ...(coturn === undefined ? {} : { coturn }),
      ephemeralSecret,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
