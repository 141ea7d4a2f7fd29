/**
 * The life of one call, written down once (house style 6). The SIP adapter turns SIP.js session events
 * into {@link CallEvent}s; the UI reads {@link CallState} and asks {@link hangupAction} what "hang up" means.
 *
 * ```
 *      outgoing                                      incoming
 *
 *   calling --progress--> ringing ---+            incoming --answer--> answering
 *      |                   |   ^     | progress                           |
 *      |                   |   +-----+                                    |
 *      | accepted          | accepted                                     | accepted
 *      v                   v                                              v
 *      +-------------> established <------------------------------------+
 *                          |
 *                          | ended
 *                          v
 *                        ended    <-- ended, from every state above; terminal
 * ```
 *
 * SIP mapping: `progress` is a 1xx other than 100 (RFC 3261 section 13.2.2.1: 180 Ringing, 183 Session
 * Progress; several may arrive, hence ringing → ringing); `accepted` is a 2xx to our INVITE, or, for an
 * incoming call, SIP.js moving the Invitation to Established once it has sent the 2xx; `answer` is the local
 * user pressing "answer" (SIP.js `Invitation.accept()`); `ended` is any end (BYE, CANCEL, non-2xx final
 * response, transport failure, our own cancel/reject/bye completing). `ended` is terminal: the adapter
 * forwards SIP.js's single Terminated state change, so a second `ended` would reveal a bug.
 */
import { assertNever } from '../assert-never.js';
import type { CallDirection } from '../call-record.js';
import { IllegalTransitionError } from './illegal-transition-error.js';

export { IllegalTransitionError } from './illegal-transition-error.js';

export const callStates = ['calling', 'ringing', 'incoming', 'answering', 'established', 'ended'] as const;
/** Where one call stands. See the diagram at the top of this file. */
export type CallState = (typeof callStates)[number];

export const callEventTypes = ['progress', 'accepted', 'answer', 'ended'] as const;
/** What can happen to a call. No event carries data: causes and reasons travel beside the machine. */
export type CallEvent = (typeof callEventTypes)[number];

/** The state a new call starts in: we sent an INVITE, or we received one. */
export function initialCallState(direction: CallDirection): CallState {
  switch (direction) {
    case 'outgoing':
      return 'calling';
    case 'incoming':
      return 'incoming';
    default:
      return assertNever(direction);
  }
}

function illegal(from: CallState, event: CallEvent): never {
  throw new IllegalTransitionError('call', from, event);
}

/**
 * The state after `event` in state `from`.
 *
 * @throws IllegalTransitionError when the diagram has no such arrow.
 */
export function transition(from: CallState, event: CallEvent): CallState {
  switch (from) {
    case 'calling':
    case 'ringing':
      switch (event) {
        case 'progress':
          return 'ringing';
        case 'accepted':
          return 'established';
        case 'ended':
          return 'ended';
        case 'answer':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    case 'incoming':
      switch (event) {
        case 'answer':
          return 'answering';
        case 'ended':
          return 'ended';
        case 'progress':
        case 'accepted':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    case 'answering':
      switch (event) {
        case 'accepted':
          return 'established';
        case 'ended':
          return 'ended';
        case 'progress':
        case 'answer':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    case 'established':
      switch (event) {
        case 'ended':
          return 'ended';
        case 'progress':
        case 'accepted':
        case 'answer':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    case 'ended':
      return illegal(from, event);
    default:
      return assertNever(from);
  }
}

/** What hanging up sends; `none` once the call has ended. */
export type HangupAction = 'cancel' | 'reject' | 'bye' | 'none';

/**
 * What "hang up" must send in `state`, as SIP.js `SessionManager.terminate` decides it:
 * - `cancel`: an outgoing call not yet answered (RFC 3261 section 9; SIP.js `Inviter.cancel()` also holds
 *   the CANCEL back until a provisional response has arrived, as section 9.1 requires);
 * - `reject`: an incoming call not yet answered, including `answering`, where SIP.js's Invitation is still
 *   Establishing and has not sent its 2xx (it becomes Established as soon as it does; RFC 3261 section 13.3.1);
 * - `bye`: once established (RFC 3261 section 15.1.1);
 * - `none`: already ended.
 *
 * @throws RangeError if `direction` contradicts `state` (e.g. `ringing` for an incoming call): a caller bug.
 */
export function hangupAction(state: CallState, direction: CallDirection): HangupAction {
  const expect = (wanted: CallDirection, action: HangupAction): HangupAction => {
    if (direction !== wanted) throw new RangeError(`A call in state '${state}' cannot be ${direction}`);
    return action;
  };
  switch (state) {
    case 'calling':
    case 'ringing':
      return expect('outgoing', 'cancel');
    case 'incoming':
    case 'answering':
      return expect('incoming', 'reject');
    case 'established':
      return 'bye';
    case 'ended':
      return 'none';
    default:
      return assertNever(state);
  }
}
