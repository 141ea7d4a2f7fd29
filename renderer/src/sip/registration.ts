/**
 * Registration: one Registerer per open WebSocket. SIP.js refreshes it before it expires; a failure the
 * server can recover from is retried with backoff; a refusal of our credentials (second 401/407, or 403)
 * ends the session (onRejected): no retry storm, no ban at the registrar.
 */
import { Registerer, RegistererState, type Core, type UserAgent } from 'sip.js';
import { assertNever } from '../../../shared/assert-never.js';
import { clearTimer, type AdapterContext, type Timer } from './adapter-context.js';
import { nextReconnectDelayMs } from './reconnect-schedule.js';
import { registrationRejectionFor } from './registration-rejection.js';
import type { RegistrationStatus } from './sip-events.js';

/** REGISTER expiry we ask for (Kamailio allows 60-3600 s). SIP.js refreshes before it runs out. */
const registrationExpiresSeconds = 300;

export interface RegistrationState {
  /** The Registerer of the current WebSocket; null while the socket is down or signed out. */
  registerer: Registerer | null;
  retryTimer: Timer;
  /** Failed REGISTERs in a row on this socket, for the backoff. */
  attempt: number;
}

export interface Registration {
  readonly context: AdapterContext;
  readonly state: RegistrationState;
  /** Still signed in (connect() called, no disconnect() or rejection since). */
  readonly wanted: () => boolean;
  /** The registrar refused our credentials for good: the adapter signs out. */
  readonly onRejected: () => void;
}

export function newRegistrationState(): RegistrationState {
  return { registerer: null, retryTimer: undefined, attempt: 0 };
}

function registrationChange(registration: Registration, status: RegistrationStatus): void {
  registration.context.emit({ type: 'registrationChange', registration: status });
}

/** The socket is open: a fresh Registerer registers over it. */
export function register(registration: Registration, ua: UserAgent): void {
  const { state } = registration;
  if (state.registerer !== null) void state.registerer.dispose().catch(() => undefined);
  const fresh = new Registerer(ua, { expires: registrationExpiresSeconds });
  state.registerer = fresh;
  state.attempt = 0;
  fresh.stateChange.addListener((registererState) => {
    if (state.registerer !== fresh) return;
    switch (registererState) {
      case RegistererState.Registered:
        state.attempt = 0;
        registrationChange(registration, { kind: 'registered' });
        break;
      case RegistererState.Unregistered:
      case RegistererState.Initial:
      case RegistererState.Terminated:
        break;
      default:
        assertNever(registererState);
    }
  });
  sendRegister(registration, ua, fresh);
}

function sendRegister(registration: Registration, ua: UserAgent, target: Registerer): void {
  const { state, context } = registration;
  registrationChange(registration, { kind: 'registering' });
  const retryLater = (): void => {
    if (state.registerer !== target || !registration.wanted()) return;
    registrationChange(registration, { kind: 'unregistered' });
    const delay = nextReconnectDelayMs({ attempt: state.attempt, callEstablished: false, sinceLostMs: Infinity, random: context.random });
    state.attempt += 1;
    state.retryTimer = clearTimer(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      if (state.registerer === target && ua.isConnected()) sendRegister(registration, ua, target);
    }, delay);
  };
  target
    .register({
      requestDelegate: {
        onReject(response: Core.IncomingResponse) {
          if (state.registerer !== target) return;
          const statusCode = response.message.statusCode ?? 0;
          const rejection = registrationRejectionFor(statusCode);
          if (rejection === null) {
            retryLater();
            return;
          }
          // The user must fix this; stop here, do not retry (no retry storm, no ban at the registrar).
          registrationChange(registration, { kind: 'rejected', reason: rejection, statusCode });
          registration.onRejected();
        },
      },
    })
    .catch(() => retryLater());
}

/**
 * The socket dropped. Dispose of the Registerer while it is down: its un-REGISTER cannot be sent (SIP.js
 * answers it with an internal 503), so it cannot remove the binding the next Registerer makes on the new
 * socket.
 */
export function dropRegistration(registration: Registration): void {
  const { state } = registration;
  state.retryTimer = clearTimer(state.retryTimer);
  const old = state.registerer;
  state.registerer = null;
  if (old !== null) void old.dispose().catch(() => undefined);
  if (registration.wanted()) registrationChange(registration, { kind: 'unregistered' });
}

/** Signing out: stops the retries and hands back the Registerer, which the caller unregisters. */
export function takeRegisterer(registration: Registration): Registerer | null {
  const { state } = registration;
  state.retryTimer = clearTimer(state.retryTimer);
  const registerer = state.registerer;
  state.registerer = null;
  return registerer;
}
