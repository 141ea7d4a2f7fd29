/**
 * Call sessions: an Inviter or Invitation per call, its state machine (shared/call/call-state.ts) driven
 * by SIP.js's session states, and hang-up chosen by state. Every function takes the CallSessions table it
 * works on; nothing here holds the UserAgent.
 *
 *   outgoing: calling ──18x──► ringing ──200──► established ──BYE──► ended
 *   incoming: incoming ──Answer──► answering ──ACK──► established ──BYE──► ended
 *   (any state ──CANCEL / reject / failure──► ended)
 */
import { Invitation, Inviter, SessionState, UserAgent, type Referral, type Session, type SessionDelegate, type URI } from 'sip.js';
import { assertNever } from '../../../shared/assert-never.js';
import { hangupAction, transition, type CallEvent, type HangupAction } from '../../../shared/call/call-state.js';
import { sipUserPart, type DialTarget } from '../../../shared/dial/dial-string.js';
import { clearTimer, commandFailed, type Timer } from './adapter-context.js';
import { callInfo, isLive, newEntry, type CallEntry, type CallSessions } from './call-entry.js';
import { applyTrackState, endWhenMediaFails, handlerOf } from './call-media.js';
import { markCallTiming } from './call-timing.js';
import { applyEarlyMedia } from './early-media.js';
import { endReasonForBye, endReasonForStatus, type EndReason } from './end-reason.js';
import { sessionOptions } from './session-description-handler-factory.js';
import { unsolicitedInDialogRequests } from './unsolicited-requests.js';

export function newCallSessions(context: CallSessions['context']): CallSessions {
  return { context, calls: new Map() };
}

export function hasEstablishedCall(sessions: CallSessions): boolean {
  for (const entry of sessions.calls.values()) if (entry.state === 'established') return true;
  return false;
}

function emitCallState(entry: CallEntry, event: CallEvent): boolean {
  try {
    entry.state = transition(entry.state, event);
    return true;
  } catch (error) {
    // An illegal move means SIP.js told us something twice; log it rather than break the phone.
    console.error(error);
    return false;
  }
}

/** The call is over (SIP.js Terminated, or signed out): remove it and tell the app why. */
export function finishCall(sessions: CallSessions, entry: CallEntry): void {
  const { calls, context } = sessions;
  if (!calls.has(entry.info.id)) return;
  // An answer the app has not heard of yet is told first: the history must say "answered".
  entry.announceAnswered?.();
  calls.delete(entry.info.id);
  entry.reinviteRetryTimer = clearTimer(entry.reinviteRetryTimer);
  const answered = entry.state === 'established';
  emitCallState(entry, 'ended');
  const reason: EndReason = entry.endReason ?? (answered ? 'remote-hangup' : 'failed');
  context.emit({ type: 'remoteAudio', callId: entry.info.id, stream: null });
  context.emit({ type: 'callEnded', callId: entry.info.id, reason, at: context.now() });
}

/** Adds the call to the table and follows its SIP.js session until it ends. */
function trackCall(sessions: CallSessions, entry: CallEntry): void {
  const { context } = sessions;
  sessions.calls.set(entry.info.id, entry);
  const { session } = entry;
  session.stateChange.addListener((state) => {
    switch (state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        break;
      case SessionState.Established: {
        // SIP.js reaches Established right after sending our 200 OK; the app hears of the answer with the
        // media (announceWhenMediaIsUp), or from answerCall's deadline.
        if (!emitCallState(entry, 'accepted')) break;
        markCallTiming('answered', entry.info.id);
        applyTrackState(entry);
        endWhenMediaFails(sessions, entry);
        announceWhenMediaIsUp(sessions, entry, context.now());
        break;
      }
      case SessionState.Terminating:
        break;
      case SessionState.Terminated:
        // SIP.js 0.21 moves an Inviter to Terminated on a final error response before it hands that response
        // to the INVITE's onReject (Inviter.onReject), which names the reason (busy, declined...): finish
        // once it has, or every refused call would end as 'failed'.
        if (entry.endReason === null && entry.session instanceof Inviter) queueMicrotask(() => finishCall(sessions, entry));
        else finishCall(sessions, entry);
        break;
      default:
        assertNever(state);
    }
  });
  session.delegate = callSessionDelegate(entry, context.now, sessions.onRefer && ((referral) => sessions.onRefer?.(entry, referral)));
}

/**
 * How long the app may wait to hear of an answer while the call's media connects (ICE, DTLS): the panel
 * says "established" by then even when the media is slow or fails (endWhenMediaFails ends such a call).
 */
export const answeredNewsDeadlineMs = 100;

/**
 * Tells the app the call was answered (callAnswered with the moment of the answer, the remote audio) once
 * its peer connection is connected, or after answeredNewsDeadlineMs, whichever comes first. The listeners'
 * work (stores, React renders of the call panel and wallet, the ringback's stop, an audio element) would
 * otherwise take the CPU while ICE and DTLS connect, on both ends at once: measured on this 2-core machine,
 * the app's DTLS took ~10 ms longer than bare SIP.js's. The audio element is attached the moment media can
 * flow, before its first packet plays.
 */
function announceWhenMediaIsUp(sessions: CallSessions, entry: CallEntry, answeredAt: number): void {
  const { context } = sessions;
  const { session } = entry;
  const pc = handlerOf(session)?.peerConnection;
  let deadline: Timer = undefined;
  const onChange = (): void => {
    if (pc === undefined || pc.connectionState === 'connected' || pc.connectionState === 'failed' || pc.connectionState === 'closed') announce();
  };
  const announce = (): void => {
    entry.announceAnswering?.();
    entry.announceAnswered = null;
    deadline = clearTimer(deadline);
    pc?.removeEventListener('connectionstatechange', onChange);
    if (!isLive(sessions, entry)) return;
    context.emit({ type: 'callAnswered', callId: entry.info.id, at: answeredAt });
    const sdh = handlerOf(session);
    if (sdh !== null) context.emit({ type: 'remoteAudio', callId: entry.info.id, stream: sdh.remoteMediaStream });
  };
  entry.announceAnswered = announce;
  if (pc === undefined || pc.connectionState === 'connected') {
    announce();
    return;
  }
  pc.addEventListener('connectionstatechange', onChange);
  deadline = setTimeout(announce, answeredNewsDeadlineMs);
}

/**
 * What a call does with the in-dialog requests SIP.js hands its delegate: BYE is answered 200 and ends the
 * call as the other side's hang-up, or as the proxy's cut for lack of funds when its Reason says so
 * (endReasonForBye); a re-INVITE is noted (SIP.js answers it); the rest is refused (unsolicited-requests.ts).
 */
export function callSessionDelegate(entry: CallEntry, now: () => number, onRefer?: (referral: Referral) => void): SessionDelegate {
  return {
    ...unsolicitedInDialogRequests,
    // A transfer (call-transfer.ts) when the adapter follows them; refused otherwise.
    ...(onRefer === undefined ? {} : { onRefer }),
    onBye(bye) {
      entry.endReason ??= endReasonForBye(bye.request.getHeaders('Reason'));
      // With an onBye delegate, SIP.js 0.21 leaves the 200 OK to us (Session.onByeRequest). Unanswered, the
      // other side's BYE transaction ran into its timeout (Timer F, 32 s, RFC 3261 17.1.2.2) and ours never
      // ended: SIP.js's core kept every such BYE, its message and dialog, for as long as the page lived.
      void bye.accept().catch(() => undefined);
    },
    onInvite() {
      entry.remoteReinviteAt = now();
    },
  };
}

/** `sip:<user>@<domain>`, with `;user=phone` for E.164 numbers; undefined for a target SIP cannot name. */
function targetUri(target: DialTarget, domain: string): { uri: NonNullable<ReturnType<typeof UserAgent.makeURI>>; user: string } | undefined {
  let user: string;
  try {
    user = sipUserPart(target);
  } catch {
    return undefined;
  }
  const phoneParam = target.kind === 'phone' ? ';user=phone' : '';
  const uri = UserAgent.makeURI(`sip:${encodeURIComponent(user).replace(/%2B/g, '+')}@${domain}${phoneParam}`);
  return uri === undefined ? undefined : { uri, user };
}

/**
 * Sends the INVITE for an outgoing call and returns its id, or null when the target cannot be called.
 * `beforeInvite` runs once the Inviter exists and before its INVITE is built (the prepared media's hand-over).
 * `referred`: a call placed for a transfer (call-transfer.ts): the Refer-To URI as the proxy marked it, and
 * its Referred-By / Replaces headers.
 */
export function placeCall(
  sessions: CallSessions,
  ua: UserAgent,
  domain: string,
  target: DialTarget,
  display: string,
  beforeInvite: (inviter: Inviter) => void = () => undefined,
  referred?: { readonly uri: URI; readonly extraHeaders: readonly string[] },
): string | null {
  const { context } = sessions;
  const resolved = referred === undefined ? targetUri(target, domain) : { uri: referred.uri, user: referred.uri.user ?? '' };
  if (resolved === undefined) return null;
  const { uri, user } = resolved;
  const id = crypto.randomUUID();
  const inviter = new Inviter(ua, uri, { sessionDescriptionHandlerOptions: sessionOptions(), extraHeaders: [...(referred?.extraHeaders ?? [])] });
  const number = target.kind === 'phone' ? target.e164 : user;
  const entry = newEntry({ id, direction: 'outgoing', remoteUser: user, remoteDisplay: display, remoteNumber: number, sipCallId: inviter.request.callId }, inviter);
  trackCall(sessions, entry);
  // The app hears of the call once its INVITE is on the wire (or has failed): the listeners' work (stores,
  // a React render of the call panel, ringback) would otherwise run first, on the same main thread as the
  // offer, and delay the INVITE by as long as it takes (measured ~50 ms with the company's wallet panel).
  const createdAt = context.now();
  let announced = false;
  const announce = (): void => {
    if (announced) return;
    announced = true;
    context.emit({ type: 'callCreated', call: entry.info, at: createdAt });
  };
  beforeInvite(inviter);
  inviter
    .invite({
      requestDelegate: {
        onProgress(response) {
          const code = response.message.statusCode ?? 0;
          if (code > 100 && code < 200 && entry.state !== 'ended' && emitCallState(entry, 'progress')) {
            context.emit({ type: 'callProgress', callId: id });
          }
          // Early media (early-media.ts), e.g. the balance the SIP server announces: heard before the answer.
          void applyEarlyMedia(inviter, response).then((handler) => {
            if (handler !== null && entry.state !== 'ended') context.emit({ type: 'remoteAudio', callId: id, stream: handler.remoteMediaStream });
          });
        },
        onReject(response) {
          entry.endReason ??= endReasonForStatus(response.message.statusCode ?? 0, response.message.getHeader('X-Cabine-Refusal'));
        },
      },
    })
    .then(() => {
      markCallTiming('invite-sent', id);
      if (entry.state !== 'ended') announce();
    })
    .catch((error: unknown) => {
      announce();
      entry.endReason ??= 'failed';
      commandFailed(context, id, 'call', error);
      finishCall(sessions, entry);
    });
  return id;
}

/** An INVITE that arrived on a UserAgent we no longer use (signed out or replaced). */
export function refuseStaleInvitation(invitation: Invitation): void {
  void invitation.reject({ statusCode: 480 }).catch(() => undefined);
}

/**
 * A new incoming call: follow it, send 180 Ringing, tell the app. `onRinging` runs once the 180 is out,
 * before the app is told (the answer's preparation, prepared-answer.ts: its browser work then runs beside
 * the app's).
 */
export function receiveCall(sessions: CallSessions, invitation: Invitation, onRinging: () => void = () => undefined): void {
  const { context } = sessions;
  const id = crypto.randomUUID();
  const identity = invitation.remoteIdentity;
  const user = identity.uri.user ?? identity.uri.host;
  const entry = newEntry(callInfo(id, 'incoming', user, identity.displayName || user, invitation.request.callId), invitation);
  trackCall(sessions, entry);
  invitation.delegate = {
    ...invitation.delegate,
    onCancel() {
      entry.endReason ??= 'remote-cancelled';
    },
  };
  // 180 Ringing first: the caller hears ringback (RFC 3261 13.3.1.1) without waiting for the app's own
  // work on the new call (stores, ringtone, notification), which runs in callCreated's listeners. SIP.js
  // sends it synchronously and settles a microtask later; nothing can end the call in between.
  const announce = (): void => context.emit({ type: 'callCreated', call: entry.info, at: context.now() });
  invitation.progress().then(
    () => {
      markCallTiming('incoming-ringing', id);
      onRinging();
      announce();
    },
    announce,
  );
}

/**
 * How long the app may wait to hear that the user answered, when the 200 OK is slower than usual (the first
 * microphone of a session, a permission prompt): the ringtone stops and the panel says "Answering" by then.
 * Within a person's "at once" (~100 ms).
 */
export const answeringNewsDeadlineMs = 100;

export function answerCall(sessions: CallSessions, entry: CallEntry): void {
  const { context } = sessions;
  if (!(entry.session instanceof Invitation) || entry.state !== 'incoming') return;
  if (!emitCallState(entry, 'answer')) return;
  // The app hears of the answer (callAnswering: a store update, a React render, the ringtone stopped) once
  // the call's media is up (announceWhenMediaIsUp), or after answeringNewsDeadlineMs if that comes first:
  // its listeners' work otherwise ran on the main thread the answer is made on (answer SDP, 200 OK), and
  // then beside ICE and DTLS, and delayed the call's media by as long as it took (measured ~10 ms per call
  // with Chromium 156 here).
  let deadline: Timer = undefined;
  const announce = (): void => {
    entry.announceAnswering = null;
    deadline = clearTimer(deadline);
    if (isLive(sessions, entry)) context.emit({ type: 'callAnswering', callId: entry.info.id });
  };
  entry.announceAnswering = announce;
  deadline = setTimeout(announce, answeringNewsDeadlineMs);
  entry.session.accept({ sessionDescriptionHandlerOptions: sessionOptions() }).catch((error: unknown) => {
    entry.announceAnswering = null;
    deadline = clearTimer(deadline);
    entry.endReason ??= 'failed';
    commandFailed(context, entry.info.id, 'answer', error);
  });
}

/** Cancel, reject or BYE, as the call's state calls for (shared/call/call-state.ts hangupAction). */
export function hangupCall(sessions: CallSessions, entry: CallEntry): void {
  let action: HangupAction;
  try {
    action = hangupAction(entry.state, entry.info.direction);
  } catch (error) {
    console.error(error);
    return;
  }
  const session: Session = entry.session;
  switch (action) {
    case 'cancel':
      entry.endReason ??= 'cancelled';
      if (session instanceof Inviter) void session.cancel().catch((error: unknown) => commandFailed(sessions.context, entry.info.id, 'hangup', error));
      break;
    case 'reject':
      entry.endReason ??= 'declined';
      if (session instanceof Invitation) void session.reject({ statusCode: 603 }).catch(() => void session.dispose());
      break;
    case 'bye':
      entry.endReason ??= 'local-hangup';
      void session.bye().catch(() => void session.dispose());
      break;
    case 'none':
      break;
    default:
      assertNever(action);
  }
}

export function hangupAllCalls(sessions: CallSessions): void {
  for (const entry of [...sessions.calls.values()]) hangupCall(sessions, entry);
}

/** Signed out: whatever SIP.js has not ended yet ends now, for `reason` unless it already has one. */
export function finishAllCalls(sessions: CallSessions, reason: EndReason): void {
  for (const entry of [...sessions.calls.values()]) {
    entry.endReason ??= reason;
    finishCall(sessions, entry);
  }
}
