import { reconnectDelayMs } from '../../../shared/sip/reconnect-policy.js';

/**
 * Longest wait between reconnection attempts while it matters most that we come back fast: a call is up,
 * or the server went away only a moment ago. With this cap the phone is registered again at most
 * ~3 s (+ one connect and one REGISTER round trip) after the server returns.
 */
export const fastReconnectCapMs = 3_000;

/**
 * How long after losing the server we keep the fast cap. Restarts and deploys (the usual outage) take
 * seconds; if the server is still gone after this long it is really down, and the plain backoff
 * (1 s doubling to 30 s, shared/sip/reconnect-policy.ts) spares it while it recovers.
 */
export const fastReconnectWindowMs = 120_000;

export interface ReconnectContext {
  /** 0 for the first attempt after the connection dropped; reset once connected. */
  readonly attempt: number;
  /** An answered call is up: its user is talking and every second without signalling matters. */
  readonly callEstablished: boolean;
  /** Milliseconds since the connection was lost (0 if it never was connected). */
  readonly sinceLostMs: number;
  readonly random?: () => number;
}

/**
 * The wait before the next reconnection attempt.
 *
 * Why not the plain backoff alone: after 5 failed attempts it waits ~30 s, so a server that comes back
 * 20 s after a crash would be reached up to 30 s later, and a call in progress would have no signalling
 * (no hold, no hang-up reaching the other side) all that time. Why not always fast: thousands of phones
 * hammering a server that is down for an hour. So: the shared backoff, capped at {@link fastReconnectCapMs}
 * (with the same jitter, so phones do not come back in lock-step) while a call is established or during
 * the first {@link fastReconnectWindowMs} after the loss. A failed WebSocket connect to a stopped server
 * costs one refused TCP handshake, so the fast phase is cheap for the server.
 */
export function nextReconnectDelayMs(context: ReconnectContext): number {
  const random = context.random ?? Math.random;
  const draw = random();
  const plain = reconnectDelayMs(context.attempt, () => draw);
  const fast = context.callEstablished || context.sinceLostMs < fastReconnectWindowMs;
  if (!fast) return plain;
  const cap = Math.round(fastReconnectCapMs * (0.8 + 0.2 * Math.min(Math.max(draw, 0), 1)));
  return Math.min(plain, cap);
}
