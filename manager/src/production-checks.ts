import type { ManagerConfig } from './config';

/**
 * What a production deployment (CABINE_ENV=production) refuses to start with. Development keeps its safe
 * single-machine defaults; production must say everything that matters out loud, because each default here
 * is public (README, the repository, the demo seed):
 *
 * - no demo data, neither seeded now nor left in the database from a trial run;
 * - the two secrets shared with Kamailio set explicitly (not generated into the database, where the proxy
 *   cannot read them), at least 32 characters, not an example value, not a repeated pattern;
 * - https:// for the manager's public URL, served by the manager (a certificate) or by a TLS proxy it
 *   names (CABINE_TLS_OFFLOADED), wss:// for the SIP WebSocket, Secure cookies;
 * - a rate deck of the operator's own, not the shipped sample;
 * - password hashing at full cost (scrypt N ≥ 2^15).
 */

/** Values that appear in the repository's examples and docs: never a production secret. */
export const exampleSecrets: readonly string[] = [
  'change-me-to-32-or-more-random-characters',
  'replace-with-a-long-random-secret',
  'cabine-test-proxy-secret-0123456789',
  'cabine-test-sip-secret-0123456789',
];

const minimumSecretLength = 32;

/** Why `value` cannot be the production secret `name` (missing, short, an example, a pattern), or null. */
export function secretProblem(name: string, value: string | null): string | null {
  if (value === null) return `${name} must be set (it is shared with Kamailio; generate one with: openssl rand -base64 36)`;
  if (value.length < minimumSecretLength) return `${name} must be at least ${minimumSecretLength} characters`;
  if (exampleSecrets.includes(value) || /change-?me|example|secret|password/i.test(value)) return `${name} is an example value; generate your own`;
  if (new Set(value).size < 12) return `${name} repeats too few characters to be random`;
  return null;
}

/** Every reason `config` is not fit for production; empty when it is. `sampleDeckPath`: the shipped sample deck. */
export function productionConfigProblems(config: ManagerConfig, sampleDeckPath: string): string[] {
  const problems: string[] = [];
  if (config.seedDemo) problems.push('CABINE_SEED_DEMO must be false: the demo accounts have published passwords');
  for (const [name, value] of [['CABINE_PROXY_SECRET', config.proxySecret], ['CABINE_SIP_SHARED_SECRET', config.sipSharedSecret]] as const) {
    const problem = secretProblem(name, value);
    if (problem !== null) problems.push(problem);
  }
  if (config.proxySecret !== null && config.proxySecret === config.sipSharedSecret) problems.push('CABINE_PROXY_SECRET and CABINE_SIP_SHARED_SECRET must differ');
  // coturn's static-auth-secret: whoever holds it mints TURN credentials, so the same rules, and its own value.
  if (config.turnUrls.some((url) => /^turns?:/i.test(url)) || config.turnSharedSecret !== null) {
    const problem = secretProblem('CABINE_TURN_SHARED_SECRET', config.turnSharedSecret);
    if (problem !== null) problems.push(problem);
    if (config.turnSharedSecret !== null && (config.turnSharedSecret === config.proxySecret || config.turnSharedSecret === config.sipSharedSecret)) {
      problems.push('CABINE_TURN_SHARED_SECRET must differ from CABINE_PROXY_SECRET and CABINE_SIP_SHARED_SECRET');
    }
  }
  if (!config.publicUrlExplicit || !config.publicUrl.startsWith('https://')) problems.push('CABINE_MANAGER_PUBLIC_URL must be set to the https:// address people use');
  if (!config.sipWsUrl.startsWith('wss://')) problems.push('CABINE_SIP_WS_URL must be wss:// (TLS)');
  if (!config.cookieSecure) problems.push('CABINE_COOKIE_SECURE must be true');
  if (config.tls === null && !config.tlsOffloaded) problems.push('HTTPS: set CABINE_TLS_CERT_FILE and CABINE_TLS_KEY_FILE, or CABINE_TLS_OFFLOADED=true when a TLS proxy is in front');
  if (config.rateDeckPath === sampleDeckPath) problems.push('CABINE_RATE_DECK must name your own rate deck, not the shipped sample');
  if (config.scryptLogN < 15) problems.push('CABINE_SCRYPT_LOG_N must be at least 15');
  return problems;
}

/** Thrown at start-up when production would run with a public default; lists every problem at once. */
export class ProductionConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Refusing to start in production (CABINE_ENV=production):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ProductionConfigError';
  }
}
