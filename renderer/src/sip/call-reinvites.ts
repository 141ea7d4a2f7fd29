/**
 * Re-INVITEs we send in a call: hold and resume (with rollback when refused), and the ICE restart after a
 * reconnect. 491/500 are retried as shared/call/hold-state.ts decides (RFC 3261 14.1/14.2).
 */
import type { Core, Web } from 'sip.js';
import { holdTransition, isOnHold, reinviteRetryDelayMs, type HoldEvent } from '../../../shared/call/hold-state.js';
import { clearTimer, commandFailed } from './adapter-context.js';
import { isLive, type CallEntry, type CallSessions } from './call-entry.js';
import { applyTrackState } from './call-media.js';
import { parseRetryAfter } from './registration-rejection.js';
import { sessionOptions } from './session-description-handler-factory.js';

type MediaOptions = Web.SessionDescriptionHandlerOptions;

/**
 * After a reconnect the callee's ICE restart waits this long (plus up to as much again, at random) for the
 * caller's: long enough for a re-INVITE to cross a proxy, short enough that a callee alone on a new network
 * gets its audio back within ~2 s.
 */
const calleeIceRestartDelayMs = 1_000;

interface ReinviteOutcome {
  onAccept(): void;
  onGiveUp(reason: unknown): void;
}

/** Moves the hold state machine, tells the app, switches the tracks; false (logged) on an illegal move. */
function setHold(sessions: CallSessions, entry: CallEntry, event: HoldEvent): boolean {
  try {
    entry.hold = holdTransition(entry.hold, event);
  } catch (error) {
    console.error(error);
    return false;
  }
  sessions.context.emit({ type: 'holdChange', callId: entry.info.id, hold: entry.hold });
  applyTrackState(entry);
  return true;
}

/**
 * SIP.js keeps the options of the last re-INVITE and reuses them to answer the other side's re-INVITEs,
 * so every re-INVITE states the whole media intent (hold flag included), never a partial change.
 */
function mediaOptions(extra: MediaOptions): MediaOptions {
  return { ...sessionOptions(), ...extra };
}

/**
 * Sends a re-INVITE, retrying 491/500 as shared/call/hold-state.ts decides (RFC 3261 14.1/14.2): after a
 * reconnect both phones send their ICE restart at once, and the crossing re-INVITEs are glare.
 */
function reinvite(sessions: CallSessions, entry: CallEntry, options: () => MediaOptions, outcome: ReinviteOutcome, attemptNumber = 1): void {
  const failed = (statusCode: number, retryAfter: number | undefined, reason: unknown): void => {
    if (!isLive(sessions, entry)) return;
    const delay = reinviteRetryDelayMs(statusCode, retryAfter, attemptNumber, {
      ownsCallId: entry.info.direction === 'outgoing',
      random: sessions.context.random,
    });
    if (delay === null) {
      outcome.onGiveUp(reason);
      return;
    }
    entry.reinviteRetryTimer = setTimeout(() => {
      entry.reinviteRetryTimer = undefined;
      if (isLive(sessions, entry)) reinvite(sessions, entry, options, outcome, attemptNumber + 1);
    }, delay);
  };
  entry.session
    .invite({
      sessionDescriptionHandlerOptions: options(),
      requestDelegate: {
        onAccept() {
          if (isLive(sessions, entry)) outcome.onAccept();
        },
        onReject(response: Core.IncomingResponse) {
          const statusCode = response.message.statusCode ?? 0;
          failed(statusCode, parseRetryAfter(response.message.getHeader('Retry-After')), `${statusCode} ${response.message.reasonPhrase ?? ''}`);
        },
      },
    })
    .catch((error: unknown) => {
      // Our own re-INVITE still pending: treat it as glare and wait (RFC 3261 14.1).
      failed(491, undefined, error);
    });
}

function sendHoldReinvite(sessions: CallSessions, entry: CallEntry, hold: boolean): void {
  reinvite(sessions, entry, () => mediaOptions({ hold }), {
    onAccept: () => setHold(sessions, entry, 'reinviteSucceeded'),
    onGiveUp(reason) {
      setHold(sessions, entry, 'reinviteFailed');
      commandFailed(sessions.context, entry.info.id, hold ? 'hold' : 'resume', reason);
    },
  });
}

export function holdCall(sessions: CallSessions, entry: CallEntry): void {
  if (entry.state !== 'established' || entry.hold !== 'active') return;
  if (setHold(sessions, entry, 'holdRequested')) sendHoldReinvite(sessions, entry, true);
}

export function resumeCall(sessions: CallSessions, entry: CallEntry): void {
  if (entry.state !== 'established' || entry.hold !== 'held') return;
  if (setHold(sessions, entry, 'resumeRequested')) sendHoldReinvite(sessions, entry, false);
}

/**
 * After a reconnect: an ICE restart (RFC 8445 9) so media can follow a new path, which is also a target
 * refresh (RFC 3261 12.2) telling the other side our new connection. A refusal does not end the call.
 */
function restartIce(sessions: CallSessions, entry: CallEntry): void {
  entry.reinviteRetryTimer = clearTimer(entry.reinviteRetryTimer);
  reinvite(sessions, entry, () => mediaOptions({ hold: isOnHold(entry.hold), offerOptions: { iceRestart: true } }), {
    onAccept: () => undefined,
    onGiveUp: (reason) => console.warn('ICE restart re-INVITE failed', reason),
  });
}

/**
 * When the server restarted, both phones reconnect together and would send crossing re-INVITEs (glare,
 * RFC 3261 14.1). The caller restarts ICE at once; the callee waits a moment and skips its own when the
 * caller's already arrived, since one ICE restart renews both ends' candidates.
 */
export function restartIceAfterReconnect(sessions: CallSessions): void {
  const { now, random } = sessions.context;
  const reconnectedAt = now();
  for (const entry of sessions.calls.values()) {
    if (entry.state !== 'established') continue;
    if (entry.info.direction === 'outgoing') {
      restartIce(sessions, entry);
      continue;
    }
    entry.reinviteRetryTimer = clearTimer(entry.reinviteRetryTimer);
    entry.reinviteRetryTimer = setTimeout(() => {
      entry.reinviteRetryTimer = undefined;
      if (isLive(sessions, entry) && entry.remoteReinviteAt < reconnectedAt) restartIce(sessions, entry);
    }, calleeIceRestartDelayMs + Math.floor(random() * calleeIceRestartDelayMs));
  }
}
