import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultPorts, defaultSipDomain } from '../../shared/config/defaults';
import { assertNever } from '../../shared/assert-never';
import { currencyCodes } from '../../shared/money/currency';
import { checkSipServerUrl, isLoopbackHost as isLoopbackSipHost } from '../../shared/sip/server-url';
import { ProductionConfigError, productionConfigProblems } from './production-checks';
import { turnUrlsProblem } from './turn/turn-credentials';

/** The manager's configuration, from the environment, with defaults that are safe for a single machine. */
export interface ManagerConfig {
  /** `production` refuses public defaults at start-up (manager/src/production-checks.ts). */
  readonly environment: 'development' | 'production';
  readonly host: string;
  readonly port: number;
  /** PostgreSQL connection string; when absent, SQLite in `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  readonly publicUrl: string;
  /** CABINE_MANAGER_PUBLIC_URL was given (otherwise publicUrl is derived from host and port). */
  readonly publicUrlExplicit: boolean;
  readonly currency: (typeof currencyCodes)[number];
  readonly topUpAmountsMinor: readonly number[];
  readonly sipWsUrl: string;
  readonly sipDomain: string;
  /** Shared with Kamailio's auth_ephemeral; null → generated once and kept in the database. */
  readonly sipSharedSecret: string | null;
  readonly sipCredentialTtlSeconds: number;
  /** Shared with Kamailio's http_client calls; null → generated once and kept in the database. */
  readonly proxySecret: string | null;
  readonly rateDeckPath: string;
  readonly maxCallSeconds: number;
  readonly ringAllowanceSeconds: number;
  readonly maxRefillsPerDay: number;
  readonly refillDeclinesBeforeDisable: number;
  readonly lowBalanceMinor: number;
  readonly cookieSecure: boolean;
  readonly scryptLogN: number;
  readonly seedDemo: boolean;
  readonly logLevel: string;
  readonly eventsPollMs: number;
  readonly pendingRecoveryAgeMs: number;
  readonly bodyLimitBytes: number;
  readonly pgPoolSize: number;
  /** How long a stop (SIGTERM) may take before the process exits anyway, with an error status. */
  readonly shutdownTimeoutMs: number;
  /** HTTPS served by the manager itself: PEM certificate chain (leaf first) and key; null: plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** A TLS-terminating proxy or load balancer is in front (production without `tls` must say so). */
  readonly tlsOffloaded: boolean;
  /** STUN/TURN URLs handed to the app with the SIP configuration (manager/src/turn/); empty: none. */
  readonly turnUrls: readonly string[];
  /** coturn's static-auth-secret (TURN REST credentials); null when no TURN URL is configured. */
  readonly turnSharedSecret: string | null;
  /** Lifetime of a TURN credential: by default the SIP credential's plus the longest call. */
  readonly turnCredentialTtlSeconds: number;
}

const here = fileURLToPath(new URL('.', import.meta.url));
/** The shipped SAMPLE deck, next to the service. */
export const sampleRateDeckPath = resolve(here, '../data/sample-rate-deck.csv');

/** Whether `hostname` (as `URL` gives it, IPv6 with or without brackets) is this machine (shared/sip/server-url.ts). */
export function isLoopbackHost(hostname: string): boolean {
  return isLoopbackSipHost(hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname);
}

/**
 * Why `url` is not acceptable as the SIP WebSocket URL handed to the app, or null. The rule is the app's
 * (checkSipServerUrl in shared/sip/server-url.ts: `wss://` always, `ws://` only to this machine); this adds
 * the reasons an operator needs to read at start-up.
 */
export function sipWsUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${JSON.stringify(url.slice(0, 200))}`;
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials';
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') return `must be wss:// (or ws:// on a loopback host), not ${parsed.protocol}//`;
  const check = checkSipServerUrl(url);
  switch (check) {
    case 'ok':
      return null;
    case 'insecure':
      return `ws:// is accepted only for a loopback host (127.0.0.0/8, ::1, localhost); use wss://${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
    case 'malformed':
      return `not a SIP WebSocket URL the app accepts (wss://host[:port][/path]): ${JSON.stringify(url.slice(0, 200))}`;
    default:
      return assertNever(check);
  }
}

const bool = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  CABINE_ENV: z.enum(['development', 'production']).default('development'),
  CABINE_MANAGER_HOST: z.string().default('127.0.0.1'),
  CABINE_MANAGER_PORT: int(0, 65535).default(defaultPorts.manager),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//).optional(),
  CABINE_MANAGER_DATA_DIR: z.string().default('.run/manager'),
  CABINE_MANAGER_PUBLIC_URL: z.url().optional(),
  CABINE_CURRENCY: z.enum(currencyCodes).default('EUR'),
  CABINE_TOPUP_AMOUNTS: z
    .string()
    .regex(/^\d{1,9}(,\d{1,9})*$/, 'comma-separated minor units, e.g. 1000,2500,5000,10000')
    .default('1000,2500,5000,10000'),
  CABINE_SIP_WS_URL: z.string().default(`ws://127.0.0.1:${defaultPorts.sipWs}`).superRefine((value, context) => {
    const problem = sipWsUrlProblem(value);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  }),
  CABINE_SIP_DOMAIN: z.string().default(defaultSipDomain),
  CABINE_SIP_SHARED_SECRET: z.string().min(16).optional(),
  CABINE_SIP_CREDENTIAL_TTL_SECONDS: int(60, 7 * 24 * 3600).default(12 * 3600),
  CABINE_PROXY_SECRET: z.string().min(16).optional(),
  CABINE_RATE_DECK: z.string().default(sampleRateDeckPath),
  CABINE_MAX_CALL_SECONDS: int(60, 24 * 3600).default(4 * 3600),
  CABINE_RING_ALLOWANCE_SECONDS: int(0, 600).default(180),
  CABINE_MAX_REFILLS_PER_DAY: int(1, 100).default(5),
  CABINE_REFILL_DECLINES_BEFORE_DISABLE: int(1, 20).default(4),
  CABINE_LOW_BALANCE_MINOR: int(0, 1_000_000).default(500),
  CABINE_COOKIE_SECURE: bool.default(true),
  CABINE_SCRYPT_LOG_N: int(10, 20).default(16),
  // Off unless asked for: the demo users' passwords are public (README). The local stack and `npm run manager` ask.
  CABINE_SEED_DEMO: bool.default(false),
  CABINE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CABINE_EVENTS_POLL_MS: int(50, 60_000).default(1000),
  CABINE_PENDING_RECOVERY_AGE_MS: int(0, 3_600_000).default(30_000),
  CABINE_BODY_LIMIT_BYTES: int(256, 1_048_576).default(16_384),
  CABINE_PG_POOL_SIZE: int(1, 200).default(10),
  CABINE_SHUTDOWN_TIMEOUT_MS: int(100, 120_000).default(10_000),
  CABINE_TLS_CERT_FILE: z.string().min(1).optional(),
  CABINE_TLS_KEY_FILE: z.string().min(1).optional(),
  CABINE_TLS_OFFLOADED: bool.default(false),
  // Comma-separated, e.g. "stun:turn.example.com:3478,turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349".
  CABINE_TURN_URLS: z.string().default('').transform((value) => value.split(',').map((url) => url.trim()).filter((url) => url !== '')),
  CABINE_TURN_SHARED_SECRET: z.string().min(16).optional(),
  CABINE_TURN_CREDENTIAL_TTL_SECONDS: int(60, 8 * 24 * 3600).optional(),
});

/** Reads the configuration; throws with every problem listed when the environment is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ManagerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid manager configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const amounts = [...new Set(e.CABINE_TOPUP_AMOUNTS.split(',').map(Number))].filter((value) => value > 0).sort((a, b) => a - b);
  if (amounts.length === 0) throw new Error('CABINE_TOPUP_AMOUNTS needs at least one positive amount');
  if ((e.CABINE_TLS_CERT_FILE === undefined) !== (e.CABINE_TLS_KEY_FILE === undefined)) {
    throw new Error('Invalid manager configuration: CABINE_TLS_CERT_FILE and CABINE_TLS_KEY_FILE go together');
  }
  const turnProblem = turnUrlsProblem(e.CABINE_TURN_URLS, e.CABINE_TURN_SHARED_SECRET ?? null);
  if (turnProblem !== null) throw new Error(`Invalid manager configuration: CABINE_TURN_URLS: ${turnProblem}`);
  const config: ManagerConfig = {
    environment: e.CABINE_ENV,
    host: e.CABINE_MANAGER_HOST,
    port: e.CABINE_MANAGER_PORT,
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: resolve(e.CABINE_MANAGER_DATA_DIR),
    publicUrl: e.CABINE_MANAGER_PUBLIC_URL ?? `http://${e.CABINE_MANAGER_HOST}:${e.CABINE_MANAGER_PORT}`,
    publicUrlExplicit: e.CABINE_MANAGER_PUBLIC_URL !== undefined,
    currency: e.CABINE_CURRENCY,
    topUpAmountsMinor: amounts,
    sipWsUrl: e.CABINE_SIP_WS_URL,
    sipDomain: e.CABINE_SIP_DOMAIN,
    sipSharedSecret: e.CABINE_SIP_SHARED_SECRET ?? null,
    sipCredentialTtlSeconds: e.CABINE_SIP_CREDENTIAL_TTL_SECONDS,
    proxySecret: e.CABINE_PROXY_SECRET ?? null,
    rateDeckPath: resolve(e.CABINE_RATE_DECK),
    maxCallSeconds: e.CABINE_MAX_CALL_SECONDS,
    ringAllowanceSeconds: e.CABINE_RING_ALLOWANCE_SECONDS,
    maxRefillsPerDay: e.CABINE_MAX_REFILLS_PER_DAY,
    refillDeclinesBeforeDisable: e.CABINE_REFILL_DECLINES_BEFORE_DISABLE,
    lowBalanceMinor: e.CABINE_LOW_BALANCE_MINOR,
    cookieSecure: e.CABINE_COOKIE_SECURE,
    scryptLogN: e.CABINE_SCRYPT_LOG_N,
    seedDemo: e.CABINE_SEED_DEMO,
    logLevel: e.CABINE_LOG_LEVEL,
    eventsPollMs: e.CABINE_EVENTS_POLL_MS,
    pendingRecoveryAgeMs: e.CABINE_PENDING_RECOVERY_AGE_MS,
    bodyLimitBytes: e.CABINE_BODY_LIMIT_BYTES,
    pgPoolSize: e.CABINE_PG_POOL_SIZE,
    shutdownTimeoutMs: e.CABINE_SHUTDOWN_TIMEOUT_MS,
    tls: e.CABINE_TLS_CERT_FILE && e.CABINE_TLS_KEY_FILE ? { certFile: resolve(e.CABINE_TLS_CERT_FILE), keyFile: resolve(e.CABINE_TLS_KEY_FILE) } : null,
    tlsOffloaded: e.CABINE_TLS_OFFLOADED,
    turnUrls: e.CABINE_TURN_URLS,
    turnSharedSecret: e.CABINE_TURN_SHARED_SECRET ?? null,
    // A call set up just before the SIP credentials are renewed keeps its relay until it ends: coturn
    // checks the expiry again at every allocation refresh.
    turnCredentialTtlSeconds: e.CABINE_TURN_CREDENTIAL_TTL_SECONDS ?? e.CABINE_SIP_CREDENTIAL_TTL_SECONDS + e.CABINE_MAX_CALL_SECONDS,
  };
  if (config.environment === 'production') {
    const problems = productionConfigProblems(config, sampleRateDeckPath);
    if (problems.length > 0) throw new ProductionConfigError(problems);
  }
  return config;
}
