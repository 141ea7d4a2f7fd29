/**
 * The servers of the NAT tests' "public" namespace, started from inside it (`ip netns exec <ns> node
 * --import tsx netns-public-stack.ts <runDir>`), so that every port check, readiness probe and socket of the
 * starters (deploy/*-process.ts) is the namespace's: coturn, the manager (demo company, TURN credentials) and
 * Kamailio, all on the server address 203.0.113.10. Calls between two browsers are not anchored by the proxy
 * (kamailio.cfg relays WebRTC-to-plain-RTP and announced calls only), so no rtpengine here.
 *
 * The fresh namespace has nothing listening, so the ports are fixed. The apps reach the manager and the SIP
 * WebSocket through a forwarder on their own namespace's loopback (netns-office.ts) on the same port
 * numbers: the pages stay a secure context (getUserMedia) and ws:// stays loopback-only, while the traffic
 * itself crosses the office's NAT router.
 *
 * Prints one JSON line ({@link PublicStackInfo}) once everything answers, and stops every part when its
 * stdin closes or on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startCoturn } from '../../../../deploy/coturn-process.js';
import { startKamailio } from '../../../../deploy/kamailio-process.js';
import { startManager } from '../../../../deploy/manager-process.js';
import { startRtpengine } from '../../../../deploy/rtpengine-process.js';
import { demoUsers } from '../../../../shared/config/defaults.js';
import { natPorts as publicPorts, type PublicStackInfo } from './netns.js';

async function main(): Promise<void> {
  const runDir = process.argv[2];
  const server = process.argv[3];
  if (runDir === undefined || server === undefined) throw new Error('usage: netns-public-stack.ts <runDir> <server address>');
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.on('end', () => void stopAll());
  process.stdin.on('close', () => void stopAll());
  process.stdin.resume();
  process.on('SIGTERM', () => void stopAll());

  const turnSecret = randomBytes(30).toString('base64url');
  const ephemeralSecret = randomBytes(24).toString('base64url');
  const proxySecret = randomBytes(24).toString('base64url');
  const coturn = await startCoturn({
    runDir: join(runDir, 'coturn'), host: server, port: publicPorts.turn, relayPortMin: publicPorts.relayMin, relayPortMax: publicPorts.relayMax,
    sharedSecret: turnSecret,
  });
  stops.push(coturn.stop);
  const manager = await startManager({
    runDir: join(runDir, 'manager'), host: server, port: publicPorts.manager, sipDomain: 'cabine.test',
    sipWsUrl: `ws://127.0.0.1:${publicPorts.sipWs}`, proxySecret, sipSharedSecret: ephemeralSecret,
    env: {
      CABINE_SCRYPT_LOG_N: '10',
      CABINE_APP_ORIGINS: `http://127.0.0.1:${publicPorts.web}`,
      CABINE_TURN_URLS: coturn.urls.join(','),
      CABINE_TURN_SHARED_SECRET: turnSecret,
    },
  });
  stops.push(manager.stop);
  const kamailio = await startKamailio({
    runDir: join(runDir, 'kamailio'), listenHost: server, wsPort: publicPorts.sipWs, udpPort: publicPorts.sipUdp, domain: 'cabine.test',
    users: demoUsers.map(({ username, password }) => ({ username, password })), ephemeralSecret,
    billing: { apiUrl: `${manager.url}/api/v1`, proxySecret, authorizeTimeoutSeconds: 1 },
    guard: { allowedOrigins: [`http://127.0.0.1:${publicPorts.web}`] },
  });
  stops.push(kamailio.stop);
  // The deployment that forces media through rtpengine: a second proxy with relayAllMedia, the demo users'
  // static SIP passwords (no manager, no TURN), rtpengine on the same public address.
  const rtpengine = await startRtpengine({
    runDir: join(runDir, 'rtpengine'), host: server, ngPort: publicPorts.rtpengineNg, portMin: publicPorts.rtpMin, portMax: publicPorts.rtpMax,
  });
  stops.push(rtpengine.stop);
  const anchored = await startKamailio({
    runDir: join(runDir, 'kamailio-anchored'), listenHost: server, wsPort: publicPorts.anchoredSipWs, udpPort: publicPorts.anchoredSipUdp,
    domain: 'cabine.test', users: demoUsers.map(({ username, password }) => ({ username, password })),
    rtpengineSocket: rtpengine.ngSocket, relayAllMedia: true,
    guard: { allowedOrigins: [`http://127.0.0.1:${publicPorts.web}`] },
  });
  stops.push(anchored.stop);
  const info: PublicStackInfo = {
    server, managerPort: publicPorts.manager, wsPort: publicPorts.sipWs, turnUrls: coturn.urls, turnPort: publicPorts.turn, turnSecret, coturnLog: coturn.logFile,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
