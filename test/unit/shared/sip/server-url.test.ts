import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSipServerUrl, isLoopbackHost } from '../../../../shared/sip/server-url.js';

describe('checkSipServerUrl', () => {
  it.each([
    'wss://sip.example.fr',
    'wss://sip.example.fr:7443/ws',
    'wss://203.0.113.7:8443',
    'wss://[2001:db8::1]:443/sip',
    'ws://127.0.0.1:15080',
    'ws://127.1.2.3',
    'ws://localhost:15080/ws',
    'ws://LOCALHOST',
    'ws://[::1]:15080',
    'ws://[0:0:0:0:0:0:0:1]',
    'ws://[0000::0001]',
  ])('%s is accepted', (url) => {
    expect(checkSipServerUrl(url)).toBe('ok');
  });

  it.each([
    'ws://sip.example.fr',
    'ws://10.0.0.5:5066',
    'ws://192.168.1.10',
    'ws://128.0.0.1',
    'ws://[2001:db8::1]',
    'ws://[::2]',
    // Not loopback to the browser, or not the same host to every parser.
    'ws://127.0.0.1.evil.example',
    'ws://localhost.evil.example',
    'ws://0127.0.0.1',
    'ws://127.1',
    'ws://2130706433',
    'ws://127.0.0.1.',
  ])('%s needs wss://', (url) => {
    expect(checkSipServerUrl(url)).toBe('insecure');
  });

  it.each([
    '',
    'sip.example.fr',
    'https://sip.example.fr',
    'WSS://sip.example.fr',
    'wss://',
    'wss:// sip.example.fr',
    'ws://127.0.0.1@evil.example',
    'ws://user:pass@127.0.0.1',
    'ws://127.0.0.1\\@evil.example',
    'ws://127.0.0.%31',
    'ws://127.0.0.1:0',
    'ws://127.0.0.1:65536',
    'ws://127.0.0.1:15080#frag',
    'ws://[::1',
    'ws://[1::2::3]',
    // IPv6 with an embedded IPv4 part is not parsed at all.
    'ws://[::ffff:127.0.0.1]',
    'ws://a..b',
    `wss://${'a'.repeat(600)}.fr`,
  ])('%j is malformed', (url) => {
    expect(checkSipServerUrl(url)).toBe('malformed');
  });

  it('never calls ws:// ok when the WHATWG URL parser (what the browser connects to) sees another host', () => {
    const pieces = ['127', '0', '1', '010', '255', '.', ':', '::', '[', ']', 'ffff', 'localhost', 'LocalHost', 'evil', '%31', '@', '\\', '-', 'x'];
    const hostPart = fc.oneof(
      fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 9 }).map((parts) => parts.join('')),
      fc.stringMatching(/^[0-9a-fA-F:.[\]%@\\xlocahstLOCAHST-]{1,24}$/),
    );
    fc.assert(
      fc.property(hostPart, fc.option(fc.integer({ min: 0, max: 70_000 })), (host, port) => {
        const url = `ws://${host}${port === null ? '' : `:${port}`}`;
        if (checkSipServerUrl(url) !== 'ok') return;
        const hostname = new URL(url).hostname;
        expect(hostname === 'localhost' || hostname === 'localhost.' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.255.255.255', true],
    ['[::1]', true],
    ['127.0.0.256', false],
    ['127.00.0.1', false],
    ['::1', false],
    ['example.com', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
