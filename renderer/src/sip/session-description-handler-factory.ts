import { Web, type SessionDescriptionHandlerFactory } from 'sip.js';
import { earlyMediaHandlerFactory } from './early-media.js';
import { PreparedSessionDescriptionHandler, type PreparedHandOver } from './prepared-session-description-handler.js';

export type AudioReceiverHook = (receiver: RTCRtpReceiver) => void;

/**
 * How long we wait for ICE candidates before sending an offer or answer. Host candidates arrive within
 * milliseconds; without STUN/TURN servers configured there is nothing else to wait for.
 */
export const iceGatheringTimeoutMs = 500;

/** The microphone every call asks for (SIP.js hands these to getUserMedia). */
export const callMediaConstraints = { audio: true, video: false } as const;

/** What SIP.js's factory gives each peer connection (its defaults, our ICE servers); prepared ones too. */
export function callPeerConnectionConfiguration(iceServers: RTCIceServer[]): RTCConfiguration {
  return { ...Web.defaultPeerConnectionConfiguration(), iceServers };
}

/** The handler options of every offer and answer, initial or re-INVITE. */
export function sessionOptions(): Web.SessionDescriptionHandlerOptions {
  return { constraints: { ...callMediaConstraints }, iceGatheringTimeout: iceGatheringTimeoutMs };
}

/**
 * SIP.js's own factory, except for a session placeCall handed a prepared set (prepared-call.ts): that one
 * gets our subclass on the prepared peer connection and microphone. Either way the optional receiver hook
 * is attached to the handler. Chromium only runs an encoded transform that was attached before the
 * transceiver was negotiated: for the transceivers SIP.js creates with addTrack (every call here) that
 * means right after addTrack, before the offer/answer (measured with Chromium 156: attached in `ontrack` it
 * receives no frames). Transceivers created by a remote offer are handed over in `ontrack`, which works for
 * them (a ringing call's prepared answer hands them over itself, prepared-answer.ts). The hook may see a
 * receiver twice.
 */
export function sessionDescriptionHandlerFactory(
  onAudioReceiver: AudioReceiverHook | undefined,
  handOver: PreparedHandOver,
  iceServers?: () => RTCIceServer[],
  mediaStreamFactory?: Web.MediaStreamFactory,
): SessionDescriptionHandlerFactory {
  // SIP.js's default handler, with early media (early-media.ts); the adapter's microphone when given one.
  const base = earlyMediaHandlerFactory(mediaStreamFactory);
  return (session, factoryOptions: Web.SessionDescriptionHandlerFactoryOptions | undefined) => {
    const prepared = handOver.get(session);
    handOver.delete(session);
    // The ICE servers of the moment (TURN credentials are renewed with the SIP ones), not the user agent's
    // from when it was created. A prepared peer connection already has them (prepared-call.ts).
    const options: Web.SessionDescriptionHandlerFactoryOptions | undefined =
      iceServers === undefined ? factoryOptions : { ...factoryOptions, peerConnectionConfiguration: { ...factoryOptions?.peerConnectionConfiguration, iceServers: iceServers() } };
    const handler =
      prepared === undefined
        ? base(session, options)
        : new PreparedSessionDescriptionHandler(session.userAgent.getLogger('sip.SessionDescriptionHandler'), prepared, {
            iceGatheringTimeout: factoryOptions?.iceGatheringTimeout ?? iceGatheringTimeoutMs,
            peerConnectionConfiguration: { ...Web.defaultPeerConnectionConfiguration(), ...factoryOptions?.peerConnectionConfiguration },
          });
    if (onAudioReceiver !== undefined && handler instanceof Web.SessionDescriptionHandler) attachReceiverHook(handler, onAudioReceiver);
    return handler;
  };
}

function attachReceiverHook(handler: Web.SessionDescriptionHandler, onAudioReceiver: AudioReceiverHook): void {
  const pc = handler.peerConnection;
  if (pc !== undefined) {
    const addTrack = pc.addTrack.bind(pc);
    pc.addTrack = (track, ...streams) => {
      const sender = addTrack(track, ...streams);
      const transceiver = pc.getTransceivers().find((t) => t.sender === sender);
      if (track.kind === 'audio' && transceiver !== undefined) onAudioReceiver(transceiver.receiver);
      return sender;
    };
  }
  handler.peerConnectionDelegate = {
    // SIP.js types the event as a plain Event; the peer connection hands it an RTCTrackEvent.
    ontrack: (event) => {
      if (event instanceof RTCTrackEvent && event.track.kind === 'audio') onAudioReceiver(event.receiver);
    },
  };
}
