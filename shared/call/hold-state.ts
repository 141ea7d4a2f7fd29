/**
 * Local hold of an established call: a small machine beside the call's own (call-state.ts), because hold
 * is a re-INVITE inside the dialog (RFC 3264 section 8.4, `a=sendonly`) and can fail without ending the call.
 *
 * ```
 *            holdRequested                reinviteSucceeded
 *   active ----------------> holding ------------------------> held
 *     ^  ^                     |                                |  ^
 *     |  +---------------------+ reinviteFailed (rollback)      |  |
 *     |                                                         |  |
 *     |   reinviteSucceeded              resumeRequested        |  |
 *     +------------------------ resuming <----------------------+  |
 *                                  |                               |
 *                                  +-------------------------------+
 *                                    reinviteFailed (rollback)
 * ```
 *
 * A failed re-INVITE leaves the session as it was (RFC 3261 section 14.1), so `reinviteFailed` rolls back
 * to the stable state the request left: the UI then shows what the media really does. The adapter sends
 * `reinviteFailed` only when it gives up, that is when {@link reinviteRetryDelayMs} returns null; while it
 * waits to retry, the machine stays in `holding`/`resuming`. Being put on hold by the other side is not
 * this machine's business (it is a property of the remote SDP).
 */
import { assertNever } from '../assert-never.js';
import { IllegalTransitionError } from './illegal-transition-error.js';

export const holdStates = ['active', 'holding', 'held', 'resuming'] as const;
/** `active` and `held` are stable; `holding` and `resuming` wait for the re-INVITE's final response. */
export type HoldState = (typeof holdStates)[number];

export const holdEventTypes = ['holdRequested', 'resumeRequested', 'reinviteSucceeded', 'reinviteFailed'] as const;
export type HoldEvent = (typeof holdEventTypes)[number];

function illegal(from: HoldState, event: HoldEvent): never {
  throw new IllegalTransitionError('hold', from, event);
}

/**
 * The hold state after `event`. Requests are refused while a re-INVITE is pending: RFC 3261 section 14.1
 * forbids a second re-INVITE in the dialog before the first completes, so the UI disables the button.
 *
 * @throws IllegalTransitionError when the diagram has no such arrow.
 */
export function holdTransition(from: HoldState, event: HoldEvent): HoldState {
  switch (from) {
    case 'active':
      switch (event) {
        case 'holdRequested':
          return 'holding';
        case 'resumeRequested':
        case 'reinviteSucceeded':
        case 'reinviteFailed':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    case 'holding':
      switch (event) {
        case 'reinviteSucceeded':
          return 'held';
        case 'reinviteFailed':
          return 'active';
        case 'holdRequested':
        case 'resumeRequested':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    case 'held':
      switch (event) {
        case 'resumeRequested':
          return 'resuming';
        case 'holdRequested':
        case 'reinviteSucceeded':
        case 'reinviteFailed':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    case 'resuming':
      switch (event) {
        case 'reinviteSucceeded':
          return 'active';
        case 'reinviteFailed':
          return 'held';
        case 'holdRequested':
        case 'resumeRequested':
          return illegal(from, event);
        default:
          return assertNever(event);
      }
    default:
      return assertNever(from);
  }
}

/** Whether the media is (to be) on hold, for the UI's hold button: true in `holding` and `held`. */
export function isOnHold(state: HoldState): boolean {
  switch (state) {
    case 'holding':
    case 'held':
      return true;
    case 'active':
    case 'resuming':
      return false;
    default:
      return assertNever(state);
  }
}

/** Most re-INVITEs sent for one hold or resume request, the first included. */
export const maxReinviteAttempts = 3;

/**
 * Longest Retry-After honoured on a 500: RFC 3261 section 14.2 has the UAS pick 0–10 s for a re-INVITE
 * that crossed another; a longer wait is not glare, and the user can press the button again.
 */
export const maxReinviteRetryAfterSeconds = 10;

/** Options of {@link reinviteRetryDelayMs}. */
export interface ReinviteRetryOptions {
  /**
   * Whether we generated the dialog's Call-ID, i.e. we placed the call. RFC 3261 section 14.1 gives the
   * Call-ID owner the longer wait so that the two sides do not retry together. Defaults to true.
   */
  readonly ownsCallId?: boolean;
  /** Uniform in [0, 1); injectable for tests. */
  readonly random?: () => number;
}

/**
 * How long to wait before sending a failed hold/resume re-INVITE again, or null not to retry (then feed
 * `reinviteFailed` to {@link holdTransition}). Back-to-back re-INVITEs are refused with:
 * - 491 Request Pending (glare, both sides sent one): wait a random 2.1–4 s if we own the Call-ID, 0–2 s
 *   otherwise, in units of 10 ms (RFC 3261 section 14.1);
 * - 500 with Retry-After (the UAS was still busy with an earlier INVITE, RFC 3261 section 14.2): wait
 *   that many seconds, if it is within 0–{@link maxReinviteRetryAfterSeconds}.
 * Anything else is final. At most {@link maxReinviteAttempts} re-INVITEs are sent.
 *
 * @param attempt - 1-based number of the re-INVITE that just failed (1 for the first).
 * @throws RangeError if `attempt` is not a positive integer.
 */
export function reinviteRetryDelayMs(
  statusCode: number,
  retryAfterSeconds: number | undefined,
  attempt: number,
  options: ReinviteRetryOptions = {},
): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  }
  if (attempt >= maxReinviteAttempts) return null;

  if (statusCode === 491) {
    const random = options.random ?? Math.random;
    const fraction = Math.min(Math.max(random(), 0), 0.999_999);
    const [lowestMs, highestMs] = (options.ownsCallId ?? true) ? [2100, 4000] : [0, 2000];
    const steps = (highestMs - lowestMs) / 10 + 1;
    return lowestMs + Math.floor(fraction * steps) * 10;
  }
  if (
    statusCode === 500 &&
    retryAfterSeconds !== undefined &&
    Number.isFinite(retryAfterSeconds) &&
    retryAfterSeconds >= 0 &&
    retryAfterSeconds <= maxReinviteRetryAfterSeconds
  ) {
    return Math.round(retryAfterSeconds * 1000);
  }
  return null;
}
