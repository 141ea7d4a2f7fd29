/**
 * What an office namespace of the call quality test runs besides Chromium (`ip netns exec <office> node
 * --import tsx netns-bridged-office.ts <sip unix socket> <sip domain>`): the web softphone on
 * http://127.0.0.1:8080 (a secure context for getUserMedia, an origin the proxy allows), and a forwarder
 * from the namespace's 127.0.0.1:15080 to a Unix socket whose other end (the test process, in the
 * machine's own namespace) connects to the SIP proxy's WebSocket. A Unix socket is a file, so it crosses
 * network namespaces; no route or address joins the office to the machine. Media never passes here.
 *
 * Prints "ready" once listening; exits when its stdin closes or on SIGTERM.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { rendererDist } from '../../../../scripts/lib/renderer-dist.js';
import { startStaticServer } from '../../../../scripts/lib/static-server.js';

export const bridgedOfficePorts = { web: 8080, sipWs: 15080 } as const;

function forwardToUnix(port: number, path: string): Promise<Server> {
  const server = createServer((inbound) => {
    const outbound = createConnection({ path });
    inbound.pipe(outbound).pipe(inbound);
    const close = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.once('error', close).once('close', close);
    outbound.once('error', close).once('close', close);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function main(): Promise<void> {
  const [sipSocket, domain] = process.argv.slice(2);
  if (sipSocket === undefined || domain === undefined) throw new Error('usage: netns-bridged-office.ts <sip unix socket> <sip domain>');
  const web = await startStaticServer({
    root: rendererDist, host: '127.0.0.1', port: bridgedOfficePorts.web,
    runtimeConfig: { sipServer: `ws://127.0.0.1:${bridgedOfficePorts.sipWs}`, sipDomain: domain },
  });
  const forwarder = await forwardToUnix(bridgedOfficePorts.sipWs, sipSocket);
  const stop = (): void => {
    forwarder.close();
    void web.close().finally(() => process.exit(0));
    // Open WebSockets keep close() waiting: never longer than a second.
    setTimeout(() => process.exit(0), 1_000).unref();
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.stdout.write('ready\n');
}

// Only when run as the namespace's script, not when the test imports the ports.
if (process.argv[1]?.endsWith('netns-bridged-office.ts') === true) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
