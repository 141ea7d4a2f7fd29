import type { CallDirection, CallOutcome } from '../../../shared/call-record.js';
import { assertNever } from '../../../shared/assert-never.js';

/**
 * Why a call ended, in the app's words. The adapter derives it from who hung up and, for failed
 * INVITEs, from the final SIP status (RFC 3261 section 21).
 */
export type EndReason =
  /** We hung up an established call (BYE). */
  | 'local-hangup'
  /** The other side hung up an established call (BYE). */
  | 'remote-hangup'
  /**
   * The SIP proxy ended an established paid call at its funded time: its BYE says
   * `Reason: SIP;cause=402` (RFC 3326; deploy/kamailio/kamailio.cfg, dialog `dlg_extra_hdrs`).
   */
  | 'funds-exhausted'
  /** We cancelled our outgoing call before it was answered (CANCEL). */
  | 'cancelled'
  /** The caller gave up, or the call was answered elsewhere, before we answered. */
  | 'remote-cancelled'
  /** We declined an incoming call. */
  | 'declined'
  /** The callee declined (603). */
  | 'remote-declined'
  /** 486 / 600 Busy. */
  | 'busy'
  /** 404 / 484 / 604: nobody by that number. */
  | 'not-found'
  /** 408 / 480 / 503 / no answer: registered nowhere or unreachable. */
  | 'unavailable'
  /** The connection to the server was lost and the call could not be kept. */
  | 'connection-lost'
  /** 402 Payment Required: the SIP proxy found the Prepaid Account cannot pay for the call. */
  | 'payment-required'
  /** 403 Forbidden: the proxy refused the call (paid services barred, daily cap, not allowed). */
  | 'refused'
  /** 403 with `X-Cabine-Refusal: class_blocked`: a high-risk destination the company has not allowed. */
  | 'class-blocked'
  /** Anything else (media failure, 4xx/5xx we do not name). */
  | 'failed';

/**
 * Maps the final status of a failed INVITE to a reason (RFC 3261 21.4-21.6). `refusal` is the Cabine proxy's
 * `X-Cabine-Refusal` header, when the answer has one; only values the app names are trusted, anything else
 * falls back to the status alone.
 */
export function endReasonForStatus(statusCode: number, refusal?: string): EndReason {
  if (statusCode === 403 && refusal?.trim() === 'class_blocked') return 'class-blocked';
  switch (statusCode) {
    case 486:
    case 600:
      return 'busy';
    case 603:
      return 'remote-declined';
    case 404:
    case 484:
    case 604:
      return 'not-found';
    case 408:
    case 480:
    case 503:
    case 504:
      return 'unavailable';
    case 402:
      return 'payment-required';
    case 403:
      return 'refused';
    case 487:
      // Request Terminated: the answer to our own CANCEL.
      return 'cancelled';
    default:
      return 'failed';
  }
}

/**
 * Reads the Reason header values of a BYE (RFC 3326: `protocol *(;cause=n / ;text="..." / ext)`): the proxy's
 * cut at the funded time says `SIP;cause=402` and no other SIP cause. Kamailio's dialog module puts that
 * Reason (`dlg_extra_hdrs`) on every BYE it sends, so the BYEs of a revocation (`dlg.end_dlg`,
 * manager/src/people/sip-revoker.ts) add `SIP;cause=403` beside it and are an ordinary hang-up here.
 */
export function endReasonForBye(reasons: readonly string[]): EndReason {
  const sipCauses = reasons
    .flatMap((header) => header.split(','))
    .flatMap((value) => {
      const [protocol, ...params] = value.split(';').map((part) => part.trim());
      if (protocol?.toUpperCase() !== 'SIP') return [];
      return params.flatMap((param) => /^cause\s*=\s*(\d{3})$/i.exec(param)?.[1] ?? []);
    });
  return sipCauses.length > 0 && sipCauses.every((cause) => cause === '402') ? 'funds-exhausted' : 'remote-hangup';
}

/** The history outcome of a call that ended for `reason`. */
export function outcomeForEnd(direction: CallDirection, reason: EndReason, answered: boolean): CallOutcome {
  if (answered) return 'answered';
  switch (reason) {
    case 'local-hangup':
    case 'remote-hangup':
    case 'funds-exhausted':
      // Ended by a BYE without ever being answered cannot happen; count it as failed rather than lie.
      return 'failed';
    case 'cancelled':
      return direction === 'outgoing' ? 'cancelled' : 'missed';
    case 'remote-cancelled':
      return 'missed';
    case 'declined':
      return 'declined';
    case 'remote-declined':
      return 'declined';
    case 'busy':
      return 'busy';
    case 'not-found':
    case 'unavailable':
    case 'connection-lost':
    case 'payment-required':
    case 'refused':
    case 'class-blocked':
    case 'failed':
      return direction === 'incoming' ? 'missed' : 'failed';
    default:
      return assertNever(reason);
  }
}
