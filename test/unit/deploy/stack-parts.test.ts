/**
 * The pure parts of the stack's process modules (wire formats, generated config) and their option
 * validation, plus the readiness of rtpengine and the sipp carrier on their own.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netstring, parseNetstrings, startBaresip, toneWav } from '../../../deploy/baresip-process.js';
import { startCarrier } from '../../../deploy/carrier-process.js';
import { StackStartError, freeUdpPort } from '../../../deploy/child-process.js';
import { emergencyPattern, kamailioTemplateFile, originPattern, ownRoutePattern, renderTrunkRoute } from '../../../deploy/kamailio-config.js';
import { startKamailio } from '../../../deploy/kamailio-process.js';
import { startLocalStack } from '../../../deploy/local-stack.js';
import { startManager } from '../../../deploy/manager-process.js';
import { bdecode, bencode, startRtpengine } from '../../../deploy/rtpengine-process.js';
import { uacScenario } from '../../../deploy/sipp-client.js';
import { refusalReasonSchema } from '../../../shared/api/call-schemas.js';
import { emergencyNumbersFor } from '../../../shared/numbering/emergency-numbers.js';

describe('wire formats', () => {
  it('bencodes and decodes the ng protocol’s dictionaries (BEP 3: sorted keys)', () => {
    const value = { command: 'query', 'call-id': 'a@b', list: ['x', 1], nested: { n: -2 } };
    const encoded = bencode(value);
    expect(encoded).toBe('d7:call-id3:a@b7:command5:query4:listl1:xi1ee6:nestedd1:ni-2eee');
    expect(bdecode(Buffer.from(encoded))).toEqual(value);
    expect(() => bdecode(Buffer.from('d3:abc'))).toThrow(/malformed/);
  });

  it('frames ctrl_tcp netstrings and keeps an incomplete tail for later', () => {
    const framed = Buffer.from(netstring('{"a":1}') + netstring('{"b":"é"}') + '9:{"c"');
    const { messages, rest } = parseNetstrings(framed);
    expect(messages).toEqual(['{"a":1}', '{"b":"é"}']);
    expect(rest.toString()).toBe('9:{"c"');
  });

  it('writes an 8 kHz mono 16-bit WAV tone of the asked length', () => {
    const wav = toneWav(440, 2);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(8_000);
    expect(wav.length).toBe(44 + 2 * 8_000 * 2);
  });
});

describe('generated Kamailio routing', () => {
  it('allows exactly the configured WebSocket origins (":*" = any port), nothing that merely starts like one', () => {
    const allowed = new RegExp(originPattern(['cabine://app', 'http://127.0.0.1:*', 'https://phone.example.com']));
    for (const origin of ['cabine://app', 'http://127.0.0.1', 'http://127.0.0.1:15173', 'https://phone.example.com']) {
      expect(allowed.test(origin), origin).toBe(true);
    }
    for (const origin of ['https://evil.example', 'http://127.0.0.1.evil.example', 'http://127.0.0.1:80.evil.example', 'cabine://app.evil', 'https://phone.example.com.evil.example', 'http://127x0x0x1', 'null']) {
      expect(allowed.test(origin), origin).toBe(false);
    }
  });

  it('recognises a Route set that names only the proxy (one or two entries), and nothing with a detour', () => {
    const own = new RegExp(ownRoutePattern(['127.0.0.1', 'cabine.test']));
    expect(own.test('<sip:127.0.0.1:5060;lr;ftag=a;did=1.2>')).toBe(true);
    expect(own.test('<sip:127.0.0.1:15080;transport=ws;r2=on;lr;ftag=a>, <sip:127.0.0.1:15060;r2=on;lr;ftag=a>')).toBe(true);
    expect(own.test('<sip:cabine.test;lr>')).toBe(true);
    expect(own.test('<sip:127.0.0.1:5060;lr>, <sip:127.0.0.9:5060;lr>')).toBe(false);
    expect(own.test('<sip:127.0.0.12:5060;lr>')).toBe(false);
    expect(own.test('<sip:127.0.0.1.evil:5060;lr>')).toBe(false);
    expect(own.test('<sip:127.0.0.1;lr>, <sip:127.0.0.1;lr>, <sip:127.0.0.1;lr>')).toBe(false);
  });

  it('matches exactly the emergency short codes of shared/numbering', () => {
    const pattern = new RegExp(emergencyPattern(emergencyNumbersFor('FR')));
    for (const code of ['112', '15', '17', '18', '116000']) expect(pattern.test(code)).toBe(true);
    for (const other of ['1120', '0112', '+112', '1001', '3615']) expect(pattern.test(other)).toBe(false);
  });

  it('renders the trunk’s prefix rules, first match wins, always a valid block', () => {
    expect(renderTrunkRoute(undefined)).toContain('route[TRUNK_NUMBER] {\n\treturn;\n}');
    const route = renderTrunkRoute({ address: '127.0.0.1:5060', prefixRules: [{ prefix: '+', strip: 1, prepend: '00' }] });
    expect(route).toContain('if ($rU =~ "^\\+") {');
    expect(route).toContain('$rU = "00" + $(rU{s.substr,1,0});');
  });

  it('answers every refusal reason of the manager with its own SIP status and reason phrase', async () => {
    const config = await readFile(kamailioTemplateFile, 'utf8');
    const authorize = config.slice(config.indexOf('route[AUTHORIZE_OFFNET]'));
    expect(authorize).toContain('append_to_reply("X-Cabine-Refusal: $var(reason)\\r\\n");');
    for (const reason of refusalReasonSchema.options) {
      const answer = new RegExp(`case "${reason}":\\s*(?:#[^\\n]*\\s*)?t_reply\\("(4\\d\\d)", "([^"]+)"\\);`).exec(authorize);
      expect(answer, reason).not.toBeNull();
      expect(answer?.[2], reason).not.toBe('Call Not Authorized');
    }
    expect(authorize).toMatch(/case "class_blocked":\s*#[^\n]*\s*t_reply\("403", "Destination Blocked"\);/);
  });

  it('generates sipp scenarios that authenticate and follow Record-Route', () => {
    const answered = uacScenario({ expectStatus: 200, holdMs: 10 });
    expect(answered).toContain('<recv response="407" auth="true" />');
    expect(answered).toContain('rrs="true"');
    expect(answered).toContain('[routes]');
    const refused = uacScenario({ expectStatus: 402 });
    expect(refused).toContain('<recv response="402" rtd="1" />');
    expect(refused).not.toContain('BYE');
    const blocked = uacScenario({ expectStatus: 403, expectRefusal: 'class_blocked' });
    expect(blocked).toContain('<recv response="403" rtd="1">');
    expect(blocked).toContain('header="X-Cabine-Refusal:" check_it="true"');
    expect(() => uacScenario({ expectStatus: 403, expectRefusal: '" /><exec command="x' })).toThrow(/refusal token/);
  });
});

describe('option validation names the problem', () => {
  const rejects = async (start: Promise<unknown>, message: RegExp): Promise<void> => {
    await expect(start).rejects.toBeInstanceOf(StackStartError);
    await expect(start).rejects.toThrow(message);
  };

  it('refuses bad options before starting anything', async () => {
    await rejects(startManager({ runDir: 'relative', port: 1, sipDomain: 'cabine.test', sipWsUrl: 'ws://x' }), /runDir: must be an absolute path/);
    await rejects(startManager({ runDir: '/tmp/x', port: 1, sipDomain: 'cabine.test', sipWsUrl: 'ws://x', proxySecret: 'short' }), /proxySecret/);
    await rejects(startRtpengine({ runDir: '/tmp/x', ngPort: 40_000, portMin: 40_000, portMax: 40_010 }), /ngPort must be outside/);
    await rejects(startRtpengine({ runDir: '/tmp/x', ngPort: 1, portMin: 40_000, portMax: 40_001 }), /at least 4 ports/);
    await rejects(startCarrier({ runDir: '/tmp/x', sipPort: 5, rtpPortMin: 10, rtpPortMax: 20 }), /needs a ctrlPort/);
    await rejects(
      startBaresip({ runDir: '/tmp/x', sipPort: 5, ctrlPort: 6, rtpPortMin: 10, rtpPortMax: 20, account: { role: 'carrier' } }),
      /ctrlPort must differ/,
    );
    await rejects(
      startBaresip({
        runDir: '/tmp/x', sipPort: 5, ctrlPort: 9, rtpPortMin: 10, rtpPortMax: 20,
        account: { role: 'desk-phone', username: '1002', password: 'a;b', domain: 'cabine.test', registrar: '127.0.0.1:5060' },
      }),
      /password/,
    );
    await rejects(startLocalStack({ runDir: 'relative' }), /runDir/);
    await rejects(startLocalStack({ runDir: '/tmp/cabine-never-started', trunkAddress: '127.0.0.1:9' }), /trunkAddress replaces the carrier stand-in: set carrier: false/);
  });

  it('refuses secrets and trunk rules that would break the Kamailio config', async () => {
    const base = { runDir: '/tmp/cabine-never-started', wsPort: 1, udpPort: 2, domain: 'cabine.test', users: [{ username: '1001', password: 'p' }] };
    await expect(startKamailio({ ...base, ephemeralSecret: 'has!bang-and-is-long-enough' })).rejects.toThrow(/ephemeralSecret/);
    await expect(
      startKamailio({ ...base, trunk: { address: '127.0.0.1:5060', prefixRules: [{ prefix: '+"', strip: 0, prepend: '' }] } }),
    ).rejects.toThrow(/prefix/);
  });
});

describe('rtpengine and the sipp carrier start on their own', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-stack-parts-'));
  });
  afterAll(async () => {
    await rm(runDir, { recursive: true, force: true });
  });

  it('rtpengine answers ng pings and lists no calls, then stops', async () => {
    const rtpengine = await startRtpengine({ runDir: join(runDir, 'rtpengine'), ngPort: await freeUdpPort(), portMin: 41_000, portMax: 41_099 });
    try {
      expect(await rtpengine.command({ command: 'ping' })).toEqual({ result: 'pong' });
      expect(await rtpengine.callIds()).toEqual([]);
    } finally {
      await rtpengine.stop();
    }
  });

  it('the sipp carrier holds its UDP port until stopped, and refuses a busy one', async () => {
    const sipPort = await freeUdpPort();
    const carrier = await startCarrier({ runDir: join(runDir, 'carrier'), engine: 'sipp', sipPort, rtpPortMin: await freeUdpPort(), rtpPortMax: 65_000 });
    try {
      expect(carrier.address).toBe(`127.0.0.1:${sipPort}`);
      await expect(startCarrier({ runDir: join(runDir, 'carrier2'), engine: 'sipp', sipPort, rtpPortMin: 41_500, rtpPortMax: 41_501 })).rejects.toThrow(/already in use/);
    } finally {
      await carrier.stop();
    }
  });
});
