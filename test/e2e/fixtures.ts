import { test as base } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startKamailio, type RunningKamailio } from '../../deploy/kamailio-process.js';
import { defaultSipDomain, demoUsers, type DemoUser } from '../../shared/config/defaults.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { startStaticServer } from '../../scripts/lib/static-server.js';

/** The local stack one Playwright worker runs its tests against: real Kamailio, the built renderer. */
export interface Stack {
  /** The web softphone, served from dist/renderer. Append `?e2e=1` for the test hooks. */
  readonly webUrl: string;
  readonly sipWsUrl: string;
  readonly domain: string;
  readonly users: readonly DemoUser[];
  readonly kamailio: RunningKamailio;
}

const rendererRoot = resolve('dist/renderer');

export const test = base.extend<object, { stack: Stack }>({
  stack: [
    // Playwright's fixture signature requires the destructuring pattern even when nothing is used.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      if (!existsSync(join(rendererRoot, 'index.html'))) {
        throw new Error('dist/renderer is missing: run `npm run build` before the end-to-end tests');
      }
      const runDir = await mkdtemp(join(tmpdir(), 'cabine-e2e-'));
      const kamailio = await startKamailio({
        runDir,
        wsPort: await freePort(),
        udpPort: await freePort(),
        domain: defaultSipDomain,
        users: demoUsers,
        logFile: join(runDir, 'kamailio.log'),
      });
      const web = await startStaticServer({
        root: rendererRoot,
        port: 0,
        runtimeConfig: { sipServer: kamailio.wsUrl, sipDomain: defaultSipDomain },
      });
      try {
        await use({ webUrl: web.url, sipWsUrl: kamailio.wsUrl, domain: defaultSipDomain, users: demoUsers, kamailio });
      } finally {
        await web.close();
        await kamailio.stop();
        await rm(runDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

export { expect } from '@playwright/test';
