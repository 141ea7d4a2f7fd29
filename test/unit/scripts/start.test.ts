import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/lib/free-port.js';

/** Processes whose command line mentions `needle` (from /proc, so no ps parsing). */
async function processesMentioning(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) found.push(Number(entry));
  }
  return found;
}

/**
 * The README's first command, for real: `npm start` brings up the local stack, prints the web softphone's
 * address (no Electron binary here), serves it, and SIGTERM to npm stops everything it started.
 */
describe('npm start', () => {
  let runDir = '';
  afterAll(async () => {
    if (runDir !== '') await rm(runDir, { recursive: true, force: true });
  });

  it('serves the web softphone and leaves nothing behind on SIGTERM', async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-start-'));
    const env = {
      ...process.env,
      CABINE_SKIP_BUILD: '1',
      CABINE_RUN_DIR: runDir,
      CABINE_SIP_WS_PORT: String(await freePort()),
      CABINE_SIP_UDP_PORT: String(await freePort()),
      CABINE_WEB_PORT: String(await freePort()),
      CABINE_MANAGER_PORT: String(await freePort()),
    };
    const npm = spawn('npm', ['start', '--silent'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /^Web softphone: (http:\/\/\S+)$/m.exec(output);
        if (match?.[1] !== undefined) resolve(match[1]);
      };
      npm.stdout.on('data', onData);
      npm.stderr.on('data', onData);
      npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before serving:\n${output}`)));
    });
    expect(output.match(/^Web softphone: /gm)).toHaveLength(1);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    // The page's company sign-in reaches the manager's API from the page's origin (CORS preflight).
    const managerUrl = /^Manager: (http:\/\/\S+)/m.exec(output)?.[1];
    expect(managerUrl).toBeDefined();
    const origin = new URL(url).origin;
    const preflight = await fetch(`${managerUrl}/api/v1/auth/sign-in`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(await processesMentioning(runDir)).not.toHaveLength(0);

    const exited = new Promise<number | null>((resolve) => npm.once('exit', resolve));
    npm.kill('SIGTERM');
    expect(await exited).not.toBeNull();
    // Kamailio, rtpengine, baresip and the manager were all started with the run dir in their arguments.
    await expect.poll(() => processesMentioning(runDir), { timeout: 10_000 }).toEqual([]);
    await expect(fetch(url)).rejects.toThrow();
  }, 90_000);
});
