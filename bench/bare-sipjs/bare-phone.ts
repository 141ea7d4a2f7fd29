/**
 * A bare SIP.js phone for `npm run bench:call`: UserAgent + Registerer + Inviter/Invitation with SIP.js's
 * own defaults and nothing around them (no React, no stores, no app). It records the same moments as the
 * app's User Timing marks so the benchmark compares like with like. Runs in Chromium only.
 */
import { Invitation, Inviter, Registerer, RegistererState, SessionState, UserAgent, type Session } from 'sip.js';

/** Milliseconds since the epoch, comparable across pages of one machine. */
const epochNow = (): number => performance.timeOrigin + performance.now();

interface BarePhone {
  register(server: string, username: string, password: string, domain: string): Promise<void>;
  /** Places a call; resolves with the time it was asked for. */
  call(user: string): number;
  /** Answers the ringing call; returns the time it was asked for. */
  answer(): number;
  hangup(): Promise<void>;
  readonly moments: Record<string, number>;
  peerConnection(): RTCPeerConnection | undefined;
  idle(): boolean;
}

declare global {
  interface Window {
    bare?: BarePhone;
  }
}

let ua: UserAgent | undefined;
let domain = '';
let session: Session | undefined;
const moments: Record<string, number> = {};

function track(s: Session): void {
  session = s;
  s.stateChange.addListener((state) => {
    if (state === SessionState.Established) moments.answered = epochNow();
    if (state === SessionState.Terminated && session === s) session = undefined;
  });
}

window.bare = {
  moments,
  async register(server, username, password, sipDomain) {
    domain = sipDomain;
    const uri = UserAgent.makeURI(`sip:${username}@${sipDomain}`);
    if (uri === undefined) throw new Error('bad uri');
    ua = new UserAgent({
      uri,
      authorizationUsername: username,
      authorizationPassword: password,
      transportOptions: { server },
      sessionDescriptionHandlerFactoryOptions: { peerConnectionConfiguration: { iceServers: [] } },
      delegate: {
        onInvite(invitation: Invitation) {
          moments.inviteReceived = epochNow();
          track(invitation);
          void invitation.progress().then(() => (moments.ringing = epochNow()));
        },
      },
    });
    await ua.start();
    const registerer = new Registerer(ua);
    await new Promise<void>((resolve, reject) => {
      registerer.stateChange.addListener((state) => {
        if (state === RegistererState.Registered) resolve();
      });
      registerer.register({ requestDelegate: { onReject: () => reject(new Error('registration rejected')) } }).catch(reject);
    });
  },
  call(user) {
    if (ua === undefined) throw new Error('not registered');
    const target = UserAgent.makeURI(`sip:${user}@${domain}`);
    if (target === undefined) throw new Error('bad target');
    const requested = epochNow();
    const inviter = new Inviter(ua, target, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
    });
    track(inviter);
    void inviter.invite().then(() => (moments.inviteSent = epochNow()));
    return requested;
  },
  answer() {
    const requested = epochNow();
    if (session instanceof Invitation) {
      void session.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    }
    return requested;
  },
  async hangup() {
    const s = session;
    if (s === undefined) return;
    if (s.state === SessionState.Established) await s.bye();
    else if (s instanceof Inviter) await s.cancel();
    else if (s instanceof Invitation) await s.reject();
  },
  peerConnection() {
    const handler = session?.sessionDescriptionHandler as { peerConnection?: RTCPeerConnection } | undefined;
    return handler?.peerConnection;
  },
  idle() {
    return session === undefined;
  },
};
