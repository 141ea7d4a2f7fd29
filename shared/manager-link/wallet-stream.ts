/**
 * The live wallet: reads the manager's `GET /wallet/events` stream and reconnects when it drops, so the
 * balance on screen changes within a second of a top-up, a refill or a charge. Shared by both hosts.
 *
 * Reconnect: 1 s, 2 s, 4 s… up to 15 s, back to 1 s once an event arrived. A stream that stays silent
 * longer than three of the server's 15 s keep-alives is treated as dead (a laptop that slept, a proxy that
 * dropped the connection without closing it).
 */
import { z } from 'zod';
import { endpoints } from '../api/endpoints';
import { walletEventSchema, type WalletEvent } from '../api/wallet-schemas';
import type { FetchLike, StreamReaderLike } from './manager-client';
import { createSseParser } from './sse-parser';

/** How the live stream is doing, for the panel's "live" / "reconnecting" indicator. */
export const walletStreamStates = ['connecting', 'live', 'reconnecting', 'stopped'] as const;
export type WalletStreamState = (typeof walletStreamStates)[number];

/** What a wallet listener receives: a new balance, or a change of the stream's state. */
export type WalletUpdate =
  | { readonly type: 'wallet'; readonly wallet: WalletEvent }
  | { readonly type: 'stream'; readonly state: WalletStreamState };

export const walletUpdateSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('wallet'), wallet: walletEventSchema }),
  z.strictObject({ type: z.literal('stream'), state: z.enum(walletStreamStates) }),
]);

export interface TextDecoderLike {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

export interface WalletStreamDeps {
  readonly origin: string;
  readonly fetch: FetchLike;
  readonly token: () => string | null;
  readonly createDecoder: () => TextDecoderLike;
  /** Resolves after `milliseconds` (the host's timer). */
  readonly wait: (milliseconds: number) => Promise<void>;
  readonly onUpdate: (update: WalletUpdate) => void;
  /** The manager refused the token (401): the session is over. */
  readonly onSignedOut?: () => void;
}

export const silentStreamLimitMs = 45_000;
const backoffMs = [1000, 2000, 4000, 8000, 15_000] as const;

export interface WalletStream {
  stop(): void;
}

export function startWalletStream(deps: WalletStreamDeps): WalletStream {
  let stopped = false;
  let reader: StreamReaderLike | null = null;
  let failures = 0;

  const readOnce = async (current: StreamReaderLike): Promise<{ done: boolean; value?: Uint8Array } | 'silent'> =>
    Promise.race([current.read(), deps.wait(silentStreamLimitMs).then(() => 'silent' as const)]);

  const connectOnce = async (): Promise<'retry' | 'signed-out'> => {
    const token = deps.token();
    if (token === null) return 'signed-out';
    const response = await deps.fetch(`${deps.origin}${endpoints.walletEvents.path}`, {
      method: 'GET',
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    });
    if (response.status === 401) return 'signed-out';
    if (response.status !== 200 || response.body === null) return 'retry';
    const current = response.body.getReader();
    reader = current;
    if (stopped) {
      void current.cancel().catch(() => undefined);
      return 'retry';
    }
    const decoder = deps.createDecoder();
    const parser = createSseParser();
    for (;;) {
      const chunk = await readOnce(current);
      if (stopped) return 'retry';
      if (chunk === 'silent') {
        void current.cancel().catch(() => undefined);
        return 'retry';
      }
      if (chunk.done) return 'retry';
      for (const event of parser.feed(decoder.decode(chunk.value, { stream: true }))) {
        if (event.event !== 'wallet') continue;
        let json: unknown;
        try {
          json = JSON.parse(event.data);
        } catch {
          continue;
        }
        const wallet = walletEventSchema.safeParse(json);
        if (!wallet.success) continue;
        if (failures > 0 || !liveSent) {
          failures = 0;
          liveSent = true;
          deps.onUpdate({ type: 'stream', state: 'live' });
        }
        deps.onUpdate({ type: 'wallet', wallet: wallet.data });
      }
    }
  };

  let liveSent = false;
  const run = async (): Promise<void> => {
    deps.onUpdate({ type: 'stream', state: 'connecting' });
    while (!stopped) {
      let outcome: 'retry' | 'signed-out';
      try {
        outcome = await connectOnce();
      } catch {
        outcome = 'retry';
      }
      reader = null;
      if (stopped) break;
      if (outcome === 'signed-out') {
        stopped = true;
        deps.onSignedOut?.();
        break;
      }
      liveSent = false;
      deps.onUpdate({ type: 'stream', state: 'reconnecting' });
      const delay = backoffMs[Math.min(failures, backoffMs.length - 1)] ?? 15_000;
      failures += 1;
      await deps.wait(delay);
    }
    deps.onUpdate({ type: 'stream', state: 'stopped' });
  };
  void run();

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      void reader?.cancel().catch(() => undefined);
    },
  };
}
