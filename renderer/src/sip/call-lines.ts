/**
 * Several calls at once: how many lines the phone has, and which incoming calls are refused before they
 * ring. Both refusals answer 486 Busy Here (RFC 3261 section 21.4.24: "the callee's end system was
 * contacted successfully, but the callee is currently not willing or able to take additional calls at this
 * end system"). 480 Temporarily Unavailable (21.4.18) also names "do not disturb", but the caller's phone
 * then says "unavailable" and the issue asks for busy; and "Here" (not 600 Busy Everywhere, 21.6.1) leaves
 * the person's other registered phones free to ring.
 */
import type { Invitation } from 'sip.js';
import { callInfo, type CallSessions } from './call-entry.js';
import type { CallRefusal } from './sip-events.js';

/** Calls in progress at once (ringing, placed, live or held); a further incoming call is busy. */
export const defaultMaxLines = 4;

export const busyHereStatusCode = 486;

/** What the user set and the phone has: read by incomingRefusal for every new INVITE. */
export interface LinePolicy {
  doNotDisturb: boolean;
  readonly maxLines: number;
}

export function newLinePolicy(maxLines = defaultMaxLines): LinePolicy {
  return { doNotDisturb: false, maxLines };
}

/** Why a new incoming call is refused, or null when it may ring. Do not disturb is named first. */
export function incomingRefusal(policy: LinePolicy, linesInUse: number): CallRefusal | null {
  if (policy.doNotDisturb) return 'do-not-disturb';
  if (linesInUse >= policy.maxLines) return 'all-lines-busy';
  return null;
}

/** Whether another outgoing call may be placed. */
export function lineFree(policy: LinePolicy, linesInUse: number): boolean {
  return linesInUse < policy.maxLines;
}

/** Answers 486 Busy Here and tells the app (callRefused), which keeps the call in the history as missed. */
export function refuseIncoming(sessions: CallSessions, invitation: Invitation, refusal: CallRefusal): void {
  const identity = invitation.remoteIdentity;
  const user = identity.uri.user ?? identity.uri.host;
  const call = callInfo(crypto.randomUUID(), 'incoming', user, identity.displayName || user, invitation.request.callId);
  void invitation.reject({ statusCode: busyHereStatusCode }).catch(() => undefined);
  sessions.context.emit({ type: 'callRefused', call, refusal, at: sessions.context.now() });
}
