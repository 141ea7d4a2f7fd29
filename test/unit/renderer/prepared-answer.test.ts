// The answer readied while an incoming call rings (renderer/src/sip/prepared-answer.ts), with fake browser
// media and a fake Invitation: the offer is applied to one pooled peer connection, the microphone opens, the
// set is handed to the call's handler, and a call that ends unanswered, or a refused microphone, leaves no
// live track and no open peer connection.
import { describe, expect, it } from 'vitest';
import { SessionState, type Invitation } from 'sip.js';
import { prepareAnswer, prepareAnswerMedia, sdpOffer } from '../../../renderer/src/sip/prepared-answer.js';
import { preparedIceCandidatePoolSize, type PreparedCallDeps, type PreparedMedia } from '../../../renderer/src/sip/prepared-call.js';
import type { PreparedHandOver } from '../../../renderer/src/sip/prepared-session-description-handler.js';

const offer = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

interface FakeTrack {
  readyState: 'live' | 'ended';
  stop(): void;
}

interface FakeConnection {
  readonly configuration: RTCConfiguration;
  closed: boolean;
  remote: RTCSessionDescriptionInit | null;
}

function fakeMedia(options: { refuseMicrophone?: boolean; refuseOffer?: boolean } = {}) {
  const tracks: FakeTrack[] = [];
  const connections: FakeConnection[] = [];
  const deps: PreparedCallDeps = {
    getUserMedia: () => {
      if (options.refuseMicrophone === true) return Promise.reject(new Error('NotAllowedError'));
      const track: FakeTrack = { readyState: 'live', stop: () => void (track.readyState = 'ended') };
      tracks.push(track);
      return Promise.resolve({ getTracks: () => [track] } as unknown as MediaStream);
    },
    createPeerConnection: (configuration) => {
      const connection: FakeConnection = { configuration, closed: false, remote: null };
      connections.push(connection);
      return {
        close: () => void (connection.closed = true),
        setRemoteDescription: (description: RTCSessionDescriptionInit) => {
          if (options.refuseOffer === true) return Promise.reject(new Error('InvalidAccessError'));
          connection.remote = description;
          return Promise.resolve();
        },
      } as unknown as RTCPeerConnection;
    },
  };
  return {
    deps,
    tracks,
    connections,
    live: () => tracks.filter((t) => t.readyState === 'live').length,
    open: () => connections.filter((c) => !c.closed).length,
  };
}

const settings = {
  constraints: { audio: true, video: false },
  peerConnectionConfiguration: () => ({ iceServers: [], bundlePolicy: 'balanced' as const }),
  idleMs: 30_000,
};

/** Enough of an Invitation for prepareAnswer: its state, its INVITE's body and its state changes. */
function fakeInvitation(body = offer, contentType = 'application/sdp') {
  const listeners: ((state: SessionState) => void)[] = [];
  const invitation = {
    state: SessionState.Initial,
    body,
    request: { getHeader: (name: string) => (name.toLowerCase() === 'content-type' ? contentType : undefined) },
    stateChange: { addListener: (listener: (state: SessionState) => void) => void listeners.push(listener) },
  };
  const end = (): void => {
    invitation.state = SessionState.Terminated;
    for (const listener of listeners) listener(SessionState.Terminated);
  };
  return { invitation: invitation as unknown as Invitation, end };
}

const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('an answer prepared while the call rings', () => {
  it('applies the offer to one pooled peer connection and opens the microphone', async () => {
    const media = fakeMedia();
    const prepared = prepareAnswerMedia(media.deps, settings, offer);
    expect(await prepared?.remoteOffer).toBe(offer);
    await prepared?.stream;
    expect(media.connections).toHaveLength(1);
    expect(media.connections[0]?.configuration).toEqual({ iceServers: [], bundlePolicy: 'balanced', iceCandidatePoolSize: preparedIceCandidatePoolSize });
    expect(media.connections[0]?.remote).toEqual({ type: 'offer', sdp: offer });
    expect(media.live()).toBe(1);
  });

  it('leaves an offer the browser refuses to the answer (remoteOffer null), and an INVITE without one alone', async () => {
    const refused = fakeMedia({ refuseOffer: true });
    expect(await prepareAnswerMedia(refused.deps, settings, offer)?.remoteOffer).toBeNull();
    const offerless = fakeMedia();
    expect(await prepareAnswerMedia(offerless.deps, settings, undefined)?.remoteOffer).toBeNull();
    expect(offerless.connections[0]?.remote).toBeNull();
  });

  it('hands the set to the call; a call that ends unanswered releases the microphone and the peer connection', async () => {
    const media = fakeMedia();
    const handOver: PreparedHandOver = new WeakMap();
    const { invitation, end } = fakeInvitation();
    prepareAnswer(media.deps, settings, handOver, invitation);
    await settled();
    const set: PreparedMedia | undefined = handOver.get(invitation);
    expect(set?.peerConnection).toBeDefined();
    expect(media.live()).toBe(1);
    end();
    await settled();
    expect(handOver.has(invitation)).toBe(false);
    expect(media.live()).toBe(0);
    expect(media.open()).toBe(0);
  });

  it('drops the set when the microphone is refused: the answer asks again and reports it', async () => {
    const media = fakeMedia({ refuseMicrophone: true });
    const handOver: PreparedHandOver = new WeakMap();
    const { invitation } = fakeInvitation();
    prepareAnswer(media.deps, settings, handOver, invitation);
    await settled();
    expect(handOver.has(invitation)).toBe(false);
    expect(media.open()).toBe(0);
  });

  it('prepares nothing for a call that ended before its 180 settled', () => {
    const media = fakeMedia();
    const handOver: PreparedHandOver = new WeakMap();
    const { invitation, end } = fakeInvitation();
    end();
    prepareAnswer(media.deps, settings, handOver, invitation);
    expect(media.connections).toHaveLength(0);
    expect(media.tracks).toHaveLength(0);
  });

  it('reads the offer of an SDP body only', () => {
    expect(sdpOffer('application/sdp', offer)).toBe(offer);
    expect(sdpOffer(' Application/SDP; charset=utf-8', offer)).toBe(offer);
    expect(sdpOffer('application/sdp', '')).toBeUndefined();
    expect(sdpOffer('text/plain', offer)).toBeUndefined();
    expect(sdpOffer(undefined, offer)).toBeUndefined();
  });
});
