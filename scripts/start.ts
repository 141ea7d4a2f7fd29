/**
 * `npm start`: builds what the app needs, starts the local stack (deploy/local-stack.ts: Kamailio, rtpengine,
 * the manager with its demo company, the carrier stand-in behind the trunk) and opens Cabine — the
 * desktop window where an Electron binary and a display exist, otherwise the same renderer served as a
 * web softphone on localhost. Stays in the foreground; Ctrl-C or SIGTERM stops everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startLocalStack } from '../deploy/local-stack.js';
import { defaultPorts, defaultSipDomain, demoUsers } from '../shared/config/defaults.js';
import { findElectronBinary, hasDisplay } from './lib/electron-binary.js';
import { envPort } from './lib/env-port.js';
import { startStaticServer } from './lib/static-server.js';

type Stop = () => Promise<void>;

const stops: Stop[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => console.error('While stopping:', error));
    }
  }
  process.exit(code);
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll(0));

  const ports = {
    sipWs: envPort('CABINE_SIP_WS_PORT', defaultPorts.sipWs),
    sipUdp: envPort('CABINE_SIP_UDP_PORT', defaultPorts.sipUdp),
    web: envPort('CABINE_WEB_PORT', defaultPorts.web),
    manager: envPort('CABINE_MANAGER_PORT', defaultPorts.manager),
  };

  if (process.env.CABINE_SKIP_BUILD !== '1') await run('npm', ['run', '--silent', 'bundle']);

  const runDir = resolve(process.env.CABINE_RUN_DIR ?? '.run/stack');
  await mkdir(runDir, { recursive: true });
  const stack = await startLocalStack({
    runDir,
    domain: defaultSipDomain,
    users: demoUsers,
    ports: { sipWs: ports.sipWs, sipUdp: ports.sipUdp, manager: ports.manager },
    carrier: 'baresip',
    // Paid calls hear the balance before they connect (espeak-ng prompts played by rtpengine).
    announcements: true,
    // The web softphone calls the manager's API from its own origin (CORS, manager/src/http/app-cors.ts).
    managerEnv: { CABINE_APP_ORIGINS: `http://127.0.0.1:${ports.web},http://localhost:${ports.web}` },
  });
  stops.push(() => stack.stop());
  const { kamailio, manager, carrier } = stack;
  // One Kamailio serves every company's SIP domain: the demo company's and any onboarded in the manager.
  console.log(`SIP server: ${kamailio.wsUrl} (every company's SIP domain; demo ${defaultSipDomain}, users ${demoUsers.map((u) => u.username).join(', ')})`);
  if (manager !== undefined) console.log(`Manager: ${manager.url} (demo admin alice@cabine.test / cabine-1001)`);
  if (carrier !== undefined) console.log(`Carrier stand-in: ${carrier.address} (answers any number; logs in ${runDir})`);

  const runtimeConfig = { sipServer: kamailio.wsUrl, sipDomain: defaultSipDomain, ...(manager === undefined ? {} : { managerUrl: manager.url }) };
  const electron = findElectronBinary();
  if (electron && hasDisplay()) {
    const app: ChildProcess = spawn(electron, [resolve('.')], {
      stdio: 'inherit',
      env: { ...process.env, CABINE_RUNTIME_CONFIG: JSON.stringify(runtimeConfig) },
    });
    stops.push(async () => {
      if (app.exitCode === null) app.kill('SIGTERM');
    });
    app.once('exit', (code) => void stopAll(code ?? 0));
    console.log('Desktop app started.');
    return;
  }

  const web = await startStaticServer({ root: resolve('dist/renderer'), port: ports.web, runtimeConfig });
  stops.push(() => web.close());
  const why = electron ? 'no display' : 'no Electron binary on this machine';
  console.log(`(${why}: serving the renderer as a web softphone; Ctrl-C stops everything)`);
  console.log(`Web softphone: ${web.url}`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
});
