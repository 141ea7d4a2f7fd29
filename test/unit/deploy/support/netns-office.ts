/**
 * What an office namespace of the NAT tests runs besides Chromium (`ip netns exec <office> node --import tsx
 * netns-office.ts <server address>`): the web softphone on http://127.0.0.1:8080 (a secure context for
 * getUserMedia) and TCP forwarders from the namespace's loopback to the manager and the SIP WebSocket on
 * the public server. The forwarders' connections leave through the office's NAT router like any other
 * traffic, so the proxy sees the router's public address; only the page's view of the URLs is loopback
 * (the app accepts ws:// for loopback only). Media never passes here: the browser's ICE sockets use the
 * office's own interface.
 *
 * Prints "ready" once listening; exits when its stdin closes or on SIGTERM.
 */
import { createConnection, createServer, type Server } from 'node:net';
import { rendererDist } from '../../../../scripts/lib/renderer-dist.js';
import { startStaticServer } from '../../../../scripts/lib/static-server.js';
import { natPorts } from './netns.js';

function forward(port: number, host: string): Promise<Server> {
  const server = createServer((inbound) => {
    const outbound = createConnection({ host, port });
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
  const server = process.argv[2];
  if (server === undefined) throw new Error('usage: netns-office.ts <server address>');
  const web = await startStaticServer({
    root: rendererDist, host: '127.0.0.1', port: natPorts.web, runtimeConfig: { managerUrl: `http://127.0.0.1:${natPorts.manager}` },
  });
  const forwarders = [await forward(natPorts.manager, server), await forward(natPorts.sipWs, server), await forward(natPorts.anchoredSipWs, server)];
  const stop = (): void => {
    for (const forwarder of forwarders) forwarder.close();
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

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
