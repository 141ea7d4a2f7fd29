import { describe, expect, it } from 'vitest';
import {
  initialRegistrationState,
  reduceRegistration,
  registrationIndicator,
  type RegistrationEvent,
  type RegistrationState,
} from '../../../renderer/src/state/registration-store.js';

const account = { server: 'ws://127.0.0.1:15080', username: '1001', domain: 'cabine.test' };

function run(events: readonly RegistrationEvent[], from: RegistrationState = initialRegistrationState): RegistrationState {
  return events.reduce(reduceRegistration, from);
}

describe('registration store', () => {
  it('goes signed-out → connecting → registering → registered', () => {
    const state = run([
      { type: 'signIn', account },
      { type: 'connectionChange', connection: { kind: 'connecting', attempt: 0 } },
      { type: 'connectionChange', connection: { kind: 'connected' } },
      { type: 'registrationChange', registration: { kind: 'registering' } },
      { type: 'registrationChange', registration: { kind: 'registered' } },
    ]);
    expect(state.phase).toEqual({ kind: 'registered' });
    expect(state.account).toEqual(account);
    expect(registrationIndicator(state.phase)).toBe('registered');
  });

  it('reports a lost server with the retry time, and remembers it was lost', () => {
    const registered = run([{ type: 'signIn', account }, { type: 'registrationChange', registration: { kind: 'registered' } }]);
    const lost = reduceRegistration(registered, { type: 'connectionChange', connection: { kind: 'waiting', retryAt: 1234, attempt: 0 } });
    expect(lost.phase).toEqual({ kind: 'reconnecting', retryAt: 1234 });
    expect(lost.lostServer).toBe(true);
    expect(registrationIndicator(lost.phase)).toBe('connecting');
  });

  it('keeps a credentials rejection until the next sign-in, whatever the connection does', () => {
    const rejected = run([
      { type: 'signIn', account },
      { type: 'registrationChange', registration: { kind: 'rejected', reason: 'credentials', statusCode: 401 } },
      { type: 'connectionChange', connection: { kind: 'disconnected' } },
      { type: 'connectionChange', connection: { kind: 'connecting', attempt: 1 } },
      { type: 'registrationChange', registration: { kind: 'registering' } },
    ]);
    expect(rejected.phase).toEqual({ kind: 'rejected', reason: 'credentials', statusCode: 401 });
    expect(registrationIndicator(rejected.phase)).toBe('error');
    expect(reduceRegistration(rejected, { type: 'signIn', account }).phase).toEqual({ kind: 'connecting' });
  });

  it('ignores adapter events when nobody is signed in, and signs out cleanly', () => {
    expect(reduceRegistration(initialRegistrationState, { type: 'registrationChange', registration: { kind: 'registered' } })).toBe(
      initialRegistrationState,
    );
    const signedIn = run([{ type: 'signIn', account }]);
    expect(reduceRegistration(signedIn, { type: 'signOut' })).toEqual(initialRegistrationState);
    expect(reduceRegistration(signedIn, { type: 'connectionChange', connection: { kind: 'disconnected' } }).phase).toEqual({ kind: 'signed-out' });
  });

  it('shows a refresh failure as registering again, not as registered', () => {
    const registered = run([{ type: 'signIn', account }, { type: 'registrationChange', registration: { kind: 'registered' } }]);
    expect(reduceRegistration(registered, { type: 'registrationChange', registration: { kind: 'unregistered' } }).phase).toEqual({
      kind: 'registering',
    });
  });
});
