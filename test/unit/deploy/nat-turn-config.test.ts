/**
 * The manager's TURN configuration: CABINE_TURN_URLS and CABINE_TURN_SHARED_SECRET (manager/src/config.ts),
 * the production rules for the secret (manager/src/production-checks.ts) and the credentials themselves
 * (manager/src/turn/turn-credentials.ts). Pure functions: no process started.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, sampleRateDeckPath } from '../../../manager/src/config.js';
import { ProductionConfigError } from '../../../manager/src/production-checks.js';
import { turnIceServers } from '../../../manager/src/turn/turn-credentials.js';

const dir = mkdtempSync(join(tmpdir(), 'cabine-nat-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const turnSecret = randomBytes(36).toString('base64url');
const urls = 'stun:203.0.113.10:3478,turn:203.0.113.10:3478?transport=udp,turns:turn.example.com:5349';

function productionEnv(): Record<string, string> {
  const deck = join(dir, 'deck.csv');
  copyFileSync(sampleRateDeckPath, deck);
  return {
    CABINE_ENV: 'production', CABINE_MANAGER_PORT: '0', CABINE_MANAGER_DATA_DIR: join(dir, 'data'),
    CABINE_MANAGER_PUBLIC_URL: 'https://manager.example.com', CABINE_SIP_WS_URL: 'wss://sip.example.com:7443',
    CABINE_PROXY_SECRET: randomBytes(36).toString('base64url'), CABINE_SIP_SHARED_SECRET: randomBytes(36).toString('base64url'),
    CABINE_RATE_DECK: deck, CABINE_TLS_OFFLOADED: 'true', CABINE_LOG_LEVEL: 'silent',
    CABINE_TURN_URLS: urls, CABINE_TURN_SHARED_SECRET: turnSecret,
  };
}

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env as NodeJS.ProcessEnv);
    return [];
  } catch (error) {
    if (error instanceof ProductionConfigError) return error.problems;
    throw error;
  }
};

describe('TURN configuration and credentials', () => {
  it('issues a STUN entry and a TURN entry "<expiry>:<extension>" with base64(HMAC-SHA1(secret, username))', () => {
    const config = loadConfig({ CABINE_TURN_URLS: urls, CABINE_TURN_SHARED_SECRET: turnSecret, CABINE_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    const now = Date.UTC(2026, 11, 2, 12);
    const servers = turnIceServers(config, '1002', now);
    expect(servers[0]).toEqual({ urls: ['stun:203.0.113.10:3478'] });
    const expiry = now / 1000 + 12 * 3600 + 4 * 3600;
    expect(servers[1]).toEqual({
      urls: ['turn:203.0.113.10:3478?transport=udp', 'turns:turn.example.com:5349'],
      username: `${expiry}:1002`,
      credential: createHmac('sha1', turnSecret).update(`${expiry}:1002`).digest('base64'),
    });
    expect(turnIceServers(loadConfig({ CABINE_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv), '1002', now)).toEqual([]);
  });

  it('refuses a turn: URL without a secret and a malformed URL, in every environment', () => {
    expect(() => loadConfig({ CABINE_TURN_URLS: 'turn:203.0.113.10:3478' } as NodeJS.ProcessEnv)).toThrow(/CABINE_TURN_SHARED_SECRET/);
    expect(() => loadConfig({ CABINE_TURN_URLS: 'http://203.0.113.10', CABINE_TURN_SHARED_SECRET: turnSecret } as NodeJS.ProcessEnv)).toThrow(/not a stun:\/turn:/);
    expect(() => loadConfig({ CABINE_TURN_URLS: 'turn:a.example:3478?transport=udp&x=1', CABINE_TURN_SHARED_SECRET: turnSecret } as NodeJS.ProcessEnv)).toThrow(/not a stun:\/turn:/);
  });

  it('production refuses an example, short or reused TURN secret, and accepts its own', () => {
    expect(problemsOf(productionEnv())).toEqual([]);
    expect(problemsOf({ ...productionEnv(), CABINE_TURN_SHARED_SECRET: 'replace-with-a-long-random-secret' })).toEqual(['CABINE_TURN_SHARED_SECRET is an example value; generate your own']);
    expect(problemsOf({ ...productionEnv(), CABINE_TURN_SHARED_SECRET: 'Zq8#kL2!vW9@xR4$' })).toEqual(['CABINE_TURN_SHARED_SECRET must be at least 32 characters']);
    const env = productionEnv();
    expect(problemsOf({ ...env, CABINE_TURN_SHARED_SECRET: env['CABINE_SIP_SHARED_SECRET'] ?? '' })).toEqual(['CABINE_TURN_SHARED_SECRET must differ from CABINE_PROXY_SECRET and CABINE_SIP_SHARED_SECRET']);
  });
});
