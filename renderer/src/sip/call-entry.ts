import type { Invitation, Inviter, Referral } from 'sip.js';
import type { CallDirection } from '../../../shared/call-record.js';
import { initialCallState, type CallState } from '../../../shared/call/call-state.js';
import type { HoldState } from '../../../shared/call/hold-state.js';
import type { AdapterContext, Timer } from './adapter-context.js';
import type { EndReason } from './end-reason.js';
import type { CallInfo } from './sip-events.js';

/** One call in progress: its SIP.js session and the app's view of it. Owned by call-sessions.ts. */
export interface CallEntry {
  readonly info: CallInfo;
  readonly session: Inviter | Invitation;
  state: CallState;
  hold: HoldState;
  muted: boolean;
  /** Set when we end the call ourselves, or learn why it failed, before SIP.js reports Terminated. */
  endReason: EndReason | null;
  reinviteRetryTimer: Timer;
  /** When the other side last sent us a re-INVITE (epoch ms); 0 if never. */
  remoteReinviteAt: number;
  /** Tells the app the user's answer is under way (callAnswering), once; set from Answer until then. */
  announceAnswering: (() => void) | null;
  /** Tells the app the call was answered (callAnswered, its audio), once; set from Established until then. */
  announceAnswered: (() => void) | null;
}

/** The calls in progress, by the app's call id; an entry leaves the map when its call ends. */
export interface CallSessions {
  readonly context: AdapterContext;
  readonly calls: Map<string, CallEntry>;
  /** What a call does with a REFER (call-transfer.ts followReferral); refused when unset. */
  onRefer?: (entry: CallEntry, referral: Referral) => void;
}

/** A call as it starts: its state machine's first state, not held, not muted. */
export function newEntry(info: CallInfo, session: Inviter | Invitation): CallEntry {
  return {
    info,
    session,
    state: initialCallState(info.direction),
    hold: 'active',
    muted: false,
    endReason: null,
    reinviteRetryTimer: undefined,
    remoteReinviteAt: 0,
    announceAnswering: null,
    announceAnswered: null,
  };
}

/**
 * A copy of `value` that shares no memory with the SIP message it was read from. V8 keeps a substring as a
 * view into its parent (a "sliced string"): a Call-ID or user part read from an INVITE held the whole
 * INVITE text, SDP included (~1.5 KB), for as long as the call's history line lived (a heap snapshot after
 * 100 calls had one INVITE per history line).
 */
export function detachedCopy(value: string): string {
  return [...value].join('');
}

/** What the app is told about a call; its strings are copies (detachedCopy), not views into SIP.js's messages. */
export function callInfo(id: string, direction: CallDirection, remoteUser: string, remoteDisplay: string, sipCallId: string): CallInfo {
  const user = detachedCopy(remoteUser);
  return { id, direction, remoteUser: user, remoteDisplay: detachedCopy(remoteDisplay), remoteNumber: user, sipCallId: detachedCopy(sipCallId) };
}

/** Still in progress (not ended and removed): timers and SIP.js callbacks check this before acting. */
export function isLive(sessions: CallSessions, entry: CallEntry): boolean {
  return sessions.calls.has(entry.info.id);
}
