/**
 * When the SIP WebSocket drops, how long to wait before each reconnection attempt, and how often to probe
 * a quiet connection so that a dead one is noticed. Pure numbers: the SIP adapter owns the timers.
 */

/** Nominal delay of the first reconnection attempt (attempt 0). */
export const reconnectBaseDelayMs = 1_000;

/** Ceiling of the nominal delay; reached at attempt 5 (1, 2, 4, 8, 16, then 30 s). */
export const reconnectMaxDelayMs = 30_000;

/**
 * Jitter, as a fraction of the nominal delay: the actual delay is uniform in nominal × [0.8, 1.2).
 * When the proxy restarts, every softphone of every customer loses its socket at the same instant; without
 * jitter they would all come back in lock-step waves (AWS Architecture Blog, "Exponential Backoff And
 * Jitter", 2015). Jitter is applied after the cap, so that at the cap retries stay spread over 24–36 s
 * instead of piling up on exactly 30 s; the cap therefore bounds the nominal delay, not each draw.
 */
export const reconnectJitterRatio = 0.2;

/**
 * Delay before reconnection attempt `attempt` (0 for the first after a drop): 1 s doubling up to 30 s,
 * ±20% jitter, forever. A softphone that gives up cannot ring, and the user may not notice for hours, so
 * there is no last attempt; reset `attempt` to 0 once connected.
 *
 * @param random - uniform in [0, 1); `() => 0.5` gives the nominal delay.
 * @returns whole milliseconds, within nominal × [0.8, 1.2].
 * @throws RangeError if `attempt` is not a non-negative integer.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 0) {
    throw new RangeError(`attempt must be a non-negative integer, got ${attempt}`);
  }
  // Exponent clamped so huge attempt counts never reach Infinity; 2^15 s is far beyond the cap already.
  const nominal = Math.min(reconnectBaseDelayMs * 2 ** Math.min(attempt, 15), reconnectMaxDelayMs);
  const draw = random();
  const fraction = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0.5;
  return Math.round(nominal * (1 - reconnectJitterRatio + 2 * reconnectJitterRatio * fraction));
}

/**
 * How long the client waits for the pong (a single CRLF) after a CRLF ping before it declares the flow
 * dead: RFC 5626 section 4.4.1 fixes it at 10 s.
 */
export const keepAlivePongTimeoutSeconds = 10;

/**
 * SIP.js `transportOptions.keepAliveInterval`: the RFC 5626 section 4.4.1 / RFC 7118 section 6 double-CRLF
 * ping over the WebSocket, so that a dead socket is noticed within 30 s.
 *
 * The maths. A peer that vanishes (laptop lid, NAT rebinding, Wi-Fi change) sends no TCP FIN, so nothing
 * fires until we send something and no answer comes. SIP.js 0.21 sends a ping every
 * keepAliveInterval × [0.8, 1.0] s after connecting, so at most 15 s after the socket died; the pong is due
 * within {@link keepAlivePongTimeoutSeconds} = 10 s. Worst case: 15 + 10 = 25 s, under the 30 s target with
 * 5 s to spare for timer slack. 20 s would hit 30 s exactly, with no margin. Its `keepAliveDebounce`
 * (default 10 s) only blocks a second ping while one is unanswered; it must stay below the shortest ping
 * spacing (0.8 × 15 = 12 s) or pings get skipped.
 *
 * Caveats the adapter must honour: SIP.js notes a pong but never acts on a missing one, and its
 * `connectionTimeout` (default 5 s) covers opening the socket only, so the adapter arms the 10 s pong
 * watchdog itself and then closes the socket and reconnects with {@link reconnectDelayMs}. In Electron the
 * window must not throttle background timers (`backgroundThrottling: false`), or pings slip by minutes.
 * TCP's own retransmission timeout would take many minutes to surface the loss: it is no substitute.
 */
export const keepAliveIntervalSeconds = 15;
