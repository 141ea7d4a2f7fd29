import { Agent, request } from 'node:http';

/** What one load run measured: how many operations, over how long, and each one's latency (sorted). */
export interface Measurement {
  readonly ops: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

/** The p-th percentile of `sorted` (ascending); 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Closed loop: `clients` loops each start the next `op` as soon as the last one ends, for `seconds`, timing each. */
export async function closedLoop(clients: number, seconds: number, op: (client: number, index: number) => Promise<void>): Promise<Measurement> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let index = 0;
  await Promise.all(Array.from({ length: clients }, async (_unused, client) => {
    while (performance.now() < deadline) {
      const at = performance.now();
      await op(client, index++);
      latencies.push(performance.now() - at);
    }
  }));
  return { ops: latencies.length, seconds: (performance.now() - started) / 1000, latenciesMs: latencies.sort((a, b) => a - b) };
}

/** The manager's answer to a proxy call, as far as the benches read it. */
export interface ProxyAnswer {
  readonly allowed?: boolean;
  readonly reason?: string;
}

/**
 * POSTs to the manager's proxy endpoints (`X-Cabine-Proxy-Secret`) over node:http with keep-alive and up to
 * `sockets` connections: undici's fetch costs about a millisecond per request on its own here. Rejects on
 * any status but 200. `close()` drops the connections.
 */
export function proxyPoster(base: URL, secret: string, sockets: number): { post(path: string, body: unknown): Promise<ProxyAnswer>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const post = (path: string, body: unknown): Promise<ProxyAnswer> =>
    new Promise((resolvePost, reject) => {
      const payload = JSON.stringify(body);
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-cabine-proxy-secret': secret };
      const outgoing = request({ host: base.hostname, port: base.port, path, method: 'POST', agent, headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => (response.statusCode === 200 ? resolvePost(JSON.parse(text) as ProxyAnswer) : reject(new Error(`${path}: ${response.statusCode} ${text}`))));
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  return { post, close: () => agent.destroy() };
}
