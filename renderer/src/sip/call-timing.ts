/**
 * Named moments of call set-up, as User Timing marks (`performance.mark`), so `npm run bench:call` can read
 * them from the page without any hook into the app. A mark costs microseconds and holds no personal data
 * (only the app's own call id).
 */
export type CallTimingPoint =
  /** The INVITE left for the SIP server (SIP.js resolved Inviter.invite()). */
  | 'invite-sent'
  /** An incoming INVITE arrived and our 180 Ringing was sent. */
  | 'incoming-ringing'
  /** The callee's 200 OK was sent (incoming) or received (outgoing). */
  | 'answered';

export function markCallTiming(point: CallTimingPoint, callId: string): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  performance.mark(`cabine:${point}`, { detail: { callId } });
}
