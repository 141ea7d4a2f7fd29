// The shared manager client and the live wallet stream, over a fake fetch (the network seam).
import { describe, expect, it } from 'vitest';
import { createManagerClient, type FetchLike, type FetchResponseLike } from '../../../shared/manager-link/manager-client.js';
import { isOnOrigin, parseManagerUrl } from '../../../shared/manager-link/manager-url.js';
import { createSseParser } from '../../../shared/manager-link/sse-parser.js';
import { startWalletStream, type WalletUpdate } from '../../../shared/manager-link/wallet-stream.js';

function json(status: number, body: unknown): FetchResponseLike {
  return { status, json: async () => body, body: null };
}

function streamOf(chunks: string[]): FetchResponseLike {
  const encoder = new TextEncoder();
  let index = 0;
  return {
    status: 200,
    json: async () => ({}),
    body: {
      getReader: () => ({
        read: async () => (index < chunks.length ? { done: false, value: encoder.encode(chunks[index++] ?? '') } : { done: true }),
        cancel: async () => undefined,
      }),
    },
  };
}

describe('manager URL', () => {
  it.each([
    ['https://manager.example.fr', 'https://manager.example.fr'],
    ['manager.example.fr/', 'https://manager.example.fr'],
    ['HTTPS://Manager.Example.FR:443/prepaid', 'https://manager.example.fr'],
    ['http://127.0.0.1:15000', 'http://127.0.0.1:15000'],
    ['http://localhost:8080/', 'http://localhost:8080'],
  ])('%s → %s', (input, origin) => {
    expect(parseManagerUrl(input)).toEqual({ ok: true, origin });
  });

  it('refuses plain http off loopback, credentials, other schemes and junk', () => {
    expect(parseManagerUrl('http://manager.example.fr')).toEqual({ ok: false, reason: 'insecure' });
    for (const bad of ['', 'ftp://x.fr', 'https://user:pw@x.fr', 'javascript:alert(1)', 'https://exa mple.fr', 'https://x.fr:99999']) {
      expect(parseManagerUrl(bad).ok, bad).toBe(false);
    }
  });

  it('locks to one origin', () => {
    expect(isOnOrigin('https://m.example.fr/prepaid/add-funds', 'https://m.example.fr')).toBe(true);
    expect(isOnOrigin('https://m.example.fr.evil.example/', 'https://m.example.fr')).toBe(false);
    expect(isOnOrigin('https://m.example.fr:8443/', 'https://m.example.fr')).toBe(false);
    expect(isOnOrigin('m.example.fr/', 'https://m.example.fr')).toBe(false);
  });
});

describe('manager client', () => {
  it('sends the bearer token and parses answers with the shared schemas', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const fetch: FetchLike = async (url, init) => {
      seen.push({ url, headers: init.headers });
      return json(200, { countries: [{ country: 'US', name: 'United States' }] });
    };
    const client = createManagerClient({ origin: 'https://m.example.fr', fetch, token: () => 'tok_abcdefghijklmnopqrstuvwxyz' });
    expect(await client.rateCountries()).toEqual({ ok: true, value: { countries: [{ country: 'US', name: 'United States' }] } });
    expect(seen[0]?.url).toBe('https://m.example.fr/api/v1/rates/countries');
    expect(seen[0]?.headers['authorization']).toBe('Bearer tok_abcdefghijklmnopqrstuvwxyz');
    await client.quote('+1 650 253 0000');
    expect(seen[1]?.url).toBe('https://m.example.fr/api/v1/quote?number=%2B1%20650%20253%200000');
  });

  it('maps failures to kinds the UI can act on', async () => {
    const answering = (status: number, body: unknown = { error: { code: 'x', message: 'm' } }) =>
      createManagerClient({ origin: 'https://m.example.fr', fetch: async () => json(status, body), token: () => 't' });
    expect(await answering(401).signIn({ email: 'a@b.fr', password: 'x' })).toMatchObject({ ok: false, failure: { kind: 'invalid-credentials' } });
    expect(await answering(401).wallet()).toMatchObject({ ok: false, failure: { kind: 'signed-out' } });
    expect(await answering(403).setAutoRefill({ enabled: true, thresholdMinor: 500, amountMinor: 2500 })).toMatchObject({ ok: false, failure: { kind: 'forbidden' } });
    expect(await answering(400).wallet()).toMatchObject({ ok: false, failure: { kind: 'refused', code: 'x' } });
    expect(await answering(500).wallet()).toMatchObject({ ok: false, failure: { kind: 'server' } });
    // An answer outside the contract is the manager's fault, never passed on.
    expect(await answering(200, { balanceMinor: 'lots' }).wallet()).toMatchObject({ ok: false, failure: { kind: 'server' } });
    const down = createManagerClient({ origin: 'https://m.example.fr', fetch: async () => Promise.reject(new TypeError('fetch failed')), token: () => 't' });
    expect(await down.wallet()).toMatchObject({ ok: false, failure: { kind: 'unreachable' } });
    const silent = createManagerClient({ origin: 'https://m.example.fr', fetch: () => new Promise(() => undefined), token: () => 't', timeout: async () => undefined });
    expect(await silent.wallet()).toMatchObject({ ok: false, failure: { kind: 'unreachable' } });
    const anonymous = createManagerClient({ origin: 'https://m.example.fr', fetch: async () => json(200, {}), token: () => null });
    expect(await anonymous.wallet()).toMatchObject({ ok: false, failure: { kind: 'signed-out' } });
  });
});

describe('server-sent events', () => {
  it('parses events split anywhere, with comments, CRLF and multi-line data', () => {
    const parser = createSseParser();
    expect(parser.feed(': keep-alive\n\nevent: wal')).toEqual([]);
    expect(parser.feed('let\r\nid: 3\r\ndata: {"a":\r\n')).toEqual([]);
    expect(parser.feed('data: 1}\r\n\r\ndata: plain\n\n')).toEqual([
      { event: 'wallet', data: '{"a":\n1}', id: '3' },
      { event: 'message', data: 'plain', id: '3' },
    ]);
  });
});

describe('wallet stream', () => {
  const event = (balanceMinor: number, seq: number) =>
    `event: wallet\nid: ${seq}\ndata: ${JSON.stringify({ companyId: 'cmp_1', balanceMinor, currency: 'EUR', lowBalance: false, seq })}\n\n`;

  it('delivers balances, reconnects after the stream drops, and stops on 401', async () => {
    const answers = [streamOf([event(2500, 1), event(2400, 2).slice(0, 10), event(2400, 2).slice(10)]), json(503, {}), streamOf([event(5000, 3)]), json(401, {})];
    const waits: number[] = [];
    const updates: WalletUpdate[] = [];
    let signedOut = false;
    await new Promise<void>((resolve) => {
      startWalletStream({
        origin: 'https://m.example.fr',
        fetch: async () => answers.shift() ?? json(401, {}),
        token: () => 'tok',
        createDecoder: () => new TextDecoder(),
        // Backoff delays resolve at once; the silence watchdog never fires.
        wait: (ms) => (ms >= 45_000 ? new Promise(() => undefined) : (waits.push(ms), Promise.resolve())),
        onUpdate: (update) => {
          updates.push(update);
          if (update.type === 'stream' && update.state === 'stopped') resolve();
        },
        onSignedOut: () => {
          signedOut = true;
        },
      });
    });
    const balances = updates.flatMap((u) => (u.type === 'wallet' ? [u.wallet.balanceMinor] : []));
    expect(balances).toEqual([2500, 2400, 5000]);
    expect(updates.filter((u) => u.type === 'stream').map((u) => (u.type === 'stream' ? u.state : ''))).toEqual([
      'connecting', 'live', 'reconnecting', 'reconnecting', 'live', 'reconnecting', 'stopped',
    ]);
    expect(waits).toEqual([1000, 2000, 1000]);
    expect(signedOut).toBe(true);
  });
});
