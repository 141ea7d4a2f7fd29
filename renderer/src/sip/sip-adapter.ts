/**
 * The one module that imports sip.js (house style 7; lint enforces it). It turns SIP.js's UserAgent,
 * Registerer, Inviter and Invitation into plain app events (sip-events.ts) and carries out the app's
 * commands. Nothing outside this file holds a SIP.js object.
 *
 * Staying registered (see also reconnect-schedule.ts):
 * - the WebSocket is reopened with backoff forever after it drops; each time it is back, a fresh
 *   Registerer registers (the old one is disposed while the socket is down, so it sends nothing);
 * - a dead socket that never closes (peer vanished, no FIN) is found by our own RFC 5626 section 4.4.1 CRLF
 *   ping every ~15 s with a 10 s pong watchdog: any frame from the server counts as the pong;
 * - after a reconnect every established call gets an ICE-restart re-INVITE (RFC 8445 section 9), so its
 *   media can follow a changed network path and its dialog learns our new connection;
 * - a registrar that refuses our credentials (second 401/407, or 403) ends the session: no retry storm.
 */
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  UserAgentState,
  Web,
  type Core,
  type Info,
  type Message,
  type Notification,
  type Referral,
  type Session,
  type SessionDelegate,
  type SessionDescriptionHandlerFactory,
  type UserAgentDelegate,
} from 'sip.js';
import { assertNever } from '../../../shared/assert-never.js';
import type { CallDirection } from '../../../shared/call-record.js';
import { hangupAction, initialCallState, transition, type CallEvent, type CallState, type HangupAction } from '../../../shared/call/call-state.js';
import { holdTransition, isOnHold, reinviteRetryDelayMs, type HoldEvent, type HoldState } from '../../../shared/call/hold-state.js';
import { sipUserPart, type DialTarget } from '../../../shared/dial/dial-string.js';
import type { SipCredentials } from '../../../shared/settings.js';
import { keepAliveIntervalSeconds, keepAlivePongTimeoutSeconds } from '../../../shared/sip/reconnect-policy.js';
import { headerDisplayName } from '../../../shared/sip/display-name.js';
import { checkSipServerUrl } from '../../../shared/sip/server-url.js';
import { markCallTiming } from './call-timing.js';
import { endReasonForStatus, type EndReason } from './end-reason.js';
import { nextReconnectDelayMs } from './reconnect-schedule.js';
import { isDtmfTones, parseRetryAfter, registrationRejectionFor } from './registration-rejection.js';
import type { CallInfo, ConnectionStatus, RegistrationStatus, SipAdapterEvent, SipAdapterListener } from './sip-events.js';

/** REGISTER expiry we ask for (Kamailio allows 60-3600 s). SIP.js refreshes before it runs out. */
const registrationExpiresSeconds = 300;
/** Connecting a WebSocket that takes longer than this is abandoned and retried. */
const connectTimeoutSeconds = 4;
/**
 * How long we wait for ICE candidates before sending an offer or answer. Host candidates arrive within
 * milliseconds; without STUN/TURN servers configured there is nothing else to wait for.
 */
const iceGatheringTimeoutMs = 500;
/**
 * After a reconnect the callee's ICE restart waits this long (plus up to as much again, at random) for the
 * caller's: long enough for a re-INVITE to cross a proxy, short enough that a callee alone on a new network
 * gets its audio back within ~2 s.
 */
const calleeIceRestartDelayMs = 1_000;
/** RFC 4733 tone length and gap, the common defaults of desk phones (and above RTCDTMFSender's minimums). */
const dtmfDurationMs = 160;
const dtmfGapMs = 70;

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
  readonly onAudioReceiver?: (receiver: RTCRtpReceiver) => void;
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
  /** Places a call; returns its id, or null when not possible (not signed in, invalid target). */
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
}

type IncomingResponse = Core.IncomingResponse;
type MediaOptions = Web.SessionDescriptionHandlerOptions;

interface CallEntry {
  readonly info: CallInfo;
  readonly session: Inviter | Invitation;
  state: CallState;
  hold: HoldState;
  muted: boolean;
  /** Set when we end the call ourselves, or learn why it failed, before SIP.js reports Terminated. */
  endReason: EndReason | null;
  reinviteRetryTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the other side last sent us a re-INVITE (epoch ms); 0 if never. */
  remoteReinviteAt: number;
}

/**
 * The methods we act on. A 405 must list them (RFC 3261 8.2.1); SIP.js's own list (AllowedMethods) names
 * REFER, MESSAGE, NOTIFY... which the app refuses.
 */
const allowHeader = 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS';

/** We never subscribe (no REFER, no SUBSCRIBE sent): no subscription matches a NOTIFY (RFC 6665 4.1.3). */
function refuseNotify(notification: Notification): void {
  void notification.reject({ statusCode: 481, reasonPhrase: 'Subscription Does Not Exist' }).catch(() => undefined);
}

/** No instant messaging: MESSAGE is not a method we act on. */
function refuseMessage(message: Message): void {
  void message.reject({ statusCode: 405, extraHeaders: [allowHeader] }).catch(() => undefined);
}

/**
 * What a call does with in-dialog requests the app never asked for: refuse them, show nothing, change
 * nothing. Without a delegate SIP.js 0.21 answers a REFER 202 and dials its Refer-To from our account
 * (Session.onReferRequest): the other party could make this phone call any number, past the paid-call
 * gate, invisibly (issue 8). Transfer will come as its own feature, asked for by the user and checked by
 * the proxy. INFO, MESSAGE and NOTIFY would be answered 200 and dropped; refusing them says so honestly.
 * Re-INVITEs (hold, ICE restart, target refresh) stay accepted: they are part of a call, and where media
 * may go is the proxy's and rtpengine's to enforce. See docs/call-flow.md "Requests the app refuses".
 */
const unsolicitedInDialogRequests = {
  onRefer(referral: Referral): void {
    // RFC 3515 2.4.2: a REFER the recipient will not act on is refused; 603 Decline, the user's answer.
    void referral.reject({ statusCode: 603, reasonPhrase: 'Decline' }).catch(() => undefined);
  },
  onNotify: refuseNotify,
  onMessage: refuseMessage,
  onInfo(info: Info): void {
    // RFC 6086 4.2.2: an INFO for a package we did not announce gets 469 with our (empty) Recv-Info.
    void info.reject({ statusCode: 469, extraHeaders: ['Recv-Info:'] }).catch(() => undefined);
  },
} satisfies Partial<SessionDelegate>;

/** The same policy outside a dialog (SIP.js's defaults, made explicit): only INVITE starts anything. */
const unsolicitedOutOfDialogRequests = {
  onMessage: refuseMessage,
  onNotify: refuseNotify,
  onReferRequest(request: Core.IncomingReferRequest): void {
    request.reject({ statusCode: 405, extraHeaders: [allowHeader] });
  },
  onSubscribeRequest(request: Core.IncomingSubscribeRequest): void {
    request.reject({ statusCode: 405, extraHeaders: [allowHeader] });
  },
  onRegisterRequest(request: Core.IncomingRegisterRequest): void {
    request.reject({ statusCode: 405, extraHeaders: [allowHeader] });
  },
} satisfies Partial<UserAgentDelegate>;

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * SIP.js's own factory, with the optional receiver hook attached to every handler it makes. Chromium only
 * runs an encoded transform that was attached before the transceiver was negotiated: for the transceivers
 * SIP.js creates with addTrack (every call here) that means right after addTrack, before the offer/answer
 * (measured with Chromium 156: attached in `ontrack` it receives no frames). Transceivers created by a
 * remote offer are handed over in `ontrack`, which works for them. The hook may see a receiver twice.
 */
function sessionDescriptionHandlerFactory(onAudioReceiver: SipAdapterOptions['onAudioReceiver']): SessionDescriptionHandlerFactory {
  const base = Web.defaultSessionDescriptionHandlerFactory();
  if (onAudioReceiver === undefined) return base;
  return (session, factoryOptions) => {
    const handler = base(session, factoryOptions);
    if (!(handler instanceof Web.SessionDescriptionHandler)) return handler;
    const pc = handler.peerConnection;
    if (pc !== undefined) {
      const addTrack = pc.addTrack.bind(pc);
      pc.addTrack = (track, ...streams) => {
        const sender = addTrack(track, ...streams);
        const transceiver = pc.getTransceivers().find((t) => t.sender === sender);
        if (track.kind === 'audio' && transceiver !== undefined) onAudioReceiver(transceiver.receiver);
        return sender;
      };
    }
    handler.peerConnectionDelegate = {
      // SIP.js types the event as a plain Event; the peer connection hands it an RTCTrackEvent.
      ontrack: (event) => {
        if (event instanceof RTCTrackEvent && event.track.kind === 'audio') onAudioReceiver(event.receiver);
      },
    };
    return handler;
  };
}

export function createSipAdapter(options: SipAdapterOptions = {}): SipAdapter {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const listeners = new Set<SipAdapterListener>();
  const calls = new Map<string, CallEntry>();

  let userAgent: UserAgent | null = null;
  let registerer: Registerer | null = null;
  let credentials: SipCredentials | null = null;
  /** True between connect() and disconnect() (or a credentials rejection). */
  let wanted = false;
  let attempt = 0;
  let lostAt: number | null = null;
  let everConnected = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let registerRetryTimer: ReturnType<typeof setTimeout> | undefined;
  let registerAttempt = 0;
  let pingTimer: ReturnType<typeof setTimeout> | undefined;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  let detachSocket: (() => void) | null = null;

  const emit = (event: SipAdapterEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('SIP adapter listener failed', error);
      }
    }
  };
  const connectionChange = (connection: ConnectionStatus): void => emit({ type: 'connectionChange', connection });
  const registrationChange = (registration: RegistrationStatus): void => emit({ type: 'registrationChange', registration });
  const commandFailed = (callId: string | null, command: string, error: unknown): void =>
    emit({ type: 'commandFailed', callId, command, message: describeError(error) });

  // ----- connection supervision -----

  function clearTimer(timer: ReturnType<typeof setTimeout> | undefined): undefined {
    if (timer !== undefined) clearTimeout(timer);
    return undefined;
  }

  function stopKeepAlive(): void {
    pingTimer = clearTimer(pingTimer);
    pongTimer = clearTimer(pongTimer);
    detachSocket?.();
    detachSocket = null;
  }

  /**
   * SIP.js sends no ping of its own here (its keepAliveInterval never acts on a missing pong), so we do:
   * a double CRLF every keepAliveIntervalSeconds × [0.8, 1), and if nothing at all arrives from the server
   * within keepAlivePongTimeoutSeconds we declare the flow dead (RFC 5626 section 4.4.1) and reconnect.
   */
  function startKeepAlive(ua: UserAgent): void {
    stopKeepAlive();
    const transport = ua.transport;
    const socket = transport instanceof Web.Transport ? transport.ws : undefined;
    if (socket === undefined) return;
    const onFrame = (): void => {
      pongTimer = clearTimer(pongTimer);
    };
    socket.addEventListener('message', onFrame);
    detachSocket = () => socket.removeEventListener('message', onFrame);
    const schedulePing = (): void => {
      const delay = keepAliveIntervalSeconds * 1000 * (0.8 + 0.2 * random());
      pingTimer = setTimeout(() => {
        if (userAgent !== ua || !ua.isConnected()) return;
        pongTimer ??= setTimeout(() => {
          pongTimer = undefined;
          if (userAgent !== ua) return;
          console.warn('SIP server silent after a keep-alive ping: reconnecting');
          // Closing moves the transport out of Connected, which runs onDisconnect and the reconnection.
          void ua.transport.disconnect().catch(() => undefined);
        }, keepAlivePongTimeoutSeconds * 1000);
        void ua.transport.send('\r\n\r\n').catch(() => undefined);
        schedulePing();
      }, delay);
    };
    schedulePing();
  }

  function hasEstablishedCall(): boolean {
    for (const entry of calls.values()) if (entry.state === 'established') return true;
    return false;
  }

  function scheduleReconnect(): void {
    retryTimer = clearTimer(retryTimer);
    if (!wanted || userAgent === null) return;
    const delay = nextReconnectDelayMs({
      attempt,
      callEstablished: hasEstablishedCall(),
      sinceLostMs: lostAt === null ? 0 : now() - lostAt,
      random,
    });
    connectionChange({ kind: 'waiting', retryAt: now() + delay, attempt });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      tryConnect();
    }, delay);
  }

  function tryConnect(): void {
    const ua = userAgent;
    if (!wanted || ua === null) return;
    connectionChange({ kind: 'connecting', attempt });
    const opening = ua.state === UserAgentState.Started ? ua.reconnect() : ua.start();
    opening.catch(() => {
      if (userAgent !== ua || !wanted) return;
      attempt += 1;
      scheduleReconnect();
    });
  }

  function onTransportConnected(ua: UserAgent): void {
    if (userAgent !== ua || !wanted) return;
    const reconnected = everConnected;
    everConnected = true;
    attempt = 0;
    lostAt = null;
    retryTimer = clearTimer(retryTimer);
    connectionChange({ kind: 'connected' });
    startKeepAlive(ua);
    register(ua);
    if (reconnected) {
      // When the server restarted, both phones reconnect together and would send crossing re-INVITEs
      // (glare, RFC 3261 14.1). The caller restarts ICE at once; the callee waits a moment and skips its
      // own when the caller's already arrived, since one ICE restart renews both ends' candidates.
      const reconnectedAt = now();
      for (const entry of calls.values()) {
        if (entry.state !== 'established') continue;
        if (entry.info.direction === 'outgoing') {
          restartIce(entry);
          continue;
        }
        entry.reinviteRetryTimer = clearTimer(entry.reinviteRetryTimer);
        entry.reinviteRetryTimer = setTimeout(() => {
          entry.reinviteRetryTimer = undefined;
          if (calls.has(entry.info.id) && entry.remoteReinviteAt < reconnectedAt) restartIce(entry);
        }, calleeIceRestartDelayMs + Math.floor(random() * calleeIceRestartDelayMs));
      }
    }
  }

  function onTransportLost(ua: UserAgent): void {
    if (userAgent !== ua) return;
    stopKeepAlive();
    registerRetryTimer = clearTimer(registerRetryTimer);
    // Dispose of the Registerer while the socket is down: its un-REGISTER cannot be sent (SIP.js answers it
    // with an internal 503), so it cannot remove the binding the next Registerer makes on the new socket.
    const old = registerer;
    registerer = null;
    if (old !== null) void old.dispose().catch(() => undefined);
    if (!wanted) return;
    lostAt ??= now();
    registrationChange({ kind: 'unregistered' });
    scheduleReconnect();
  }

  // ----- registration -----

  function register(ua: UserAgent): void {
    if (registerer !== null) void registerer.dispose().catch(() => undefined);
    const fresh = new Registerer(ua, { expires: registrationExpiresSeconds });
    registerer = fresh;
    registerAttempt = 0;
    fresh.stateChange.addListener((state) => {
      if (registerer !== fresh) return;
      switch (state) {
        case RegistererState.Registered:
          registerAttempt = 0;
          registrationChange({ kind: 'registered' });
          break;
        case RegistererState.Unregistered:
        case RegistererState.Initial:
        case RegistererState.Terminated:
          break;
        default:
          assertNever(state);
      }
    });
    sendRegister(ua, fresh);
  }

  function sendRegister(ua: UserAgent, target: Registerer): void {
    registrationChange({ kind: 'registering' });
    const retryLater = (): void => {
      if (registerer !== target || !wanted) return;
      registrationChange({ kind: 'unregistered' });
      const delay = nextReconnectDelayMs({ attempt: registerAttempt, callEstablished: false, sinceLostMs: Infinity, random });
      registerAttempt += 1;
      registerRetryTimer = clearTimer(registerRetryTimer);
      registerRetryTimer = setTimeout(() => {
        registerRetryTimer = undefined;
        if (registerer === target && ua.isConnected()) sendRegister(ua, target);
      }, delay);
    };
    target
      .register({
        requestDelegate: {
          onReject(response: IncomingResponse) {
            if (registerer !== target) return;
            const statusCode = response.message.statusCode ?? 0;
            const rejection = registrationRejectionFor(statusCode);
            if (rejection === null) {
              retryLater();
              return;
            }
            // The user must fix this; stop here, do not retry (no retry storm, no ban at the registrar).
            registrationChange({ kind: 'rejected', reason: rejection, statusCode });
            void shutDown();
          },
        },
      })
      .catch(() => retryLater());
  }

  // ----- calls -----

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

  function setHold(entry: CallEntry, event: HoldEvent): boolean {
    try {
      entry.hold = holdTransition(entry.hold, event);
    } catch (error) {
      console.error(error);
      return false;
    }
    emit({ type: 'holdChange', callId: entry.info.id, hold: entry.hold });
    applyTrackState(entry);
    return true;
  }

  function handlerOf(session: Session): Web.SessionDescriptionHandler | null {
    const sdh = session.sessionDescriptionHandler;
    return sdh instanceof Web.SessionDescriptionHandler ? sdh : null;
  }

  /** Our microphone flows only when neither muted nor held; their audio plays only when not held. */
  function applyTrackState(entry: CallEntry): void {
    const sdh = handlerOf(entry.session);
    if (sdh === null || sdh.peerConnection === undefined) return;
    const held = isOnHold(entry.hold);
    try {
      sdh.enableSenderTracks(!held && !entry.muted);
      sdh.enableReceiverTracks(!held);
    } catch {
      // Peer connection already closed: nothing to switch.
    }
  }

  function track(entry: CallEntry): void {
    calls.set(entry.info.id, entry);
    const { session } = entry;
    session.stateChange.addListener((state) => {
      switch (state) {
        case SessionState.Initial:
        case SessionState.Establishing:
          break;
        case SessionState.Established: {
          if (!emitCallState(entry, 'accepted')) break;
          emit({ type: 'callAnswered', callId: entry.info.id, at: now() });
          markCallTiming('answered', entry.info.id);
          const sdh = handlerOf(session);
          if (sdh !== null) emit({ type: 'remoteAudio', callId: entry.info.id, stream: sdh.remoteMediaStream });
          applyTrackState(entry);
          endWhenMediaFails(entry);
          break;
        }
        case SessionState.Terminating:
          break;
        case SessionState.Terminated:
          finish(entry);
          break;
        default:
          assertNever(state);
      }
    });
    session.delegate = {
      ...unsolicitedInDialogRequests,
      onBye() {
        entry.endReason ??= 'remote-hangup';
      },
      onInvite() {
        entry.remoteReinviteAt = now();
      },
    };
  }

  /**
   * ICE gives up ('failed', about 30 s after the other side stopped answering consent checks, RFC 7675)
   * when the other side vanished without a BYE reaching us, e.g. when the proxy lost the dialog's route.
   * The call is over then; end it rather than show a silent call forever.
   */
  function endWhenMediaFails(entry: CallEntry): void {
    const pc = handlerOf(entry.session)?.peerConnection;
    if (pc === undefined) return;
    const onChange = (): void => {
      if (pc.connectionState !== 'failed' || !calls.has(entry.info.id)) return;
      pc.removeEventListener('connectionstatechange', onChange);
      entry.endReason ??= 'connection-lost';
      void entry.session.bye().catch(() => void entry.session.dispose());
    };
    pc.addEventListener('connectionstatechange', onChange);
  }

  function finish(entry: CallEntry): void {
    if (!calls.has(entry.info.id)) return;
    calls.delete(entry.info.id);
    entry.reinviteRetryTimer = clearTimer(entry.reinviteRetryTimer);
    const answered = entry.state === 'established';
    emitCallState(entry, 'ended');
    const reason: EndReason = entry.endReason ?? (answered ? 'remote-hangup' : 'failed');
    emit({ type: 'remoteAudio', callId: entry.info.id, stream: null });
    emit({ type: 'callEnded', callId: entry.info.id, reason, at: now() });
  }

  /** A call as it starts: its state machine's first state, not held, not muted. */
  function newEntry(info: CallInfo, session: Inviter | Invitation): CallEntry {
    return {
      info,
      session,
      state: initialCallState(info.direction),
      hold: 'active',
      muted: false,
      endReason: null,
      reinviteRetryTimer: undefined,
      remoteReinviteAt: 0,
    };
  }

  function callInfo(id: string, direction: CallDirection, remoteUser: string, remoteDisplay: string, sipCallId: string): CallInfo {
    return { id, direction, remoteUser, remoteDisplay, remoteNumber: remoteUser, sipCallId };
  }

  function onInvite(ua: UserAgent, invitation: Invitation): void {
    if (userAgent !== ua) {
      void invitation.reject({ statusCode: 480 }).catch(() => undefined);
      return;
    }
    const id = crypto.randomUUID();
    const identity = invitation.remoteIdentity;
    const user = identity.uri.user ?? identity.uri.host;
    const entry = newEntry(callInfo(id, 'incoming', user, identity.displayName || user, invitation.request.callId), invitation);
    track(entry);
    invitation.delegate = {
      ...invitation.delegate,
      onCancel() {
        entry.endReason ??= 'remote-cancelled';
      },
    };
    emit({ type: 'callCreated', call: entry.info, at: now() });
    // 180 Ringing: the caller hears ringback (RFC 3261 13.3.1.1).
    invitation.progress().then(
      () => markCallTiming('incoming-ringing', id),
      () => undefined,
    );
  }

  function sessionOptions(): MediaOptions {
    return {
      constraints: { audio: true, video: false },
      iceGatheringTimeout: iceGatheringTimeoutMs,
    };
  }

  // ----- hold, resume, ICE restart: re-INVITEs -----

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
  function reinvite(
    entry: CallEntry,
    options: () => MediaOptions,
    outcome: { onAccept(): void; onGiveUp(reason: unknown): void },
    attemptNumber = 1,
  ): void {
    const failed = (statusCode: number, retryAfter: number | undefined, reason: unknown): void => {
      if (!calls.has(entry.info.id)) return;
      const delay = reinviteRetryDelayMs(statusCode, retryAfter, attemptNumber, {
        ownsCallId: entry.info.direction === 'outgoing',
        random,
      });
      if (delay === null) {
        outcome.onGiveUp(reason);
        return;
      }
      entry.reinviteRetryTimer = setTimeout(() => {
        entry.reinviteRetryTimer = undefined;
        if (calls.has(entry.info.id)) reinvite(entry, options, outcome, attemptNumber + 1);
      }, delay);
    };
    entry.session
      .invite({
        sessionDescriptionHandlerOptions: options(),
        requestDelegate: {
          onAccept() {
            if (calls.has(entry.info.id)) outcome.onAccept();
          },
          onReject(response: IncomingResponse) {
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

  function sendHoldReinvite(entry: CallEntry, hold: boolean): void {
    reinvite(entry, () => mediaOptions({ hold }), {
      onAccept: () => setHold(entry, 'reinviteSucceeded'),
      onGiveUp(reason) {
        setHold(entry, 'reinviteFailed');
        commandFailed(entry.info.id, hold ? 'hold' : 'resume', reason);
      },
    });
  }

  /**
   * After a reconnect: an ICE restart (RFC 8445 9) so media can follow a new path, which is also a target
   * refresh (RFC 3261 12.2) telling the other side our new connection. A refusal does not end the call.
   */
  function restartIce(entry: CallEntry): void {
    entry.reinviteRetryTimer = clearTimer(entry.reinviteRetryTimer);
    reinvite(entry, () => mediaOptions({ hold: isOnHold(entry.hold), offerOptions: { iceRestart: true } }), {
      onAccept: () => undefined,
      onGiveUp: (reason) => console.warn('ICE restart re-INVITE failed', reason),
    });
  }

  // ----- sign in / out -----

  async function shutDown(): Promise<void> {
    wanted = false;
    retryTimer = clearTimer(retryTimer);
    registerRetryTimer = clearTimer(registerRetryTimer);
    stopKeepAlive();
    const ua = userAgent;
    userAgent = null;
    const reg = registerer;
    registerer = null;
    for (const entry of [...calls.values()]) {
      hangupEntry(entry);
    }
    if (reg !== null && ua?.isConnected() === true) await reg.unregister().catch(() => undefined);
    if (ua !== null) await ua.stop().catch(() => undefined);
    for (const entry of [...calls.values()]) {
      entry.endReason ??= 'connection-lost';
      finish(entry);
    }
    if (ua !== null) connectionChange({ kind: 'disconnected' });
  }

  function hangupEntry(entry: CallEntry): void {
    let action: HangupAction;
    try {
      action = hangupAction(entry.state, entry.info.direction);
    } catch (error) {
      console.error(error);
      return;
    }
    const { session } = entry;
    switch (action) {
      case 'cancel':
        entry.endReason ??= 'cancelled';
        if (session instanceof Inviter) void session.cancel().catch((error: unknown) => commandFailed(entry.info.id, 'hangup', error));
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

  const entryOf = (callId: string): CallEntry | undefined => calls.get(callId);

  const adapter: SipAdapter = {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    connect(next) {
      void shutDown().then(() => {
        credentials = next;
        wanted = true;
        attempt = 0;
        lostAt = null;
        everConnected = false;
        const { account, password } = next;
        const uri = UserAgent.makeURI(`sip:${account.username}@${account.domain}`);
        // The forms and the company sign-in already refuse a remote ws:// (shared/sip/server-url.ts); this
        // is the last door before credentials and calls would go out in clear text.
        if (uri === undefined || checkSipServerUrl(account.server) !== 'ok') {
          registrationChange({ kind: 'rejected', reason: 'forbidden', statusCode: 0 });
          wanted = false;
          return;
        }
        const ua: UserAgent = new UserAgent({
          uri,
          authorizationUsername: account.authorizationUsername ?? account.username,
          authorizationPassword: password,
          // SIP.js quotes it without escaping: only a cleaned name may reach the From header.
          displayName: headerDisplayName(account.displayName, account.username),
          transportOptions: {
            server: account.server,
            connectionTimeout: connectTimeoutSeconds,
            traceSip: options.traceSip ?? false,
          },
          logLevel: 'warn',
          userAgentString: 'Cabine/0.1 (SIP.js 0.21)',
          sessionDescriptionHandlerFactory: sessionDescriptionHandlerFactory(options.onAudioReceiver),
          sessionDescriptionHandlerFactoryOptions: {
            iceGatheringTimeout: iceGatheringTimeoutMs,
            peerConnectionConfiguration: { iceServers: options.iceServers ?? [] },
          },
          delegate: {
            ...unsolicitedOutOfDialogRequests,
            onConnect: () => onTransportConnected(ua),
            onDisconnect: () => onTransportLost(ua),
            onInvite: (invitation) => onInvite(ua, invitation),
          },
        });
        userAgent = ua;
        tryConnect();
      });
    },

    renewCredentials(next) {
      const current = credentials;
      const ua = userAgent;
      const sameAccount =
        current !== null &&
        current.account.server === next.account.server &&
        current.account.username === next.account.username &&
        current.account.domain === next.account.domain;
      if (!sameAccount || ua === null) {
        adapter.connect(next);
        return;
      }
      credentials = next;
      // SIP.js builds its digest authenticator from these options at every challenge (UserAgent's
      // authenticationFactory), so changing them here takes effect from the next 401/407.
      ua.configuration.authorizationUsername = next.account.authorizationUsername ?? next.account.username;
      ua.configuration.authorizationPassword = next.password;
    },

    disconnect() {
      credentials = null;
      return shutDown();
    },

    reconnectNow() {
      if (!wanted || userAgent === null || userAgent.isConnected()) return;
      attempt = 0;
      retryTimer = clearTimer(retryTimer);
      tryConnect();
    },

    call(target, display) {
      const ua = userAgent;
      if (ua === null || credentials === null || !ua.isConnected()) return null;
      let user: string;
      try {
        user = sipUserPart(target);
      } catch {
        return null;
      }
      const phoneParam = target.kind === 'phone' ? ';user=phone' : '';
      const uri = UserAgent.makeURI(`sip:${encodeURIComponent(user).replace(/%2B/g, '+')}@${credentials.account.domain}${phoneParam}`);
      if (uri === undefined) return null;
      const id = crypto.randomUUID();
      const inviter = new Inviter(ua, uri, { sessionDescriptionHandlerOptions: sessionOptions() });
      const number = target.kind === 'phone' ? target.e164 : user;
      const entry = newEntry({ id, direction: 'outgoing', remoteUser: user, remoteDisplay: display, remoteNumber: number, sipCallId: inviter.request.callId }, inviter);
      track(entry);
      emit({ type: 'callCreated', call: entry.info, at: now() });
      inviter
        .invite({
          requestDelegate: {
            onProgress(response) {
              const code = response.message.statusCode ?? 0;
              if (code > 100 && code < 200 && entry.state !== 'ended' && emitCallState(entry, 'progress')) {
                emit({ type: 'callProgress', callId: id });
              }
            },
            onReject(response) {
              entry.endReason ??= endReasonForStatus(response.message.statusCode ?? 0, response.message.getHeader('X-Cabine-Refusal'));
            },
          },
        })
        .then(() => markCallTiming('invite-sent', id))
        .catch((error: unknown) => {
          entry.endReason ??= 'failed';
          commandFailed(id, 'call', error);
          finish(entry);
        });
      return id;
    },

    answer(callId) {
      const entry = entryOf(callId);
      if (entry === undefined || !(entry.session instanceof Invitation) || entry.state !== 'incoming') return;
      if (!emitCallState(entry, 'answer')) return;
      emit({ type: 'callAnswering', callId });
      entry.session.accept({ sessionDescriptionHandlerOptions: sessionOptions() }).catch((error: unknown) => {
        entry.endReason ??= 'failed';
        commandFailed(callId, 'answer', error);
      });
    },

    decline(callId) {
      const entry = entryOf(callId);
      if (entry === undefined || entry.info.direction !== 'incoming') return;
      hangupEntry(entry);
    },

    hangup(callId) {
      const entry = entryOf(callId);
      if (entry !== undefined) hangupEntry(entry);
    },

    setMuted(callId, muted) {
      const entry = entryOf(callId);
      if (entry === undefined || entry.muted === muted) return;
      entry.muted = muted;
      applyTrackState(entry);
      emit({ type: 'muteChange', callId, muted });
    },

    hold(callId) {
      const entry = entryOf(callId);
      if (entry === undefined || entry.state !== 'established' || entry.hold !== 'active') return;
      if (setHold(entry, 'holdRequested')) sendHoldReinvite(entry, true);
    },

    resume(callId) {
      const entry = entryOf(callId);
      if (entry === undefined || entry.state !== 'established' || entry.hold !== 'held') return;
      if (setHold(entry, 'resumeRequested')) sendHoldReinvite(entry, false);
    },

    sendDtmf(callId, tones) {
      const entry = entryOf(callId);
      if (entry === undefined || entry.state !== 'established' || !isDtmfTones(tones)) return false;
      const sdh = handlerOf(entry.session);
      if (sdh === null) return false;
      return sdh.sendDtmf(tones.toUpperCase(), { duration: dtmfDurationMs, interToneGap: dtmfGapMs });
    },

    peerConnections() {
      const result: RTCPeerConnection[] = [];
      for (const entry of calls.values()) {
        const pc = handlerOf(entry.session)?.peerConnection;
        if (pc !== undefined) result.push(pc);
      }
      return result;
    },
  };
  return adapter;
}
