/**
 * wss with a real certificate chain, as a production deployment runs it: Kamailio presents a server
 * certificate issued by an intermediate CA, and a client that trusts only the root (Chromium through its NSS
 * database, Node through `ca`) accepts it, with certificate checks on: no --ignore-certificate-errors, no
 * rejectUnauthorized: false. Controls: the same Chromium without the root refuses the socket, and a Node
 * client asking for a name the certificate does not carry is refused.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKamailio, type RunningKamailio } from '../../../deploy/kamailio-process.js';
import { chromiumArgs, chromiumPath } from '../../../scripts/lib/chromium.js';
import { freeTcpPort, freeUdpPort } from './free-ports.js';
import { chromiumHomeTrusting, issueTestPki, type TestPki } from './support/test-ca.js';

const domain = 'cabine.test';
const serverName = 'sip.cabine.test';

/** What a page saw when it opened the wss socket and sent one REGISTER: the reply's status line, or the failure. */
interface SocketOutcome {
  readonly opened: boolean;
  readonly statusLine: string | null;
  readonly closeCode: number | null;
}

async function registerFromChromium(browser: Browser, pageUrl: string, wssUrl: string): Promise<SocketOutcome> {
  const page = await browser.newPage();
  try {
    await page.goto(pageUrl);
    return await page.evaluate(
      ({ url, realm }) =>
        new Promise<SocketOutcome>((resolve) => {
          const socket = new WebSocket(url, 'sip');
          let opened = false;
          const timer = setTimeout(() => resolve({ opened, statusLine: null, closeCode: -1 }), 10_000);
          socket.onopen = () => {
            opened = true;
            const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
            socket.send([
              `REGISTER sip:${realm} SIP/2.0`,
              `Via: SIP/2.0/WSS ${Math.random().toString(36).slice(2)}.invalid;branch=${branch}`,
              'Max-Forwards: 70',
              `To: <sip:1001@${realm}>`,
              `From: <sip:1001@${realm}>;tag=${Math.random().toString(36).slice(2)}`,
              `Call-ID: ${Math.random().toString(36).slice(2)}`,
              'CSeq: 1 REGISTER',
              `Contact: <sip:1001@${Math.random().toString(36).slice(2)}.invalid;transport=ws>`,
              'Expires: 60',
              'Content-Length: 0',
              '',
              '',
            ].join('\r\n'));
          };
          socket.onmessage = (event) => {
            clearTimeout(timer);
            resolve({ opened, statusLine: String(event.data).split('\r\n')[0] ?? '', closeCode: null });
            socket.close();
          };
          socket.onclose = (event) => {
            clearTimeout(timer);
            resolve({ opened, statusLine: null, closeCode: event.code });
          };
        }),
      { url: wssUrl, realm: domain },
    );
  } finally {
    await page.close();
  }
}

/** A TLS handshake from Node that trusts only `ca`; the peer's chain as presented, or the error. */
function nodeHandshake(port: number, ca: string, servername: string): Promise<{ authorized: boolean; chain: string[]; error: string | null }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername, rejectUnauthorized: true }, () => {
      const chain: string[] = [];
      let certificate: PeerCertificate | undefined = socket.getPeerCertificate(true);
      for (let depth = 0; certificate && depth < 5; depth += 1) {
        chain.push(String(certificate.subject?.CN ?? ''));
        const issuer: PeerCertificate | undefined = (certificate as { issuerCertificate?: PeerCertificate }).issuerCertificate;
        certificate = issuer && issuer !== certificate ? issuer : undefined;
      }
      socket.end();
      resolve({ authorized: socket.authorized, chain, error: null });
    });
    socket.once('error', (error) => resolve({ authorized: false, chain: [], error: error.message }));
  });
}

describe('wss with a certificate chain from a test CA', () => {
  let dir: string;
  let pki: TestPki;
  let kamailio: RunningKamailio;
  let wssPort: number;
  let page: Server;
  let pageUrl: string;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cabine-tls-'));
    pki = await issueTestPki(join(dir, 'pki'), { dns: [serverName], ip: ['127.0.0.1'] });
    page = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>wss</title>'));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const address = page.address();
    pageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    wssPort = await freeTcpPort();
    kamailio = await startKamailio({
      runDir: join(dir, 'kamailio'),
      wsPort: await freeTcpPort(),
      udpPort: await freeUdpPort(),
      wssPort,
      tlsCertificate: { chainFile: pki.chainFile, keyFile: pki.keyFile },
      domain,
      users: [{ username: '1001', password: 'tls-test-1001' }],
      guard: { allowedOrigins: [pageUrl.replace(/\/$/, '')] },
    });
  }, 60_000);

  afterAll(async () => {
    for (const browser of browsers) await browser.close();
    await kamailio?.stop();
    await new Promise((resolve) => page?.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const launch = async (trustRoot: boolean): Promise<Browser> => {
    const home = await chromiumHomeTrusting(await mkdtemp(join(dir, 'home-')), trustRoot ? pki.rootFile : null);
    const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs], env: { ...process.env, HOME: home } });
    browsers.push(browser);
    return browser;
  };

  it('serves the chain: a client trusting only the root validates the server and the intermediate', async () => {
    const result = await nodeHandshake(wssPort, pki.rootPem, serverName);
    expect(result.error).toBeNull();
    expect(result.authorized).toBe(true);
    expect(result.chain.slice(0, 3)).toEqual([serverName, 'Cabine Test Intermediate CA', 'Cabine Test Root CA']);
  });

  it('refuses a client that asks for a name the certificate does not carry', async () => {
    const result = await nodeHandshake(wssPort, pki.rootPem, 'other.cabine.test');
    expect(result.authorized).toBe(false);
    expect(result.error).toMatch(/altnames|does not match/i);
  });

  it('Chromium trusting the test root opens the socket and speaks SIP over it (REGISTER is challenged)', async () => {
    const browser = await launch(true);
    const outcome = await registerFromChromium(browser, pageUrl, kamailio.wssUrl ?? '');
    expect(outcome).toEqual({ opened: true, statusLine: 'SIP/2.0 401 Unauthorized', closeCode: null });
  }, 60_000);

  it('the same Chromium without the test root refuses the certificate: no socket, no SIP', async () => {
    const browser = await launch(false);
    const outcome = await registerFromChromium(browser, pageUrl, kamailio.wssUrl ?? '');
    expect(outcome.opened).toBe(false);
    expect(outcome.statusLine).toBeNull();
    expect(outcome.closeCode).toBe(1006);
  }, 60_000);
});
