// The prepared call (renderer/src/sip/prepared-call.ts) with fake browser media: idempotent, re-armed by
// each key press, released when idle or asked, one call per set, and never a live track left behind.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  newPreparedCall, prepareCall, preparedIceCandidatePoolSize, releasePreparedCall, takePreparedCall, type PreparedCallDeps,
} from '../../../renderer/src/sip/prepared-call.js';
import { sdpHasCandidate } from '../../../renderer/src/sip/prepared-session-description-handler.js';

interface FakeTrack {
  readyState: 'live' | 'ended';
  stop(): void;
}

function fakeMedia() {
  const tracks: FakeTrack[] = [];
  const connections: { configuration: RTCConfiguration; closed: boolean }[] = [];
  let refuse = false;
  const deps: PreparedCallDeps = {
    getUserMedia: () => {
      if (refuse) return Promise.reject(new Error('NotAllowedError'));
      const track: FakeTrack = { readyState: 'live', stop: () => void (track.readyState = 'ended') };
      tracks.push(track);
      return Promise.resolve({ getTracks: () => [track] } as unknown as MediaStream);
    },
    createPeerConnection: (configuration) => {
      const connection = { configuration, closed: false };
      connections.push(connection);
      return { close: () => void (connection.closed = true) } as unknown as RTCPeerConnection;
    },
  };
  return {
    deps,
    tracks,
    connections,
    live: () => tracks.filter((t) => t.readyState === 'live').length,
    open: () => connections.filter((c) => !c.closed).length,
    refuseMicrophone: () => void (refuse = true),
  };
}

const settings = {
  constraints: { audio: true, video: false },
  peerConnectionConfiguration: () => ({ iceServers: [], bundlePolicy: 'balanced' as const }),
  idleMs: 30_000,
};

describe('prepared call', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('opens one microphone and one pooled peer connection however often a key is pressed', async () => {
    const media = fakeMedia();
    const prepared = newPreparedCall(media.deps, settings);
    for (let i = 0; i < 5; i += 1) prepareCall(prepared);
    await vi.advanceTimersByTimeAsync(0);
    expect(media.live()).toBe(1);
    expect(media.connections).toHaveLength(1);
    expect(media.connections[0]?.configuration).toEqual({ iceServers: [], bundlePolicy: 'balanced', iceCandidatePoolSize: preparedIceCandidatePoolSize });
  });

  it('releases everything after the idle time, re-armed by each key press', async () => {
    const media = fakeMedia();
    const prepared = newPreparedCall(media.deps, settings);
    prepareCall(prepared);
    await vi.advanceTimersByTimeAsync(20_000);
    prepareCall(prepared);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(media.live()).toBe(1);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(media.live()).toBe(0);
    expect(media.open()).toBe(0);
    expect(takePreparedCall(prepared)).toBeNull();
  });

  it('hands a set to one call only; the next key press prepares a new one', async () => {
    const media = fakeMedia();
    const prepared = newPreparedCall(media.deps, settings);
    prepareCall(prepared);
    const first = takePreparedCall(prepared);
    expect(first).not.toBeNull();
    expect(takePreparedCall(prepared)).toBeNull();
    // The call owns it now: the idle timer no longer touches it.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(media.live()).toBe(1);
    prepareCall(prepared);
    const second = takePreparedCall(prepared);
    expect(second?.peerConnection).not.toBe(first?.peerConnection);
    expect(media.connections).toHaveLength(2);
  });

  it('release now stops a microphone that is still on its way', async () => {
    const media = fakeMedia();
    const prepared = newPreparedCall(media.deps, settings);
    prepareCall(prepared);
    releasePreparedCall(prepared);
    await vi.advanceTimersByTimeAsync(0);
    expect(media.tracks).toHaveLength(1);
    expect(media.live()).toBe(0);
    expect(media.open()).toBe(0);
  });

  it('drops the set when the microphone is refused, so the call takes the ordinary path', async () => {
    const media = fakeMedia();
    media.refuseMicrophone();
    const prepared = newPreparedCall(media.deps, settings);
    prepareCall(prepared);
    await vi.advanceTimersByTimeAsync(0);
    expect(takePreparedCall(prepared)).toBeNull();
    expect(media.open()).toBe(0);
  });
});

describe('candidates in the offer', () => {
  it('sees an ICE candidate line and nothing else', () => {
    expect(sdpHasCandidate('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=candidate:1 1 udp 2122260223 192.0.2.1 5000 typ host\r\n')).toBe(true);
    expect(sdpHasCandidate('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:abcd\r\n')).toBe(false);
    expect(sdpHasCandidate(undefined)).toBe(false);
  });
});
