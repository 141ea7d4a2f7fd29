import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createManager } from '../../manager/src/app';
import { loadConfig, sampleRateDeckPath } from '../../manager/src/config';
import { exampleSecrets, ProductionConfigError } from '../../manager/src/production-checks';
import { issueTestPki } from '../unit/deploy/support/test-ca';

/**
 * CABINE_ENV=production refuses to start with anything public: demo data (seeded now or left in the
 * database), missing, short, example or patterned secrets, plain http/ws, insecure cookies, the sample rate
 * deck, cheap password hashing. Each test starts from a configuration that passes and breaks one thing.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cabine-production-'));
  dirs.push(dir);
  return dir;
}

/** A production environment that passes every check, on a fresh SQLite directory and a deck of its own. */
function goodEnv(): Record<string, string> {
  const dir = tempDir();
  const deck = join(dir, 'deck.csv');
  copyFileSync(sampleRateDeckPath, deck);
  return {
    CABINE_ENV: 'production',
    CABINE_MANAGER_PORT: '0',
    CABINE_MANAGER_DATA_DIR: join(dir, 'data'),
    CABINE_MANAGER_PUBLIC_URL: 'https://manager.example.com',
    CABINE_SIP_WS_URL: 'wss://sip.example.com:7443',
    CABINE_PROXY_SECRET: randomBytes(36).toString('base64url'),
    CABINE_SIP_SHARED_SECRET: randomBytes(36).toString('base64url'),
    CABINE_RATE_DECK: deck,
    CABINE_TLS_OFFLOADED: 'true',
    CABINE_LOG_LEVEL: 'silent',
  };
}

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env as NodeJS.ProcessEnv);
    return [];
  } catch (error) {
    if (error instanceof ProductionConfigError) return error.problems;
    throw error;
  }
}

describe('production configuration', () => {
  it('starts with a configuration of its own, and seeds nothing', async () => {
    const config = loadConfig(goodEnv() as NodeJS.ProcessEnv);
    expect(config.environment).toBe('production');
    const manager = await createManager(config);
    try {
      expect(await manager.context.repository.store.getCompany('cmp_demo')).toBeNull();
    } finally {
      await manager.close();
    }
  });

  const broken: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ['the demo seed', { CABINE_SEED_DEMO: 'true' }, /CABINE_SEED_DEMO/],
    ['no proxy secret (it would be generated where Kamailio cannot read it)', { CABINE_PROXY_SECRET: undefined }, /CABINE_PROXY_SECRET must be set/],
    ['no SIP secret', { CABINE_SIP_SHARED_SECRET: undefined }, /CABINE_SIP_SHARED_SECRET must be set/],
    ['a short secret', { CABINE_PROXY_SECRET: 'Zq8#kL2!vW9@xR4$' }, /at least 32/],
    ['an example secret from the docs', { CABINE_PROXY_SECRET: exampleSecrets[0] }, /example value/],
    ['a patterned secret', { CABINE_SIP_SHARED_SECRET: 'abababababababababababababababababab' }, /repeats too few/],
    ['the same secret twice', { CABINE_SIP_SHARED_SECRET: 'same-one-Zq8kL2vW9xR4tY6uI1oP3aS5dF7gH' , CABINE_PROXY_SECRET: 'same-one-Zq8kL2vW9xR4tY6uI1oP3aS5dF7gH' }, /must differ/],
    ['no public URL', { CABINE_MANAGER_PUBLIC_URL: undefined }, /CABINE_MANAGER_PUBLIC_URL/],
    ['an http public URL', { CABINE_MANAGER_PUBLIC_URL: 'http://manager.example.com' }, /CABINE_MANAGER_PUBLIC_URL/],
    ['ws:// on loopback (fine in development)', { CABINE_SIP_WS_URL: 'ws://127.0.0.1:5066' }, /wss:\/\//],
    ['insecure cookies', { CABINE_COOKIE_SECURE: 'false' }, /CABINE_COOKIE_SECURE/],
    ['plain HTTP with no TLS proxy named', { CABINE_TLS_OFFLOADED: undefined }, /HTTPS/],
    ['the sample rate deck', { CABINE_RATE_DECK: undefined }, /CABINE_RATE_DECK/],
    ['cheap password hashing', { CABINE_SCRYPT_LOG_N: '12' }, /CABINE_SCRYPT_LOG_N/],
  ];
  it.each(broken)('refuses %s', (_what, change, expected) => {
    const env = Object.fromEntries(Object.entries({ ...goodEnv(), ...change }).filter(([, value]) => value !== undefined));
    const problems = problemsOf(env);
    expect(problems.some((problem) => expected.test(problem)), problems.join('\n')).toBe(true);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ CABINE_ENV: 'production', CABINE_MANAGER_PORT: '0', CABINE_SEED_DEMO: 'true', CABINE_LOG_LEVEL: 'silent' });
    expect(problems.length).toBeGreaterThanOrEqual(6);
  });

  it('the same environment without CABINE_ENV=production keeps the development defaults', () => {
    expect(problemsOf({ CABINE_MANAGER_PORT: '0', CABINE_SEED_DEMO: 'true', CABINE_LOG_LEVEL: 'silent' })).toEqual([]);
  });

  it('serves HTTPS itself with a certificate chain a client trusting only the root accepts', async () => {
    const pki = await issueTestPki(join(tempDir(), 'pki'), { dns: ['manager.cabine.test'], ip: ['127.0.0.1'] });
    const env = { ...goodEnv(), CABINE_TLS_OFFLOADED: 'false', CABINE_TLS_CERT_FILE: pki.chainFile, CABINE_TLS_KEY_FILE: pki.keyFile };
    const manager = await createManager(loadConfig(env as NodeJS.ProcessEnv));
    try {
      const address = await manager.app.listen({ host: '127.0.0.1', port: 0 });
      const port = Number(new URL(address).port);
      const status = await new Promise<number>((resolve, reject) => {
        httpsGet({ host: '127.0.0.1', port, path: '/readyz', ca: pki.rootPem, servername: 'manager.cabine.test' }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        }).once('error', reject);
      });
      expect(status).toBe(200);
      // Without the root, the same request is refused by the client's certificate check.
      const untrusted = await new Promise<string>((resolve) => {
        httpsGet({ host: '127.0.0.1', port, path: '/readyz' }, () => resolve('accepted')).once('error', (error) => resolve(error.message));
      });
      expect(untrusted).toMatch(/certificate/i);
    } finally {
      await manager.close();
    }
  });

  it('refuses a certificate without its key', () => {
    expect(() => loadConfig({ ...goodEnv(), CABINE_TLS_CERT_FILE: '/etc/ssl/cert.pem' } as NodeJS.ProcessEnv)).toThrow(/go together/);
  });

  it('refuses a database a trial run left the demo data in', async () => {
    const env = goodEnv();
    // The trial: same data directory, development mode, demo seeded.
    const trial = await createManager(loadConfig({ ...env, CABINE_ENV: 'development', CABINE_SEED_DEMO: 'true', CABINE_SCRYPT_LOG_N: '10' } as NodeJS.ProcessEnv));
    await trial.close();
    const start = createManager(loadConfig(env as NodeJS.ProcessEnv));
    await expect(start).rejects.toBeInstanceOf(ProductionConfigError);
    await expect(start).rejects.toThrow(/demo company.*|demo account/);
  });
});
