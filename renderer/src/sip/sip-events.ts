import type { CallDirection } from '../../../shared/call-record.js';
import type { EndReason } from './end-reason.js';

/**
 * The app's view of SIP: what the adapter (sip-adapter.ts, the only module that imports sip.js) tells
 * the features. Plain data only; features never see SIP.js objects.
 */

/** The WebSocket to the SIP server. */
export type ConnectionStatus =
  /** Signed out, or never connected. */
  | { readonly kind: 'disconnected' }
  | { readonly kind: 'connecting'; readonly attempt: number }
  | { readonly kind: 'connected' }
  /** Lost or failed; the next attempt starts at `retryAt` (epoch ms). */
  | { readonly kind: 'waiting'; readonly retryAt: number; readonly attempt: number };

/** Why the server refused our REGISTER for good; both stop the retries (no retry storm). */
export type RegistrationRejection = 'credentials' | 'forbidden';

export type RegistrationStatus =
  | { readonly kind: 'unregistered' }
  | { readonly kind: 'registering' }
  | { readonly kind: 'registered' }
  | { readonly kind: 'rejected'; readonly reason: RegistrationRejection; readonly statusCode: number };

/** Where a held call stands (mirrors shared/call/hold-state.ts, which the adapter drives). */
export type HoldView = 'active' | 'holding' | 'held' | 'resuming';

export interface CallInfo {
  readonly id: string;
  readonly direction: CallDirection;
  /** The SIP user of the other side (an extension or a number in E.164 without +, as the server sends). */
  readonly remoteUser: string;
  /** What to show: the display name, else the formatted number. */
  readonly remoteDisplay: string;
  /** For history: E.164 when it is a phone number, otherwise the SIP user. */
  readonly remoteNumber: string;
  /** The dialog's SIP Call-ID (RFC 3261 8.1.1.4); links the call to its charge in the wallet. */
  readonly sipCallId: string;
}

/**
 * Why an incoming call was refused before it rang (call-lines.ts): the user's "Do not disturb", or every
 * line taken. Both answer 486 Busy Here; the call is kept in the history as missed.
 */
export type CallRefusal = 'do-not-disturb' | 'all-lines-busy';

export type SipAdapterEvent =
  | { readonly type: 'connectionChange'; readonly connection: ConnectionStatus }
  | { readonly type: 'registrationChange'; readonly registration: RegistrationStatus }
  | { readonly type: 'callCreated'; readonly call: CallInfo; readonly at: number }
  /** 180/183 for an outgoing call. */
  | { readonly type: 'callProgress'; readonly callId: string }
  /** We accepted an incoming call; waiting for the ACK. */
  | { readonly type: 'callAnswering'; readonly callId: string }
  | { readonly type: 'callAnswered'; readonly callId: string; readonly at: number }
  | { readonly type: 'callEnded'; readonly callId: string; readonly reason: EndReason; readonly at: number }
  | { readonly type: 'holdChange'; readonly callId: string; readonly hold: HoldView }
  | { readonly type: 'muteChange'; readonly callId: string; readonly muted: boolean }
  /** The call's remote audio, or null once it is gone. */
  | { readonly type: 'remoteAudio'; readonly callId: string; readonly stream: MediaStream | null }
  /** An incoming call answered 486 Busy Here at once (call-lines.ts); it never rang. */
  | { readonly type: 'callRefused'; readonly call: CallInfo; readonly refusal: CallRefusal; readonly at: number }
  | { readonly type: 'doNotDisturbChange'; readonly on: boolean }
  /** The calls mixed into one local conference (call-conference.ts), oldest first; empty when none. */
  | { readonly type: 'conferenceChange'; readonly callIds: readonly string[] }
  /** A command could not be carried out (shown briefly, never thrown at the UI). */
  | { readonly type: 'commandFailed'; readonly callId: string | null; readonly command: string; readonly message: string };

export type SipAdapterListener = (event: SipAdapterEvent) => void;
