import type { CallRecord } from '../../../shared/call-record.js';
import { transition, type CallEvent, type CallState } from '../../../shared/call/call-state.js';
import { assertNever } from '../../../shared/assert-never.js';
import { outcomeForEnd, type EndReason } from '../sip/end-reason.js';
import type { CallInfo, HoldView, SipAdapterEvent } from '../sip/sip-events.js';

/** One call the user sees. Plain data mirrored from the adapter's events. */
export interface CallView {
  readonly id: string;
  readonly direction: CallInfo['direction'];
  readonly remoteDisplay: string;
  readonly remoteNumber: string;
  readonly sipCallId: string;
  readonly state: CallState;
  readonly hold: HoldView;
  readonly muted: boolean;
  /** Epoch ms: placed, or started ringing. */
  readonly startedAt: number;
  /** Epoch ms when answered; null until then. */
  readonly answeredAt: number | null;
  /**
   * The network plays audio before the answer (early media, e.g. the balance announcement of a paid call):
   * it replaces the local ringback (RFC 3960 section 2).
   */
  readonly earlyMedia: boolean;
}

/** The last call that ended, kept so the UI can say why (busy, declined...). */
export interface EndedCall {
  readonly callId: string;
  readonly remoteDisplay: string;
  readonly reason: EndReason;
  readonly at: number;
}

export interface CallsState {
  /** Oldest first; the first call not ended is the one in front. */
  readonly calls: readonly CallView[];
  readonly lastEnded: EndedCall | null;
  /** The last command that failed, shown until the next one. */
  readonly notice: string | null;
  /** Incoming calls are answered 486 Busy Here and kept as missed (the adapter's call-lines.ts). */
  readonly doNotDisturb: boolean;
  /**
   * The ids of the calls mixed into the local three-way conference (the adapter's call-conference.ts),
   * oldest first; empty when there is none. Never a single call: a conference left with one member is over.
   */
  readonly conference: readonly string[];
}

export const initialCallsState: CallsState = { calls: [], lastEnded: null, notice: null, doNotDisturb: false, conference: [] };

function step(call: CallView, event: CallEvent): CallView {
  try {
    return { ...call, state: transition(call.state, event) };
  } catch (error) {
    // The adapter already checked this move against the same machine; a mismatch is a bug to log, not to
    // crash the phone on.
    console.error(error);
    return call;
  }
}

function updateCall(state: CallsState, callId: string, change: (call: CallView) => CallView): CallsState {
  let changed = false;
  const calls = state.calls.map((call) => {
    if (call.id !== callId) return call;
    const next = change(call);
    if (next !== call) changed = true;
    return next;
  });
  return changed ? { ...state, calls } : state;
}

/** The calls feature's transitions, fed with the adapter's events (others are ignored). */
export function reduceCalls(state: CallsState, event: SipAdapterEvent): CallsState {
  switch (event.type) {
    case 'callCreated': {
      const { call } = event;
      const view: CallView = {
        id: call.id,
        direction: call.direction,
        remoteDisplay: call.remoteDisplay,
        remoteNumber: call.remoteNumber,
        sipCallId: call.sipCallId,
        state: call.direction === 'outgoing' ? 'calling' : 'incoming',
        hold: 'active',
        muted: false,
        startedAt: event.at,
        answeredAt: null,
        earlyMedia: false,
      };
      return { ...state, calls: [...state.calls, view], notice: null };
    }
    case 'callProgress':
      return updateCall(state, event.callId, (call) => (call.state === 'ringing' ? call : step(call, 'progress')));
    case 'callAnswering':
      return updateCall(state, event.callId, (call) => step(call, 'answer'));
    case 'callAnswered':
      return updateCall(state, event.callId, (call) => ({ ...step(call, 'accepted'), answeredAt: event.at }));
    case 'callEnded': {
      const ended = state.calls.find((call) => call.id === event.callId);
      if (ended === undefined) return state;
      const members = state.conference.filter((id) => id !== event.callId);
      return {
        ...state,
        calls: state.calls.filter((call) => call.id !== event.callId),
        conference: members.length >= 2 ? members : [],
        lastEnded: { callId: event.callId, remoteDisplay: ended.remoteDisplay, reason: event.reason, at: event.at },
      };
    }
    case 'holdChange':
      return updateCall(state, event.callId, (call) => (call.hold === event.hold ? call : { ...call, hold: event.hold }));
    case 'muteChange':
      return updateCall(state, event.callId, (call) => (call.muted === event.muted ? call : { ...call, muted: event.muted }));
    case 'commandFailed':
      return { ...state, notice: event.message };
    case 'remoteAudio':
      // Audio before the answer is early media (early-media.ts); after it, the call's own.
      return updateCall(state, event.callId, (call) => (call.earlyMedia || (call.state !== 'calling' && call.state !== 'ringing') ? call : { ...call, earlyMedia: true }));
    case 'doNotDisturbChange':
      return state.doNotDisturb === event.on ? state : { ...state, doNotDisturb: event.on };
    case 'conferenceChange': {
      const known = event.callIds.filter((id) => state.calls.some((call) => call.id === id));
      return { ...state, conference: known.length >= 2 ? known : [] };
    }
    case 'callRefused':
      // Never shown as a call: it goes straight to the history as missed (refusedCallRecord).
      return state;
    case 'connectionChange':
    case 'registrationChange':
      return state;
    default:
      return assertNever(event);
  }
}

/**
 * The call in front: one being set up or talking (not on hold), the newest first; else the oldest call
 * that is not merely ringing in; else the ringing one.
 */
export function frontCall(state: CallsState): CallView | null {
  const live = state.calls.filter(
    (call) => call.state === 'calling' || call.state === 'ringing' || call.state === 'answering' || (call.state === 'established' && call.hold === 'active'),
  );
  return live.at(-1) ?? state.calls.find((call) => call.state !== 'incoming') ?? state.calls[0] ?? null;
}

/** Incoming calls that ring while another call is in front. */
export function waitingCalls(state: CallsState): readonly CallView[] {
  const front = frontCall(state);
  return state.calls.filter((call) => call !== front && call.state === 'incoming');
}

/** Established calls behind the front one (on hold, or being put on hold). */
export function backgroundCalls(state: CallsState): readonly CallView[] {
  const front = frontCall(state);
  return state.calls.filter((call) => call !== front && call.state === 'established');
}

/** Whether the ringback should play: an outgoing call not yet answered, unless the network plays early media. */
export function ringbackWanted(state: CallsState): boolean {
  return state.calls.some((call) => call.direction === 'outgoing' && (call.state === 'calling' || call.state === 'ringing') && !call.earlyMedia);
}

function talking(state: CallsState): boolean {
  return state.calls.some((call) => call.state === 'established' || call.state === 'answering');
}

/** Whether the ringtone should play: an incoming call rings and no call is in conversation. */
export function ringtoneWanted(state: CallsState): boolean {
  return state.calls.some((call) => call.state === 'incoming') && !talking(state);
}

/** Whether the call-waiting tone should play over the conversation: a call rings in while we talk. */
export function callWaitingToneWanted(state: CallsState): boolean {
  return state.calls.some((call) => call.state === 'incoming') && talking(state);
}

/** Whether the call is one of the local conference's. */
export function inConference(state: CallsState, callId: string): boolean {
  return state.conference.includes(callId);
}

/**
 * What a call is to the user, shown on every call so the live one is never in doubt: `live` (we talk on
 * it), `held` (on hold, or being put on hold or resumed), `conference` (mixed with the others), `ringing`
 * (incoming, not answered) or `connecting` (being placed or answered).
 */
export type LineRole = 'live' | 'held' | 'conference' | 'ringing' | 'connecting';

export function lineRole(state: CallsState, call: CallView): LineRole {
  switch (call.state) {
    case 'incoming':
      return 'ringing';
    case 'calling':
    case 'ringing':
    case 'answering':
    case 'ended':
      return 'connecting';
    case 'established':
      if (inConference(state, call.id)) return 'conference';
      return call.hold === 'active' ? 'live' : 'held';
    default:
      return assertNever(call.state);
  }
}

/**
 * The two calls Swap and Merge work on: the live call (established, not on hold, not in a conference)
 * and the most recent call on hold (its re-INVITE done); null when there is not one of each, or while a
 * conference is up.
 */
export function lineSwapPair(state: CallsState): { readonly live: CallView; readonly held: CallView } | null {
  if (state.conference.length > 0) return null;
  const established = state.calls.filter((call) => call.state === 'established');
  const live = established.filter((call) => call.hold === 'active');
  const held = established.filter((call) => call.hold === 'held');
  const [only] = live;
  const last = held.at(-1);
  return live.length === 1 && only !== undefined && last !== undefined ? { live: only, held: last } : null;
}

/** The history line of an incoming call refused before it rang (Do not disturb, every line taken): missed. */
export function refusedCallRecord(call: CallInfo, at: number): CallRecord {
  return {
    id: call.id,
    direction: 'incoming',
    number: call.remoteNumber.slice(0, 64) || 'unknown',
    startedAt: new Date(at).toISOString(),
    durationSeconds: 0,
    outcome: 'missed',
    sipCallId: call.sipCallId.slice(0, 255),
  };
}

/** The history line for a call that ended. */
export function callRecordFor(call: CallView, reason: EndReason, endedAt: number): CallRecord {
  const answered = call.answeredAt !== null;
  const seconds = answered ? Math.max(0, Math.round((endedAt - (call.answeredAt ?? endedAt)) / 1000)) : 0;
  return {
    id: call.id,
    direction: call.direction,
    number: call.remoteNumber.slice(0, 64) || 'unknown',
    startedAt: new Date(call.startedAt).toISOString(),
    durationSeconds: Math.min(seconds, 7 * 24 * 3600),
    outcome: outcomeForEnd(call.direction, reason, answered),
    sipCallId: call.sipCallId.slice(0, 255),
  };
}
