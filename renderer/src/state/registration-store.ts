import type { RegistrationIndicator } from '../../../shared/host/host-bridge.js';
import type { SipAccount } from '../../../shared/settings.js';
import { assertNever } from '../../../shared/assert-never.js';
import type { ConnectionStatus, RegistrationRejection, RegistrationStatus } from '../sip/sip-events.js';

/**
 * The account feature: who is signed in and how far the phone is from being reachable.
 *
 *   signed-out --signIn--> connecting --connected--> registering --registered--> registered
 *                              ^                          |                          |
 *                              |                          +--rejected--> rejected    |
 *                              +---- reconnecting <--------- connection lost --------+
 *
 * `rejected` is sticky: the adapter stops retrying once the server refused our credentials, and only a
 * new sign-in leaves it.
 */
export type RegistrationPhase =
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'connecting' }
  | { readonly kind: 'registering' }
  | { readonly kind: 'registered' }
  | { readonly kind: 'reconnecting'; readonly retryAt: number }
  | { readonly kind: 'rejected'; readonly reason: RegistrationRejection; readonly statusCode: number };

export interface RegistrationState {
  readonly account: SipAccount | null;
  readonly phase: RegistrationPhase;
  /** Whether a connection was ever lost in this session; lets the UI say "connection restored". */
  readonly lostServer: boolean;
}

export const initialRegistrationState: RegistrationState = {
  account: null,
  phase: { kind: 'signed-out' },
  lostServer: false,
};

export type RegistrationEvent =
  | { readonly type: 'signIn'; readonly account: SipAccount }
  | { readonly type: 'signOut' }
  | { readonly type: 'connectionChange'; readonly connection: ConnectionStatus }
  | { readonly type: 'registrationChange'; readonly registration: RegistrationStatus };

export function reduceRegistration(state: RegistrationState, event: RegistrationEvent): RegistrationState {
  switch (event.type) {
    case 'signIn':
      return { account: event.account, phase: { kind: 'connecting' }, lostServer: false };
    case 'signOut':
      return initialRegistrationState;
    case 'connectionChange':
      return onConnection(state, event.connection);
    case 'registrationChange':
      return onRegistration(state, event.registration);
    default:
      return assertNever(event);
  }
}

function onConnection(state: RegistrationState, connection: ConnectionStatus): RegistrationState {
  if (state.account === null) return state;
  if (state.phase.kind === 'rejected' && connection.kind !== 'disconnected') return state;
  switch (connection.kind) {
    case 'disconnected':
      return state.phase.kind === 'rejected' ? state : { ...state, phase: { kind: 'signed-out' } };
    case 'connecting':
      return { ...state, phase: { kind: 'connecting' } };
    case 'connected':
      return state.phase.kind === 'registered' ? state : { ...state, phase: { kind: 'registering' } };
    case 'waiting':
      return {
        ...state,
        phase: { kind: 'reconnecting', retryAt: connection.retryAt },
        lostServer: state.lostServer || state.phase.kind === 'registered' || state.phase.kind === 'registering',
      };
    default:
      return assertNever(connection);
  }
}

function onRegistration(state: RegistrationState, registration: RegistrationStatus): RegistrationState {
  if (state.account === null) return state;
  switch (registration.kind) {
    case 'registering':
      return state.phase.kind === 'rejected' ? state : { ...state, phase: { kind: 'registering' } };
    case 'registered':
      return { ...state, phase: { kind: 'registered' } };
    case 'rejected':
      return { ...state, phase: { kind: 'rejected', reason: registration.reason, statusCode: registration.statusCode } };
    case 'unregistered':
      // Unregistered while connected happens on a refresh failure; the adapter retries, so we say so.
      return state.phase.kind === 'registered' ? { ...state, phase: { kind: 'registering' } } : state;
    default:
      return assertNever(registration);
  }
}

/** The tray and the window title follow this (HostBridge.showRegistrationState). */
export function registrationIndicator(phase: RegistrationPhase): RegistrationIndicator {
  switch (phase.kind) {
    case 'signed-out':
      return 'unregistered';
    case 'connecting':
    case 'registering':
    case 'reconnecting':
      return 'connecting';
    case 'registered':
      return 'registered';
    case 'rejected':
      return 'error';
    default:
      return assertNever(phase);
  }
}
