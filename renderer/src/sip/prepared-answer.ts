/**
 * An incoming call made ready while it rings, so that Answer only has to add the microphone's track to the
 * transceiver the offer made, create the answer and send the 200 OK: the microphone is opened, one peer
 * connection with an ICE candidate pool (RTCConfiguration.iceCandidatePoolSize, RFC 8829 section 3.5.4) is
 * gathering, and the INVITE's offer is applied to it (setRemoteDescription) as soon as the 180 Ringing is
 * out. Measured on `npm run bench:call` (docs/call-flow.md, Performance), that work took most of the
 * callee's part of answer → media.
 *
 * Nothing leaves the page before Answer: ICE checks and DTLS start only with a local description, which is
 * made at Answer. The microphone is open while the call rings (the system's microphone indicator is on for
 * a ringing call); a call that ends unanswered (declined, cancelled, answered elsewhere, signed out)
 * releases it with the peer connection (prepared-session-description-handler.ts handOverPreparedMedia).
 */
import { SessionState, type Invitation } from 'sip.js';
import { createPooledPeerConnection, releaseMedia, type PreparedCallDeps, type PreparedCallSettings, type PreparedMedia } from './prepared-call.js';
import { handOverPreparedMedia, type PreparedHandOver } from './prepared-session-description-handler.js';
import type { AudioReceiverHook } from './session-description-handler-factory.js';

/** The SDP offer an INVITE carries (RFC 3264), or undefined for an INVITE without one. */
export function sdpOffer(contentType: string | undefined, body: string): string | undefined {
  return body !== '' && /^application\/sdp\b/i.test((contentType ?? '').trim()) ? body : undefined;
}

/**
 * The microphone and a pooled peer connection with `offer` applied, for one incoming call; null when no
 * peer connection can be made (the answer then takes SIP.js's ordinary path). `onAudioReceiver` (the `?e2e=1`
 * DTMF tap, session-description-handler-factory.ts) gets the offer's audio receiver in its 'track' event:
 * measured with Chromium 156, an encoded transform attached later, even before the answer, receives no
 * frames.
 */
export function prepareAnswerMedia(
  deps: PreparedCallDeps,
  settings: PreparedCallSettings,
  offer: string | undefined,
  onAudioReceiver?: AudioReceiverHook,
): PreparedMedia | null {
  const peerConnection = createPooledPeerConnection(deps, settings);
  if (peerConnection === null) return null;
  if (onAudioReceiver !== undefined) {
    peerConnection.addEventListener('track', (event) => {
      if (event.track.kind === 'audio') onAudioReceiver(event.receiver);
    });
  }
  const remoteOffer =
    offer === undefined
      ? Promise.resolve(null)
      : peerConnection.setRemoteDescription({ type: 'offer', sdp: offer }).then(
          () => offer,
          // An offer the browser refuses now is refused again at Answer, where SIP.js reports it (488).
          () => null,
        );
  return { peerConnection, stream: deps.getUserMedia(settings.constraints), remoteOffer };
}

/**
 * Readies `invitation`'s answer (above) and hands it to the session's first handler. A refused or missing
 * microphone drops the set: Answer then asks for the microphone itself and reports the error there.
 */
export function prepareAnswer(
  deps: PreparedCallDeps,
  settings: PreparedCallSettings,
  handOver: PreparedHandOver,
  invitation: Invitation,
  onAudioReceiver?: AudioReceiverHook,
): void {
  // Cancelled before its 180 settled: handOverPreparedMedia could never see it end.
  if (invitation.state !== SessionState.Initial) return;
  const media = prepareAnswerMedia(deps, settings, sdpOffer(invitation.request.getHeader('Content-Type'), invitation.body ?? ''), onAudioReceiver);
  if (media === null) return;
  handOverPreparedMedia(handOver, invitation, media);
  media.stream.catch(() => {
    if (handOver.get(invitation) !== media) return;
    handOver.delete(invitation);
    releaseMedia(media);
  });
}
