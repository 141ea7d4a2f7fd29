/**
 * A signalling-only SIP.js phone for tests in Node: SIP.js over the `ws` package, with a session description
 * handler that offers and accepts a fixed SDP instead of running WebRTC.
 */
import {
  Registerer,
  RegistererState,
  UserAgent,
  type Invitation,
  type Session,
  type SessionDescriptionHandler,
  type SessionState,
} from 'sip.js';
import WebSocket from 'ws';

/** `ws` that trusts the self-signed wss certificate of the test server; SIP.js uses the global WebSocket. */
class TestWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { rejectUnauthorized: false });
  }
}
(globalThis as { WebSocket?: unknown }).WebSocket = TestWebSocket;

const fixedSdp = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

class FixedSdpHandler implements SessionDescriptionHandler {
  close(): void {}
  getDescription(): Promise<{ body: string; contentType: string }> {
    return Promise.resolve({ body: fixedSdp, contentType: 'application/sdp' });
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  setDescription(): Promise<void> {
    return Promise.resolve();
  }
  sendDtmf(): boolean {
    return false;
  }
}

export interface TestPhoneOptions {
  readonly server: string;
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  /** Digest user when it differs from the SIP user (auth_ephemeral: "<expiry>:<extension>"). */
  readonly authorizationUsername?: string;
}

export interface TestPhone {
  readonly userAgent: UserAgent;
  /** REGISTERs and resolves with the final status code (200, or the rejection after the auth retry). */
  register(): Promise<number>;
  /** Resolves with the next incoming INVITE. */
  nextInvitation(): Promise<Invitation>;
  /** Unregisters (when registered) and disconnects. */
  stop(): Promise<void>;
}

/** Connects a phone's WebSocket; it is not registered yet. */
export async function connectTestPhone(options: TestPhoneOptions): Promise<TestPhone> {
  const uri = UserAgent.makeURI(`sip:${options.username}@${options.domain}`);
  if (uri === undefined) {
    throw new Error(`bad SIP URI for ${options.username}`);
  }
  const waiting: ((invitation: Invitation) => void)[] = [];
  const userAgent = new UserAgent({
    uri,
    authorizationUsername: options.authorizationUsername ?? options.username,
    authorizationPassword: options.password,
    transportOptions: { server: options.server },
    sessionDescriptionHandlerFactory: () => new FixedSdpHandler(),
    logConfiguration: false,
    logLevel: 'error',
    logBuiltinEnabled: false,
    delegate: {
      onInvite: (invitation) => {
        const next = waiting.shift();
        if (next === undefined) {
          void invitation.reject({ statusCode: 486 });
        } else {
          next(invitation);
        }
      },
    },
  });
  await userAgent.start();
  const registerer = new Registerer(userAgent, { expires: 300 });

  return {
    userAgent,
    register: () =>
      new Promise<number>((resolve, reject) => {
        registerer
          .register({
            requestDelegate: {
              onAccept: (response) => resolve(response.message.statusCode ?? 0),
              onReject: (response) => resolve(response.message.statusCode ?? 0),
            },
          })
          .catch(reject);
      }),
    nextInvitation: () => new Promise<Invitation>((resolve) => waiting.push(resolve)),
    stop: async () => {
      if (registerer.state === RegistererState.Registered) {
        await new Promise<void>((resolve) => {
          registerer.stateChange.addListener((state) => {
            if (state !== RegistererState.Registered) {
              resolve();
            }
          });
          registerer.unregister().catch(() => resolve());
        });
      }
      await userAgent.stop();
    },
  };
}

/** Resolves when the session reaches `state`. */
export function sessionReaches(session: Session, state: SessionState): Promise<void> {
  if (session.state === state) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const listener = (next: SessionState): void => {
      if (next === state) {
        session.stateChange.removeListener(listener);
        resolve();
      }
    };
    session.stateChange.addListener(listener);
  });
}
