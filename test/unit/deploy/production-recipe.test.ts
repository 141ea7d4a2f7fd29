/**
 * The production recipe in deploy/production/ holds up: the Kamailio renderer refuses the example
 * environment as shipped, renders a configuration Kamailio accepts from a filled-in one, and that
 * configuration serves wss with the operator's certificate chain and no static SIP account; the systemd
 * units verify without a warning; rtpengine starts from the shipped rtpengine.conf and answers its control
 * protocol. Everything on loopback, on free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductionKamailioError, renderProductionKamailio } from '../../../deploy/production/render-kamailio.js';
import { freeTcpPort, freeUdpPort } from './free-ports.js';
import { issueTestPki, type TestPki } from './support/test-ca.js';

const run = promisify(execFile);
const recipe = (name: string) => new URL(`../../../deploy/production/${name}`, import.meta.url).pathname;

/** The shipped example environment file as key → value. */
async function exampleEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const line of (await readFile(recipe('cabine.env.example'), 'utf8')).split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}

/** Resolves once `port` on 127.0.0.1 completes a TLS handshake trusting `ca` (bounded: 100 tries, 100 ms apart). */
async function handshake(port: number, ca: string, servername: string): Promise<{ authorized: boolean; error: string | null }> {
  let last = 'never tried';
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const outcome = await new Promise<{ authorized: boolean; error: string | null }>((resolve) => {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername }, () => {
        socket.end();
        resolve({ authorized: socket.authorized, error: null });
      });
      socket.once('error', (error) => resolve({ authorized: false, error: error.message }));
    });
    if (outcome.error === null || !/ECONNREFUSED/.test(outcome.error)) return outcome;
    last = outcome.error;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { authorized: false, error: last };
}

describe('the production recipe', () => {
  let dir: string;
  let pki: TestPki;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cabine-recipe-'));
    pki = await issueTestPki(join(dir, 'pki'), { dns: ['sip.cabine.test'], ip: ['127.0.0.1'] });
  }, 30_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses to render Kamailio from the example environment as shipped', async () => {
    const env = { ...(await exampleEnv()), CABINE_KAMAILIO_DIR: join(dir, 'refused') };
    const outcome = await renderProductionKamailio(env).then(() => null, (error: unknown) => error);
    expect(outcome).toBeInstanceOf(ProductionKamailioError);
    const problems = (outcome as ProductionKamailioError).problems.join('\n');
    expect(problems).toMatch(/CABINE_PROXY_SECRET is an example value/);
    expect(problems).toMatch(/CABINE_SIP_SHARED_SECRET is an example value/);
    expect(problems).toMatch(/CABINE_SIP_TLS_CHAIN_FILE: no such file/);
  });

  it('refuses a manager URL that would carry the proxy secret in clear over the network', async () => {
    const env = {
      ...(await exampleEnv()),
      CABINE_PROXY_SECRET: randomBytes(36).toString('base64url'), CABINE_SIP_SHARED_SECRET: randomBytes(36).toString('base64url'),
      CABINE_SIP_TLS_CHAIN_FILE: pki.chainFile, CABINE_SIP_TLS_KEY_FILE: pki.keyFile,
      CABINE_MANAGER_API_URL: 'http://manager.example.com/api/v1', CABINE_KAMAILIO_DIR: join(dir, 'clear'),
    };
    await expect(renderProductionKamailio(env)).rejects.toThrow(/CABINE_MANAGER_API_URL must be https/);
  });

  it('renders from a filled-in environment a configuration that serves wss with the chain and has no static account', async () => {
    const runDir = join(dir, 'kamailio');
    const [udpPort, wsPort, wssPort] = [await freeUdpPort(), await freeTcpPort(), await freeTcpPort()];
    const env = {
      ...(await exampleEnv()),
      CABINE_PROXY_SECRET: randomBytes(36).toString('base64url'), CABINE_SIP_SHARED_SECRET: randomBytes(36).toString('base64url'),
      CABINE_SIP_TLS_CHAIN_FILE: pki.chainFile, CABINE_SIP_TLS_KEY_FILE: pki.keyFile,
      CABINE_SIP_LISTEN_ADDRESS: '127.0.0.1', CABINE_SIP_UDP_PORT: String(udpPort), CABINE_SIP_WS_PORT: String(wsPort), CABINE_SIP_WSS_PORT: String(wssPort),
      CABINE_MANAGER_API_URL: 'http://127.0.0.1:9/api/v1', CABINE_TRUNK_ADDRESS: '127.0.0.1:9', CABINE_KAMAILIO_DIR: runDir,
    };
    const rendered = await renderProductionKamailio(env);
    // The secrets are readable by the service user only; the subscriber table lists nobody.
    expect((await stat(join(runDir, 'cabine-local.cfg'))).mode & 0o077).toBe(0);
    const subscribers = (await readFile(join(runDir, 'db', 'subscriber'), 'utf8')).split('\n').filter((line) => line.trim() !== '' && !line.startsWith('id('));
    expect(subscribers).toEqual([]);

    const kamailio = spawn('kamailio', ['-f', rendered.configFile, '-DD', '-E'], { cwd: runDir, stdio: 'ignore' });
    children.push(kamailio);
    const result = await handshake(wssPort, pki.rootPem, 'sip.cabine.test');
    kamailio.kill('SIGTERM');
    expect(result).toEqual({ authorized: true, error: null });
  }, 60_000);

  it('ships systemd units that verify without a warning (and the verifier does warn here)', async () => {
    const units = ['cabine-manager.service', 'cabine-kamailio-config.service'].map((name) => recipe(`systemd/${name}`));
    const clean = await run('systemd-analyze', ['verify', ...units]).then(({ stderr }) => stderr, (error: { stderr?: string }) => `failed: ${error.stderr ?? ''}`);
    expect(clean).toBe('');
    // Debian's kamailio.service with the drop-in's settings merged in.
    const merged = join(dir, 'kamailio-with-cabine.service');
    const debian = await readFile('/lib/systemd/system/kamailio.service', 'utf8');
    const dropIn = await readFile(recipe('systemd/kamailio.service.d/cabine.conf'), 'utf8');
    const sections = [...dropIn.matchAll(/\[(\w+)\]([^[]*)/g)];
    const settings = (section: string) => sections.filter((match) => match[1] === section).map((match) => match[2]).join('');
    await writeFile(merged, debian.replace('[Service]', `${settings('Unit')}\n[Service]${settings('Service')}`));
    const dependencies = ['cabine-kamailio-config.service', 'cabine-manager.service'];
    for (const name of dependencies) await copyFile(recipe(`systemd/${name}`), join(dir, name));
    const mergedOutcome = await run('systemd-analyze', ['verify', merged], { cwd: dir }).then(({ stderr }) => stderr, (error: { stderr?: string }) => `failed: ${error.stderr ?? ''}`);
    expect(mergedOutcome.split('\n').filter((line) => line.trim() !== '' && !/rtpengine-daemon\.service|postgresql\.service/.test(line))).toEqual([]);
    // Control: a unit with a key systemd does not know is reported.
    const bad = join(dir, 'control.service');
    await writeFile(bad, '[Unit]\nDescription=control\n[Service]\nExecStart=/usr/bin/true\nRestartt=always\n');
    const control = await run('systemd-analyze', ['verify', bad]).then(({ stderr }) => stderr, (error: { stderr?: string }) => error.stderr ?? '');
    expect(control).toMatch(/Unknown key 'Restartt'/);
  }, 30_000);

  it('starts rtpengine from the shipped rtpengine.conf, which answers ng ping', async () => {
    const ngPort = await freeUdpPort();
    const conf = (await readFile(recipe('rtpengine.conf'), 'utf8'))
      .replace(/^interface = .*$/m, 'interface = 127.0.0.1')
      .replace(/^listen-ng = .*$/m, `listen-ng = 127.0.0.1:${ngPort}`);
    const file = join(dir, 'rtpengine.conf');
    await writeFile(file, `${conf}\nforeground = true\nlog-stderr = true\n`);
    const rtpengine = spawn('rtpengine', ['--config-file', file, '--pidfile', join(dir, 'rtpengine.pid')], { stdio: 'ignore' });
    children.push(rtpengine);
    const socket = createSocket('udp4');
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('rtpengine did not answer ng ping within 10 s')), 10_000);
        socket.on('message', (message) => {
          clearTimeout(timer);
          clearInterval(resend);
          resolve(message.toString());
        });
        // ng over UDP: "<cookie> <bencoded dictionary>"; resent until the daemon listens (bounded by the timer).
        const ping = () => socket.send('cabine1 d7:command4:pinge', ngPort, '127.0.0.1');
        const resend = setInterval(ping, 200);
        ping();
      });
      expect(reply).toBe('cabine1 d6:result4:ponge');
    } finally {
      socket.close();
      rtpengine.kill('SIGTERM');
    }
  }, 30_000);
});
