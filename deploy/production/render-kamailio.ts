/**
 * Renders Kamailio's configuration for a production host from the same environment file the manager reads
 * (deploy/production/cabine.env.example), into CABINE_KAMAILIO_DIR (default /var/lib/cabine/kamailio), then
 * checks it with `kamailio -c`. Run by cabine-kamailio-config.service before kamailio.service starts.
 *
 * It refuses what would be unsafe in production, every problem at once: example or weak secrets (the same
 * rules as the manager's, manager/src/production-checks.ts), no wss certificate, a manager URL that is not
 * this host's loopback or https. No SIP account is static: everyone registers with the manager's
 * time-limited credentials (auth_ephemeral), so the subscriber table is empty.
 *
 *   node --import tsx deploy/production/render-kamailio.ts        (reads process.env)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { secretProblem } from '../../manager/src/production-checks.js';
import { emergencyNumbersFor } from '../../shared/numbering/emergency-numbers.js';
import { extensionRegexFor } from '../../shared/numbering/extension-range.js';
import { defaultGuard, renderKamailioConfig, type RenderedKamailioConfig } from '../kamailio-config.js';

const run = promisify(execFile);

const port = z.coerce.number().int().min(1).max(65535);
const file = z.string().refine(isAbsolute, 'must be an absolute path').refine((path) => existsSync(path), 'no such file');

const envSchema = z.object({
  CABINE_SIP_DOMAIN: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i, 'must be a host name'),
  CABINE_SIP_LISTEN_ADDRESS: z.string().refine((address) => isIP(address) !== 0, 'must be an IP address'),
  CABINE_SIP_UDP_PORT: port.default(5060),
  // The plain WebSocket listener stays on loopback (health checks, a local TLS proxy); phones use wss.
  CABINE_SIP_WS_PORT: port.default(5066),
  CABINE_SIP_WSS_PORT: port.default(7443),
  CABINE_SIP_TLS_CHAIN_FILE: file,
  CABINE_SIP_TLS_KEY_FILE: file,
  CABINE_SIP_ALLOWED_ORIGINS: z.string().default(''),
  CABINE_MANAGER_API_URL: z.url(),
  CABINE_PROXY_SECRET: z.string().optional(),
  CABINE_SIP_SHARED_SECRET: z.string().optional(),
  CABINE_TRUNK_ADDRESS: z.string().regex(/^[0-9.]+:\d{1,5}$/, 'must be ipv4:port').optional(),
  CABINE_RTPENGINE_NG: z.string().regex(/^udp:[0-9.]+:\d{1,5}$/, 'must be udp:<ipv4>:<port>').default('udp:127.0.0.1:2223'),
  CABINE_EMERGENCY_COUNTRY: z.string().regex(/^[A-Z]{2}$/).default('FR'),
  CABINE_SIP_RELAY_ALL_MEDIA: z.enum(['true', 'false']).default('false'),
  CABINE_KAMAILIO_DIR: z.string().refine(isAbsolute, 'must be an absolute path').default('/var/lib/cabine/kamailio'),
});

/** Thrown with every reason the environment cannot make a production Kamailio. */
export class ProductionKamailioError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Refusing to render Kamailio's production configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ProductionKamailioError';
  }
}

/** Renders and checks the configuration; returns where it is. */
export async function renderProductionKamailio(env: NodeJS.ProcessEnv): Promise<RenderedKamailioConfig> {
  const parsed = envSchema.safeParse(env);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  for (const name of ['CABINE_PROXY_SECRET', 'CABINE_SIP_SHARED_SECRET'] as const) {
    const problem = secretProblem(name, env[name] ?? null);
    if (problem !== null) problems.push(problem);
  }
  if (parsed.success) {
    const api = new URL(parsed.data.CABINE_MANAGER_API_URL);
    if (api.protocol !== 'https:' && !['127.0.0.1', '[::1]', 'localhost'].includes(api.hostname)) {
      problems.push('CABINE_MANAGER_API_URL must be https://, or http:// to this host (loopback): the proxy secret travels in it');
    }
  }
  if (!parsed.success || problems.length > 0) throw new ProductionKamailioError(problems);
  const e = parsed.data;
  const rendered = await renderKamailioConfig({
    runDir: e.CABINE_KAMAILIO_DIR,
    domain: e.CABINE_SIP_DOMAIN,
    listenHost: e.CABINE_SIP_LISTEN_ADDRESS,
    udpPort: e.CABINE_SIP_UDP_PORT,
    wsPort: e.CABINE_SIP_WS_PORT,
    wssPort: e.CABINE_SIP_WSS_PORT,
    tlsCertificate: { chainFile: e.CABINE_SIP_TLS_CHAIN_FILE, keyFile: e.CABINE_SIP_TLS_KEY_FILE },
    users: [],
    ephemeralSecret: env.CABINE_SIP_SHARED_SECRET ?? '',
    billing: { apiUrl: e.CABINE_MANAGER_API_URL, proxySecret: env.CABINE_PROXY_SECRET ?? '', authorizeTimeoutSeconds: 2 },
    trunk: e.CABINE_TRUNK_ADDRESS === undefined ? undefined : { address: e.CABINE_TRUNK_ADDRESS, prefixRules: [] },
    rtpengineSocket: e.CABINE_RTPENGINE_NG,
    relayAllMedia: e.CABINE_SIP_RELAY_ALL_MEDIA === 'true',
    emergencyNumbers: emergencyNumbersFor(e.CABINE_EMERGENCY_COUNTRY),
    extensionPattern: extensionRegexFor(e.CABINE_EMERGENCY_COUNTRY),
    paidCallsPerMinute: 10,
    guard: {
      ...defaultGuard,
      allowedOrigins: [...defaultGuard.allowedOrigins, ...e.CABINE_SIP_ALLOWED_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean)],
    },
  });
  await run('kamailio', ['-f', rendered.configFile, '-c'], { cwd: e.CABINE_KAMAILIO_DIR });
  return rendered;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  renderProductionKamailio(process.env).then(
    (rendered) => console.log(`Kamailio configuration written and checked: ${rendered.configFile}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
