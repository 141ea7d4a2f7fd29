import { test as base } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningCarrier } from '../../deploy/carrier-process.js';
import type { RunningKamailio } from '../../deploy/kamailio-process.js';
import { startLocalStack, type LocalStack } from '../../deploy/local-stack.js';
import type { RunningManager } from '../../deploy/manager-process.js';
import type { RunningRtpengine } from '../../deploy/rtpengine-process.js';
import { defaultSipDomain, demoUsers, type DemoUser } from '../../shared/config/defaults.js';
import { startStaticServer } from '../../scripts/lib/static-server.js';
import { rendererDist } from '../../scripts/lib/renderer-dist.js';

/**
 * The local stack one Playwright worker runs its tests against (deploy/local-stack.ts): Kamailio, rtpengine,
 * the manager (demo company, 25 EUR), the carrier stand-in (baresip behind the trunk), and the built renderer.
 */
export interface Stack {
  /** The web softphone, served from dist/renderer. Append `?e2e=1` for the test hooks. */
  readonly webUrl: string;
  readonly sipWsUrl: string;
  readonly domain: string;
  readonly users: readonly DemoUser[];
  readonly kamailio: RunningKamailio;
  readonly manager: RunningManager;
  readonly rtpengine: RunningRtpengine;
  readonly carrier: RunningCarrier;
  /** Every part, for what the fields above do not cover. */
  readonly local: LocalStack;
  /** The worker's run dir (e.g. for a desk phone's baresip config). */
  readonly runDir: string;
}

const rendererRoot = rendererDist;

export const test = base.extend<object, { stack: Stack }>({
  stack: [
    // Playwright's fixture signature requires the destructuring pattern even when nothing is used.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      if (!existsSync(join(rendererRoot, 'index.html'))) {
        throw new Error('dist/renderer is missing: run `npm run build` before the end-to-end tests');
      }
      const runDir = await mkdtemp(join(tmpdir(), 'cabine-e2e-'));
      const local = await startLocalStack({ runDir, domain: defaultSipDomain, users: demoUsers, carrier: 'baresip' });
      const { kamailio, manager, rtpengine, carrier } = local;
      if (manager === undefined || rtpengine === undefined || carrier === undefined) {
        await local.stop();
        throw new Error('the local stack started without its manager, rtpengine or carrier');
      }
      const web = await startStaticServer({
        root: rendererRoot,
        port: 0,
        runtimeConfig: { sipServer: kamailio.wsUrl, sipDomain: defaultSipDomain, managerUrl: manager.url },
      });
      try {
        await use({ webUrl: web.url, sipWsUrl: kamailio.wsUrl, domain: defaultSipDomain, users: demoUsers, kamailio, manager, rtpengine, carrier, local, runDir });
      } finally {
        await web.close();
        await local.stop();
        // CABINE_KEEP_RUN_DIR=1 keeps every process's log for a post-mortem.
        if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') {
          await rm(runDir, { recursive: true, force: true });
        }
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

export { expect } from '@playwright/test';
