/**
 * Connection supervision: the UserAgent and its WebSocket (RFC 7118), kept open for as long as the user is
 * signed in (see also reconnect-schedule.ts):
 * - the WebSocket is reopened with backoff forever after it drops (onLost, then a new attempt);
 * - a dead socket that never closes (peer vanished, no FIN) is found by our own RFC 5626 section 4.4.1 CRLF
 *   ping every ~15 s with a 10 s pong watchdog: any frame from the server counts as the pong;
 * - each time it is back, onConnected runs (registration.ts registers; call-reinvites.ts restarts ICE).
 */
import { UserAgent, UserAgentState, Web, type Invitation, type SessionDescriptionHandlerFactory, type UserAgentDelegate } from 'sip.js';
import type { SipCredentials } from '../../../shared/settings.js';
import { keepAliveIntervalSeconds, keepAlivePongTimeoutSeconds } from '../../../shared/sip/reconnect-policy.js';
import { headerDisplayName } from '../../../shared/sip/display-name.js';
import { checkSipServerUrl } from '../../../shared/sip/server-url.js';
import { clearTimer, type AdapterContext, type Timer } from './adapter-context.js';
import { nextReconnectDelayMs } from './reconnect-schedule.js';
import { iceGatheringTimeoutMs } from './session-description-handler-factory.js';
import type { ConnectionStatus } from './sip-events.js';

/** Connecting a WebSocket that takes longer than this is abandoned and retried. */
const connectTimeoutSeconds = 4;

export interface ConnectionState {
  userAgent: UserAgent | null;
  credentials: SipCredentials | null;
  /** True between connect() and disconnect() (or a credentials rejection). */
  wanted: boolean;
  /** Failed connection attempts since the last success. */
  attempt: number;
  /** When the connection was lost (epoch ms); null while connected or never connected. */
  lostAt: number | null;
  everConnected: boolean;
  retryTimer: Timer;
  pingTimer: Timer;
  pongTimer: Timer;
  detachSocket: (() => void) | null;
}

export interface ConnectionSupervisor {
  readonly context: AdapterContext;
  readonly state: ConnectionState;
  /** The socket is open; `reconnected` when it had been open before in this session. */
  readonly onConnected: (ua: UserAgent, reconnected: boolean) => void;
  /** The socket dropped (or was closed while signing out). */
  readonly onLost: () => void;
  /** A call is up: reconnect on the fast schedule. */
  readonly hasEstablishedCall: () => boolean;
}

export function newConnectionState(): ConnectionState {
  return {
    userAgent: null,
    credentials: null,
    wanted: false,
    attempt: 0,
    lostAt: null,
    everConnected: false,
    retryTimer: undefined,
    pingTimer: undefined,
    pongTimer: undefined,
    detachSocket: null,
  };
}

function connectionChange(supervisor: ConnectionSupervisor, connection: ConnectionStatus): void {
  supervisor.context.emit({ type: 'connectionChange', connection });
}

export interface UserAgentParts {
  readonly sessionDescriptionHandlerFactory: SessionDescriptionHandlerFactory;
  readonly iceServers: RTCIceServer[];
  readonly traceSip: boolean;
  /** An INVITE outside a dialog, with the UserAgent it came to (it may no longer be the current one). */
  readonly onInvite: (ua: UserAgent, invitation: Invitation) => void;
  /** What the UserAgent does with the other requests outside a dialog (unsolicited-requests.ts). */
  readonly delegate: Omit<UserAgentDelegate, 'onConnect' | 'onDisconnect' | 'onInvite'>;
}

/**
 * The UserAgent for these credentials, or null when they must not reach SIP.js: an account SIP cannot
 * name, or a server address that is not wss:// (or ws:// to this machine).
 */
export function createUserAgent(supervisor: ConnectionSupervisor, credentials: SipCredentials, parts: UserAgentParts): UserAgent | null {
  const { account, password } = credentials;
  const uri = UserAgent.makeURI(`sip:${account.username}@${account.domain}`);
  // The forms and the company sign-in already refuse a remote ws:// (shared/sip/server-url.ts); this
  // is the last door before credentials and calls would go out in clear text.
  if (uri === undefined || checkSipServerUrl(account.server) !== 'ok') return null;
  const ua: UserAgent = new UserAgent({
    uri,
    authorizationUsername: account.authorizationUsername ?? account.username,
    authorizationPassword: password,
    // SIP.js quotes it without escaping: only a cleaned name may reach the From header.
    displayName: headerDisplayName(account.displayName, account.username),
    transportOptions: {
      server: account.server,
      connectionTimeout: connectTimeoutSeconds,
      traceSip: parts.traceSip,
    },
    logLevel: 'warn',
    userAgentString: 'Cabine/0.1 (SIP.js 0.21)',
    sessionDescriptionHandlerFactory: parts.sessionDescriptionHandlerFactory,
    sessionDescriptionHandlerFactoryOptions: {
      iceGatheringTimeout: iceGatheringTimeoutMs,
      peerConnectionConfiguration: { iceServers: parts.iceServers },
    },
    delegate: {
      ...parts.delegate,
      onInvite: (invitation) => parts.onInvite(ua, invitation),
      onConnect: () => transportConnected(supervisor, ua),
      onDisconnect: () => transportLost(supervisor, ua),
    },
  });
  return ua;
}

/** A new session with this UserAgent: connects now, and keeps connecting until endSession(). */
export function startSession(supervisor: ConnectionSupervisor, credentials: SipCredentials, ua: UserAgent): void {
  const { state } = supervisor;
  state.credentials = credentials;
  state.wanted = true;
  state.attempt = 0;
  state.lostAt = null;
  state.everConnected = false;
  state.userAgent = ua;
  tryConnect(supervisor);
}

/** Signing out: no more attempts or pings; hands back the UserAgent, which the caller stops. */
export function endSession(supervisor: ConnectionSupervisor): UserAgent | null {
  const { state } = supervisor;
  state.wanted = false;
  state.retryTimer = clearTimer(state.retryTimer);
  stopKeepAlive(state);
  const ua = state.userAgent;
  state.userAgent = null;
  return ua;
}

export function reconnectNow(supervisor: ConnectionSupervisor): void {
  const { state } = supervisor;
  if (!state.wanted || state.userAgent === null || state.userAgent.isConnected()) return;
  state.attempt = 0;
  state.retryTimer = clearTimer(state.retryTimer);
  tryConnect(supervisor);
}

function stopKeepAlive(state: ConnectionState): void {
  state.pingTimer = clearTimer(state.pingTimer);
  state.pongTimer = clearTimer(state.pongTimer);
  state.detachSocket?.();
  state.detachSocket = null;
}

/**
 * SIP.js sends no ping of its own here (its keepAliveInterval never acts on a missing pong), so we do:
 * a double CRLF every keepAliveIntervalSeconds × [0.8, 1), and if nothing at all arrives from the server
 * within keepAlivePongTimeoutSeconds we declare the flow dead (RFC 5626 section 4.4.1) and reconnect.
 */
function startKeepAlive(supervisor: ConnectionSupervisor, ua: UserAgent): void {
  const { state, context } = supervisor;
  stopKeepAlive(state);
  const transport = ua.transport;
  const socket = transport instanceof Web.Transport ? transport.ws : undefined;
  if (socket === undefined) return;
  const onFrame = (): void => {
    state.pongTimer = clearTimer(state.pongTimer);
  };
  socket.addEventListener('message', onFrame);
  state.detachSocket = () => socket.removeEventListener('message', onFrame);
  const schedulePing = (): void => {
    const delay = keepAliveIntervalSeconds * 1000 * (0.8 + 0.2 * context.random());
    state.pingTimer = setTimeout(() => {
      if (state.userAgent !== ua || !ua.isConnected()) return;
      state.pongTimer ??= setTimeout(() => {
        state.pongTimer = undefined;
        if (state.userAgent !== ua) return;
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

function scheduleReconnect(supervisor: ConnectionSupervisor): void {
  const { state, context } = supervisor;
  state.retryTimer = clearTimer(state.retryTimer);
  if (!state.wanted || state.userAgent === null) return;
  const delay = nextReconnectDelayMs({
    attempt: state.attempt,
    callEstablished: supervisor.hasEstablishedCall(),
    sinceLostMs: state.lostAt === null ? 0 : context.now() - state.lostAt,
    random: context.random,
  });
  connectionChange(supervisor, { kind: 'waiting', retryAt: context.now() + delay, attempt: state.attempt });
  state.retryTimer = setTimeout(() => {
    state.retryTimer = undefined;
    tryConnect(supervisor);
  }, delay);
}

function tryConnect(supervisor: ConnectionSupervisor): void {
  const { state } = supervisor;
  const ua = state.userAgent;
  if (!state.wanted || ua === null) return;
  connectionChange(supervisor, { kind: 'connecting', attempt: state.attempt });
  const opening = ua.state === UserAgentState.Started ? ua.reconnect() : ua.start();
  opening.catch(() => {
    if (state.userAgent !== ua || !state.wanted) return;
    state.attempt += 1;
    scheduleReconnect(supervisor);
  });
}

function transportConnected(supervisor: ConnectionSupervisor, ua: UserAgent): void {
  const { state } = supervisor;
  if (state.userAgent !== ua || !state.wanted) return;
  const reconnected = state.everConnected;
  state.everConnected = true;
  state.attempt = 0;
  state.lostAt = null;
  state.retryTimer = clearTimer(state.retryTimer);
  connectionChange(supervisor, { kind: 'connected' });
  startKeepAlive(supervisor, ua);
  supervisor.onConnected(ua, reconnected);
}

function transportLost(supervisor: ConnectionSupervisor, ua: UserAgent): void {
  const { state, context } = supervisor;
  if (state.userAgent !== ua) return;
  stopKeepAlive(state);
  supervisor.onLost();
  if (!state.wanted) return;
  state.lostAt ??= context.now();
  scheduleReconnect(supervisor);
}
