import { describe, expect, it } from 'vitest';
import { decidePermissionCheck, decidePermissionRequest, denyAllPermissions, installAppPermissions } from '../../../electron/permissions.js';
import { asElectron } from './fakes.js';

type RequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: Record<string, unknown>) => void;
type CheckHandler = (contents: unknown, permission: string, origin: string, details: Record<string, unknown>) => boolean;

function fakeSession() {
  const session = {
    request: undefined as RequestHandler | undefined,
    check: undefined as CheckHandler | undefined,
    setPermissionRequestHandler(handler: RequestHandler) {
      session.request = handler;
    },
    setPermissionCheckHandler(handler: CheckHandler) {
      session.check = handler;
    },
  };
  return session;
}

function ask(session: ReturnType<typeof fakeSession>, permission: string, details: Record<string, unknown>): boolean {
  let answer: boolean | undefined;
  session.request?.({}, permission, (granted) => (answer = granted), { isMainFrame: true, ...details });
  if (answer === undefined) throw new Error('the handler did not answer');
  return answer;
}

const app = 'cabine://app/index.html';

describe('permission requests on the app session', () => {
  const session = fakeSession();
  installAppPermissions(asElectron(session));

  it('grants the microphone to the app origin', () => {
    expect(ask(session, 'media', { requestingUrl: app, mediaTypes: ['audio'], securityOrigin: 'cabine://app' })).toBe(true);
  });

  it.each([
    ['video', 'media', { requestingUrl: app, mediaTypes: ['video'] }],
    ['audio + video', 'media', { requestingUrl: app, mediaTypes: ['audio', 'video'] }],
    ['media without types', 'media', { requestingUrl: app }],
    ['audio from another origin', 'media', { requestingUrl: 'https://evil.example/', mediaTypes: ['audio'] }],
    ['audio from a foreign security origin', 'media', { requestingUrl: app, securityOrigin: 'https://evil.example', mediaTypes: ['audio'] }],
    ['audio from file://', 'media', { requestingUrl: 'file:///index.html', mediaTypes: ['audio'] }],
    ['geolocation from the app', 'geolocation', { requestingUrl: app }],
    ['notifications from the app', 'notifications', { requestingUrl: app }],
    ['notifications from elsewhere', 'notifications', { requestingUrl: 'https://evil.example/' }],
    ['screen capture', 'display-capture', { requestingUrl: app, mediaTypes: ['video'] }],
    ['openExternal', 'openExternal', { requestingUrl: app, externalURL: 'smb://x' }],
    ['clipboard read', 'clipboard-read', { requestingUrl: app }],
  ])('denies %s', (_name, permission, details) => {
    expect(ask(session, permission, details)).toBe(false);
  });

  it('answers checks with the same rule', () => {
    expect(session.check?.(null, 'media', 'cabine://app', { isMainFrame: true, mediaType: 'audio', securityOrigin: 'cabine://app' })).toBe(true);
    expect(session.check?.(null, 'media', 'cabine://app', { isMainFrame: true, mediaType: 'video' })).toBe(false);
    expect(session.check?.(null, 'media', 'https://evil.example', { isMainFrame: true, mediaType: 'audio' })).toBe(false);
    expect(session.check?.(null, 'media', 'cabine://app', { isMainFrame: false, mediaType: 'audio', embeddingOrigin: 'https://evil.example' })).toBe(false);
    expect(session.check?.(null, 'geolocation', 'cabine://app', { isMainFrame: true })).toBe(false);
    expect(session.check?.(null, 'notifications', 'cabine://app', { isMainFrame: true })).toBe(false);
  });

  it('pure decisions agree', () => {
    expect(decidePermissionRequest('media', { requestingUrl: app, mediaTypes: ['audio'] })).toBe(true);
    expect(decidePermissionCheck('media', { requestingOrigin: '', mediaType: 'audio' })).toBe(false);
  });
});

describe('the add-funds window session', () => {
  it('denies everything, the microphone included', () => {
    const session = fakeSession();
    denyAllPermissions(asElectron(session));
    expect(ask(session, 'media', { requestingUrl: app, mediaTypes: ['audio'] })).toBe(false);
    expect(ask(session, 'payment-handler', { requestingUrl: 'https://pay.example/' })).toBe(false);
    expect(session.check?.(null, 'media', 'cabine://app', { isMainFrame: true, mediaType: 'audio' })).toBe(false);
  });
});
