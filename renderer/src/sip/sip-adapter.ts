/**
 * The SIP adapter: the app's commands to SIP and SIP's events to the app (sip-events.ts), on SIP.js. This
 * file only composes the parts, each a module with an explicit state object (house style 7: nothing outside
 * `renderer/src/sip/` holds or imports a SIP.js object):
 *
 *   connection-supervisor.ts  UserAgent, WebSocket, CRLF keep-alive watchdog, reconnect with backoff
 *   registration.ts           Registerer per socket, retry, a credentials refusal ends the session
 *   call-sessions.ts          Inviter / Invitation per call, state machine, answer, hang-up by state
 *   call-reinvites.ts         hold / resume (rollback, 491/500 retries), ICE restart after a reconnect
 *   call-media.ts             mute, hold's tracks, DTMF, ending a call whose media failed
 *   call-transfer.ts          blind and attended transfer: REFER sent, followed, an INVITE with Replaces
 *   call-lines.ts             several calls: the line count, Do not disturb, 486 Busy Here refusals
 *   call-conference.ts        the local three-way call: merge, split (audio/conference-mixer.ts)
 *   call-microphone.ts        the chosen microphone, switched on live calls with replaceTrack
 *   unsolicited-requests.ts   REFER, NOTIFY, MESSAGE, INFO... refused (docs/call-flow.md)
 *   prepared-call.ts          microphone + pooled peer connection made ready before the click
 *   prepared-answer.ts        the same for an incoming call while it rings, its offer applied
 *   prepared-session-description-handler.ts  SIP.js's handler on a prepared set
 *   session-description-handler-factory.ts  which handler a session gets, with the e2e receiver hook
 */
import type { DialTarget } from '../../../shared/dial/dial-string.js';
import type { SipCredentials } from '../../../shared/settings.js';
import { createEmitter, type AdapterContext } from './adapter-context.js';
import type { CallSessions } from './call-entry.js';
import { handlerOf, peerConnections, sendDtmf, setMuted } from './call-media.js';
import { defaultMicrophone, openChosenMicrophone, switchCallMicrophones, type MicrophoneChoice } from './call-microphone.js';
import { holdCall, restartIceAfterReconnect, resumeCall } from './call-reinvites.js';
import { leaveConference, mergeCalls, newConference, splitConference } from './call-conference.js';
import { incomingRefusal, lineFree, newLinePolicy, refuseIncoming } from './call-lines.js';
import { answerReplacing, attendedTransfer, blindTransfer, followReferral, replacementOf, type ReferredCall } from './call-transfer.js';
import {
  answerCall, finishAllCalls, hangupAllCalls, hangupCall, hasEstablishedCall, newCallSessions, placeCall, receiveCall, refuseStaleInvitation,
} from './call-sessions.js';
import { createUserAgent, endSession, newConnectionState, reconnectNow, startSession, type ConnectionSupervisor } from './connection-supervisor.js';
import { dropRegistration, newRegistrationState, register, takeRegisterer, type Registration } from './registration.js';
import {
  defaultPreparedIdleMs, newPreparedCall, prepareCall, releasePreparedCall, takePreparedCall, type PreparedCallDeps,
} from './prepared-call.js';
import { prepareAnswer } from './prepared-answer.js';
import { handOverPreparedMedia, type PreparedHandOver } from './prepared-session-description-handler.js';
import {
  callMediaConstraints, callPeerConnectionConfiguration, sessionDescriptionHandlerFactory, type AudioReceiverHook,
} from './session-description-handler-factory.js';
import type { SipAdapterListener } from './sip-events.js';
import { unsolicitedOutOfDialogRequests } from './unsolicited-requests.js';

export interface SipAdapterOptions {
  /** ICE servers for the peer connections; none by default (the local stack needs none). */
  readonly iceServers?: RTCIceServer[];
  readonly now?: () => number;
  readonly random?: () => number;
  /** Log SIP messages to the console (development). */
  readonly traceSip?: boolean;
  /**
   * Called with each call's audio receiver as soon as it exists, before it is negotiated (the only moment
   * an encoded transform can still be attached in Chromium). Used by the `?e2e=1` DTMF tap only.
   */
  readonly onAudioReceiver?: AudioReceiverHook;
  /** How long a prepareCall() set waits for its call before it is released; default 30 s. */
  readonly preparedIdleMs?: number;
  /** Calls at once; a further incoming call gets 486 Busy Here (call-lines.ts). Default 4. */
  readonly maxLines?: number;
}

/** The commands the app gives to SIP. Every method is safe to call in any state: misuse is a no-op. */
export interface SipAdapter {
  subscribe(listener: SipAdapterListener): () => void;
  /** Signs in: connects, registers, and keeps it so until disconnect() or a credentials rejection. */
  connect(credentials: SipCredentials): void;
  /**
   * New credentials for the same account (the manager's time-limited ones before they expire): used from
   * the next challenge on (REGISTER refresh, next call); connection, registration and calls stay as they
   * are. Another account, or no account yet, connects afresh.
   */
  renewCredentials(credentials: SipCredentials): void;
  /** Signs out: unregisters, ends every call, closes the socket. */
  disconnect(): Promise<void>;
  /** The network came back or the machine woke up: try now instead of waiting out the backoff. */
  reconnectNow(): void;
  /**
   * Makes the next outgoing call start at once: opens the microphone (the constraints calls use) and one
   * peer connection that gathers its ICE candidates now. Idempotent and cheap: call it on every key press
   * in the dialer; each call re-arms the idle timer, after which (SipAdapterOptions.preparedIdleMs without a
   * key press or a call) everything is released. No-op when not signed in.
   */
  prepareCall(): void;
  /** Releases what prepareCall() opened now: no live microphone track, no open peer connection. */
  releasePreparedCall(): void;
  /**
   * Places a call; returns its id, or null when not possible (not signed in, invalid target). Uses the set
   * prepareCall() made ready, if any (one call per set), and otherwise opens the microphone itself.
   */
  call(target: DialTarget, display: string): string | null;
  answer(callId: string): void;
  decline(callId: string): void;
  /** Cancel, reject or BYE, whichever the call's state calls for (shared/call/call-state.ts hangupAction). */
  hangup(callId: string): void;
  setMuted(callId: string, muted: boolean): void;
  hold(callId: string): void;
  resume(callId: string): void;
  /** RFC 4733 telephone-events on the call's RTP (RTCDTMFSender). */
  sendDtmf(callId: string, tones: string): boolean;
  /** The live peer connections, for the `?e2e=1` test hook only. */
  peerConnections(): RTCPeerConnection[];
  /**
   * Blind transfer (REFER): the other party of the call is asked to call `target`; the call ends once it
   * agreed. Paid targets go through the call placer's gate first (calling/call-placer.ts admitTransfer).
   */
  transfer(callId: string, target: DialTarget): void;
  /** Attended transfer (REFER with Replaces): the other party of `callId` takes over `consultCallId`. */
  completeTransfer(callId: string, consultCallId: string): void;
  /**
   * The microphone (an audioinput deviceId, or 'default') for every call from now on, and for the calls in
   * progress at once, without renegotiating (call-microphone.ts). Resolves once they have switched.
   */
  setMicrophone(deviceId: string): Promise<void>;
  /** A call's getStats() (call quality); null once it has no peer connection. */
  callStats(callId: string): Promise<RTCStatsReport | null>;
  /** Do not disturb: incoming calls are answered 486 Busy Here and reported as callRefused. */
  setDoNotDisturb(on: boolean): void;
  /** Mixes the live call `liveCallId` and the held call `heldCallId` into a local conference (call-conference.ts). */
  merge(liveCallId: string, heldCallId: string): Promise<void>;
  /** Ends the conference: the call merged in goes back on hold, the other stays live. */
  split(): Promise<void>;
}

export function createSipAdapter(options: SipAdapterOptions = {}): SipAdapter {
  const emitter = createEmitter();
  const context: AdapterContext = { now: options.now ?? Date.now, random: options.random ?? Math.random, emit: emitter.emit };
  const sessions: CallSessions = newCallSessions(context);
  const lines = newLinePolicy(options.maxLines);
  const conference = newConference();
  emitter.subscribe((event) => {
    if (event.type === 'callEnded') void leaveConference(sessions, conference, event.callId);
  });
  const connection: ConnectionSupervisor = {
    context,
    state: newConnectionState(),
    onConnected(ua, reconnected) {
      register(registration, ua);
      if (reconnected) restartIceAfterReconnect(sessions);
    },
    onLost: () => dropRegistration(registration),
    hasEstablishedCall: () => hasEstablishedCall(sessions),
  };
  const registration: Registration = {
    context,
    state: newRegistrationState(),
    wanted: () => connection.state.wanted,
    onRejected: () => void shutDown(),
  };
  const handOver: PreparedHandOver = new WeakMap();
  // The signed-in account's (the manager's TURN credentials, renewed with the SIP ones), else the options'.
  const iceServers = (): RTCIceServer[] => connection.state.credentials?.iceServers ?? options.iceServers ?? [];
  const microphone: MicrophoneChoice = { deviceId: defaultMicrophone };
  const openMicrophone = (constraints: MediaStreamConstraints): Promise<MediaStream> => {
    if (!constraints.audio && !constraints.video) return Promise.resolve(new MediaStream());
    return navigator.mediaDevices === undefined
      ? Promise.reject(new Error('Media devices not available in insecure contexts.'))
      : openChosenMicrophone((c) => navigator.mediaDevices.getUserMedia(c), constraints, microphone.deviceId);
  };
  const sdhFactory = sessionDescriptionHandlerFactory(options.onAudioReceiver, handOver, iceServers, openMicrophone);
  const browserMedia: PreparedCallDeps = {
    getUserMedia: openMicrophone,
    createPeerConnection: (configuration) => new RTCPeerConnection(configuration),
  };
  const prepared = newPreparedCall(browserMedia, {
    constraints: callMediaConstraints,
    peerConnectionConfiguration: () => callPeerConnectionConfiguration(iceServers()),
    idleMs: options.preparedIdleMs ?? defaultPreparedIdleMs,
  });

  async function shutDown(): Promise<void> {
    releasePreparedCall(prepared);
    const ua = endSession(connection);
    const registerer = takeRegisterer(registration);
    hangupAllCalls(sessions);
    if (registerer !== null && ua?.isConnected() === true) await registerer.unregister().catch(() => undefined);
    if (ua !== null) await ua.stop().catch(() => undefined);
    finishAllCalls(sessions, 'connection-lost');
    if (ua !== null) context.emit({ type: 'connectionChange', connection: { kind: 'disconnected' } });
  }

  const entryOf = (callId: string) => sessions.calls.get(callId);

  // The transferee's side of a transfer: the call the REFER names, placed like any other.
  const placeReferred = (call: ReferredCall): string | null => {
    const { userAgent: ua, credentials } = connection.state;
    if (ua === null || credentials === null || !ua.isConnected()) return null;
    return placeCall(sessions, ua, credentials.account.domain, call.target, call.uri.user ?? '', () => undefined, call);
  };
  sessions.onRefer = (entry, referral) => followReferral(sessions, entry, referral, placeReferred);

  const adapter: SipAdapter = {
    subscribe: emitter.subscribe,

    connect(next) {
      void shutDown().then(() => {
        const ua = createUserAgent(connection, next, {
          sessionDescriptionHandlerFactory: sdhFactory,
          iceServers: options.iceServers ?? [],
          traceSip: options.traceSip ?? false,
          delegate: unsolicitedOutOfDialogRequests,
          onInvite(from, invitation) {
            // An attended transfer's INVITE replaces one of our calls (call-transfer.ts): answered at once, or refused.
            const replacement = connection.state.userAgent === from ? replacementOf(sessions, invitation) : null;
            if (replacement?.kind === 'refused') {
              void invitation.reject({ statusCode: replacement.statusCode }).catch(() => undefined);
              return;
            }
            const refusal = replacement?.kind === 'none' ? incomingRefusal(lines, sessions.calls.size) : null;
            if (refusal !== null) {
              refuseIncoming(sessions, invitation, refusal);
              return;
            }
            if (connection.state.userAgent === from) receiveCall(sessions, invitation, () => prepareAnswer(browserMedia, prepared.settings, handOver, invitation, options.onAudioReceiver));
            else refuseStaleInvitation(invitation);
            if (replacement?.kind === 'replaces') answerReplacing(sessions, invitation, replacement.entry);
          },
        });
        if (ua === null) {
          context.emit({ type: 'registrationChange', registration: { kind: 'rejected', reason: 'forbidden', statusCode: 0 } });
          return;
        }
        startSession(connection, next, ua);
      });
    },

    renewCredentials(next) {
      const current = connection.state.credentials;
      const ua = connection.state.userAgent;
      const sameAccount =
        current !== null &&
        current.account.server === next.account.server &&
        current.account.username === next.account.username &&
        current.account.domain === next.account.domain;
      if (!sameAccount || ua === null) {
        adapter.connect(next);
        return;
      }
      connection.state.credentials = next;
      // SIP.js builds its digest authenticator from these options at every challenge (UserAgent's
      // authenticationFactory), so changing them here takes effect from the next 401/407.
      ua.configuration.authorizationUsername = next.account.authorizationUsername ?? next.account.username;
      ua.configuration.authorizationPassword = next.password;
    },

    disconnect() {
      connection.state.credentials = null;
      return shutDown();
    },

    reconnectNow: () => reconnectNow(connection),

    call(target, display) {
      const { userAgent: ua, credentials } = connection.state;
      if (ua === null || credentials === null || !ua.isConnected()) return null;
      if (!lineFree(lines, sessions.calls.size)) {
        context.emit({ type: 'commandFailed', callId: null, command: 'call', message: 'all lines are in use' });
        return null;
      }
      return placeCall(sessions, ua, credentials.account.domain, target, display, (inviter) => {
        const media = takePreparedCall(prepared);
        if (media !== null) handOverPreparedMedia(handOver, inviter, media);
      });
    },

    prepareCall() {
      if (connection.state.wanted && connection.state.userAgent !== null) prepareCall(prepared);
    },

    releasePreparedCall: () => releasePreparedCall(prepared),

    answer(callId) {
      const entry = entryOf(callId);
      if (entry !== undefined) answerCall(sessions, entry);
    },

    decline(callId) {
      const entry = entryOf(callId);
      if (entry !== undefined && entry.info.direction === 'incoming') hangupCall(sessions, entry);
    },

    hangup(callId) {
      const entry = entryOf(callId);
      if (entry !== undefined) hangupCall(sessions, entry);
    },

    setMuted(callId, muted) {
      const entry = entryOf(callId);
      if (entry !== undefined) setMuted(sessions, entry, muted);
    },

    hold(callId) {
      const entry = entryOf(callId);
      if (entry !== undefined) holdCall(sessions, entry);
    },

    resume(callId) {
      const entry = entryOf(callId);
      if (entry !== undefined) resumeCall(sessions, entry);
    },

    sendDtmf(callId, tones) {
      const entry = entryOf(callId);
      return entry !== undefined && sendDtmf(entry, tones);
    },

    peerConnections: () => peerConnections(sessions),

    transfer(callId, target) {
      const entry = entryOf(callId);
      if (entry !== undefined) blindTransfer(sessions, entry, target);
    },

    completeTransfer(callId, consultCallId) {
      const entry = entryOf(callId);
      const consult = entryOf(consultCallId);
      if (entry !== undefined && consult !== undefined) attendedTransfer(sessions, entry, consult);
    },

    setMicrophone(deviceId) {
      if (microphone.deviceId === deviceId) return Promise.resolve();
      microphone.deviceId = deviceId;
      // A prepared set holds the old device's track: the next call opens the new one.
      releasePreparedCall(prepared);
      return switchCallMicrophones(sessions, openMicrophone);
    },

    setDoNotDisturb(on) {
      if (lines.doNotDisturb === on) return;
      lines.doNotDisturb = on;
      context.emit({ type: 'doNotDisturbChange', on });
    },

    merge(liveCallId, heldCallId) {
      const live = entryOf(liveCallId);
      const held = entryOf(heldCallId);
      return live === undefined || held === undefined ? Promise.resolve() : mergeCalls(sessions, conference, live, held);
    },

    split: () => splitConference(sessions, conference),

    async callStats(callId) {
      const entry = entryOf(callId);
      const pc = entry === undefined ? undefined : handlerOf(entry.session)?.peerConnection;
      return pc === undefined || pc.connectionState === 'closed' ? null : pc.getStats();
    },
  };
  return adapter;
}
