import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManager } from '../../manager/src/app';
import { isLoopbackHost, loadConfig, sipWsUrlProblem } from '../../manager/src/config';
import { demoUsers } from '../../shared/config/defaults';
import type { Backend, BackendName } from './support/manager-harness';
import { startBackend, testProxySecret, testSipSecret } from './support/manager-harness';
import { startServiceProcess } from './support/service-process';

/** Every demo account, with the password README publishes for it. */
const demoAccounts = [
  { email: 'alice@cabine.test', password: demoUsers[0]?.password ?? 'cabine-1001' },
  { email: 'bruno@cabine.test', password: demoUsers[1]?.password ?? 'cabine-1002' },
  { email: 'chloe@cabine.test', password: demoUsers[2]?.password ?? 'cabine-1003' },
  { email: 'care@cabine.test', password: 'cabine-care' },
];

/**
 * A manager started the way a real deployment would (nothing but a database and a port): no demo company,
 * none of the published demo passwords works. The harness's other suites ask for the seed explicitly.
 */
describe.each<BackendName>(['sqlite', 'postgres'])('manager defaults on %s', (backendName) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await startBackend(backendName);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('seeds nothing on an empty database unless asked, so the demo passwords open nothing', async () => {
    // Only what a deployment must set, no CABINE_SEED_DEMO (the harness's testEnv would add it).
    const config = loadConfig({ ...(await backend.freshEnv()), CABINE_MANAGER_PORT: '0', CABINE_LOG_LEVEL: 'silent' } as NodeJS.ProcessEnv);
    expect(config.seedDemo).toBe(false);
    const manager = await createManager(config);
    try {
      const address = await manager.app.listen({ host: '127.0.0.1', port: 0 });
      expect(await manager.context.repository.store.listCompanies()).toEqual([]);
      for (const account of demoAccounts) {
        expect(await manager.context.repository.store.getUserByEmail(account.email)).toBeNull();
        const response = await fetch(`${address}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(account) });
        expect(response.status).toBe(401);
      }
    } finally {
      await manager.close();
    }
  });
});

describe('CABINE_SIP_WS_URL', () => {
  it.each([
    'ws://127.0.0.1:15080', 'ws://127.1.2.3/sip', 'ws://localhost:15080', 'ws://LOCALHOST', 'ws://[::1]:15080', 'wss://sip.example.fr', 'wss://sip.example.fr:8443/ws',
  ])('accepts %s', (url) => {
    expect(sipWsUrlProblem(url)).toBeNull();
    expect(loadConfig({ CABINE_SIP_WS_URL: url } as NodeJS.ProcessEnv).sipWsUrl).toBe(url);
  });

  it.each([
    ['ws://sip.example.fr:15080', /ws:\/\/ is accepted only for a loopback host .*use wss:\/\/sip\.example\.fr:15080/],
    ['ws://192.168.1.10:15080', /loopback/],
    ['ws://10.0.0.1', /loopback/],
    ['ws://127.0.0.1.evil.example', /loopback/],
    ['ws://localhost.evil.example', /loopback/],
    ['ws://[::2]', /loopback/],
    ['ws://0.0.0.0:15080', /loopback/],
    ['http://127.0.0.1:15080', /must be wss:\/\//],
    ['wss://user:pass@sip.example.fr', /credentials/],
    ['sip.example.fr', /not a URL/],
  ])('refuses %s with a clear error', (url, message) => {
    expect(sipWsUrlProblem(url)).toMatch(message);
    expect(() => loadConfig({ CABINE_SIP_WS_URL: url } as NodeJS.ProcessEnv)).toThrow(/^Invalid manager configuration: CABINE_SIP_WS_URL: /);
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1', '127.255.255.254', 'localhost', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['128.0.0.1', '1.127.0.0', 'example.fr', '[::ffff:127.0.0.1]', ''].some(isLoopbackHost)).toBe(false);
  });

  it('stops the service at start-up with the reason when the URL is plain ws:// to another host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cabine-config-'));
    try {
      await expect(startServiceProcess({
        CABINE_MANAGER_DATA_DIR: dir, CABINE_SIP_WS_URL: 'ws://sip.example.fr:15080', CABINE_PROXY_SECRET: testProxySecret, CABINE_SIP_SHARED_SECRET: testSipSecret,
      })).rejects.toThrow(/manager exited \(1\) before listening: .*CABINE_SIP_WS_URL: ws:\/\/ is accepted only for a loopback host/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
