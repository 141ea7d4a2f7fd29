/**
 * Runs the development SIP server in the foreground until Ctrl-C:
 *
 *   npx tsx deploy/kamailio-run.ts
 *
 * Ports, domain and demo users come from shared/config/defaults.ts; override the ports with
 * CABINE_SIP_WS_PORT, CABINE_SIP_UDP_PORT and CABINE_SIP_WSS_PORT (setting the latter turns wss on), and the
 * run dir with CABINE_KAMAILIO_RUN_DIR (default .run/kamailio). The log goes to <run dir>/kamailio.log.
 */
import { resolve } from 'node:path';
import { defaultPorts, defaultSipDomain, demoUsers } from '../shared/config/defaults.js';
import { startKamailio } from './kamailio-process.js';

function portFromEnv(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || value < 1 || value > 65535) {
    throw new Error(`${name} must be a port between 1 and 65535, not "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const runDir = resolve(process.env['CABINE_KAMAILIO_RUN_DIR'] ?? '.run/kamailio');
  const wssPort = portFromEnv('CABINE_SIP_WSS_PORT', undefined);
  const server = await startKamailio({
    runDir,
    wsPort: portFromEnv('CABINE_SIP_WS_PORT', defaultPorts.sipWs) ?? defaultPorts.sipWs,
    udpPort: portFromEnv('CABINE_SIP_UDP_PORT', defaultPorts.sipUdp) ?? defaultPorts.sipUdp,
    ...(wssPort === undefined ? {} : { wssPort }),
    domain: defaultSipDomain,
    users: demoUsers,
  });

  console.log(`Kamailio ${server.pid} running; run dir ${runDir} (log: kamailio.log)`);
  console.log(`  ws:  ${server.wsUrl}`);
  if (server.wssUrl !== undefined) {
    console.log(`  wss: ${server.wssUrl} (self-signed certificate)`);
  }
  console.log(`  udp: port ${server.udpPort}`);
  console.log(`  domain ${defaultSipDomain}; users ${demoUsers.map((user) => `${user.username}/${user.password}`).join(', ')}`);
  console.log('Ctrl-C to stop.');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`${signal}: stopping Kamailio…`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
