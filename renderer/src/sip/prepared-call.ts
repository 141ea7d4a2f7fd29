/**
 * A call made ready before the click: the microphone and one RTCPeerConnection whose ICE candidate pool is
 * gathering already (RTCConfiguration.iceCandidatePoolSize, RFC 8829 section 3.5.4), so the INVITE can
 * leave as soon as the offer is made instead of ~140 ms later (getUserMedia, then gathering, after the
 * click). prepareCall() is called on every key press in the dialer: idempotent, and it re-arms the idle
 * timer; after `idleMs` without a key press or a call the set is released. A set serves one call only.
 *
 * No SIP.js here: the browser APIs come in as PreparedCallDeps, so unit tests drive it with fakes.
 */
import { clearTimer, type Timer } from './adapter-context.js';

/** The microphone and the peer connection of one prepared call. */
export interface PreparedMedia {
  readonly peerConnection: RTCPeerConnection;
  /** getUserMedia's answer: it may still be on its way when the call starts, and then the call waits. */
  readonly stream: Promise<MediaStream>;
  /**
   * An incoming call's only (prepared-answer.ts): the INVITE's offer, applied to the peer connection while
   * the call rings. Resolves with the SDP applied, or null when there was none or the browser refused it
   * (then the answer applies it as SIP.js always does).
   */
  readonly remoteOffer?: Promise<string | null>;
}

export interface PreparedCallDeps {
  readonly getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  readonly createPeerConnection: (configuration: RTCConfiguration) => RTCPeerConnection;
}

export interface PreparedCallSettings {
  readonly constraints: MediaStreamConstraints;
  /** The adapter's peer connection configuration; the pool size is added here. */
  readonly peerConnectionConfiguration: () => RTCConfiguration;
  readonly idleMs: number;
}

export interface PreparedCallState {
  current: PreparedMedia | null;
  idleTimer: Timer;
}

export interface PreparedCall {
  readonly deps: PreparedCallDeps;
  readonly settings: PreparedCallSettings;
  readonly state: PreparedCallState;
}

/** One pooled candidate per component is enough: audio only, bundled, RTCP multiplexed. */
export const preparedIceCandidatePoolSize = 1;

/** How long a prepared set waits for its call: the dialer's pause between key presses and Call is seconds. */
export const defaultPreparedIdleMs = 30_000;

export function newPreparedCall(deps: PreparedCallDeps, settings: PreparedCallSettings): PreparedCall {
  return { deps, settings, state: { current: null, idleTimer: undefined } };
}

/** Stops every track of a stream that may not have arrived yet; a refused microphone has none. */
function stopWhenArrived(stream: Promise<MediaStream>): void {
  stream.then(
    (s) => {
      for (const track of s.getTracks()) track.stop();
    },
    () => undefined,
  );
}

/** Closes the peer connection and stops the microphone of a set no call will use. */
export function releaseMedia(media: PreparedMedia): void {
  media.peerConnection.close();
  stopWhenArrived(media.stream);
}

/** One pooled peer connection with the adapter's configuration, or null where none can be made. */
export function createPooledPeerConnection(deps: PreparedCallDeps, settings: PreparedCallSettings): RTCPeerConnection | null {
  try {
    return deps.createPeerConnection({ ...settings.peerConnectionConfiguration(), iceCandidatePoolSize: preparedIceCandidatePoolSize });
  } catch (error) {
    // No WebRTC here (or too many peer connections): calls take the ordinary path and report it there.
    console.warn('Could not prepare a peer connection', error);
    return null;
  }
}

/** Makes a set ready unless one is (idempotent), and re-arms the idle timer either way. */
export function prepareCall(prepared: PreparedCall): void {
  const { deps, settings, state } = prepared;
  state.idleTimer = clearTimer(state.idleTimer);
  state.idleTimer = setTimeout(() => {
    state.idleTimer = undefined;
    releasePreparedCall(prepared);
  }, settings.idleMs);
  if (state.current !== null) return;
  const peerConnection = createPooledPeerConnection(deps, settings);
  if (peerConnection === null) return;
  const media: PreparedMedia = { peerConnection, stream: deps.getUserMedia(settings.constraints) };
  state.current = media;
  media.stream.catch(() => {
    // Microphone refused or missing: drop the set; the call's own getUserMedia reports the error.
    if (state.current === media) {
      state.current = null;
      peerConnection.close();
    }
  });
}

/** Hands the set to a call (which then owns it: its handler stops the tracks); null when none is ready. */
export function takePreparedCall(prepared: PreparedCall): PreparedMedia | null {
  const { state } = prepared;
  const media = state.current;
  state.current = null;
  state.idleTimer = clearTimer(state.idleTimer);
  return media;
}

/** Releases the set now (idle, signed out): no live track and no open peer connection remain. */
export function releasePreparedCall(prepared: PreparedCall): void {
  const media = takePreparedCall(prepared);
  if (media !== null) releaseMedia(media);
}
