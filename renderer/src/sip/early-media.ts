/**
 * Early media (RFC 3960): audio the network plays before the call is answered, such as the balance the
 * SIP server announces before a paid call goes to the trunk (docs/sip-server.md, "Balance announcement").
 *
 * The announcement comes in a 183 Session Progress whose SDP answers our offer, from another early dialog
 * (another To-tag) than the trunk's final 200 OK: a forked INVITE as RFC 3261 13.2.2.4 allows. SIP.js 0.21's
 * own `earlyMedia` option ends such a call (Inviter.onAccept: "Early media dialog does not equal confirmed
 * dialog"), so the app applies a provisional SDP itself, as a provisional answer (`pranswer`, JSEP RFC
 * 8829 4.1.10.1: media flows, the offer stays open), and the final answer of whichever dialog is confirmed
 * replaces it. ICE and DTLS run against the relay's address in the provisional answer, and the final one
 * names the same relay (rtpengine keeps the caller's side of the call), so the transport carries on.
 */
import { Web, type Core, type Session, type SessionDescriptionHandlerFactory } from 'sip.js';

export class EarlyMediaSessionDescriptionHandler extends Web.SessionDescriptionHandler {
  /**
   * Applies the SDP of a provisional response as a provisional answer to our offer. Resolves false when the
   * offer is no longer open (answered already, or a re-INVITE's).
   */
  async setEarlyAnswer(sdp: string): Promise<boolean> {
    const pc = this._peerConnection;
    if (pc === undefined || (pc.signalingState !== 'have-local-offer' && pc.signalingState !== 'have-remote-pranswer')) return false;
    await pc.setRemoteDescription({ type: 'pranswer', sdp });
    return true;
  }

  /** The final answer after a provisional one: SIP.js knows only stable and have-local-offer. */
  protected override setRemoteSessionDescription(sessionDescription: RTCSessionDescriptionInit): Promise<void> {
    const pc = this._peerConnection;
    if (pc !== undefined && pc.signalingState === 'have-remote-pranswer' && sessionDescription.sdp !== undefined) {
      return pc.setRemoteDescription({ type: 'answer', sdp: sessionDescription.sdp });
    }
    return super.setRemoteSessionDescription(sessionDescription);
  }
}

/** Whether a response to our INVITE carries early media: 101-199, a To-tag (an early dialog) and SDP. */
export function carriesEarlyMedia(response: Core.IncomingResponse): boolean {
  const message = response.message;
  const status = message.statusCode ?? 0;
  const contentType = message.getHeader('Content-Type') ?? '';
  return status > 100 && status < 200 && message.toTag !== '' && message.body !== '' && /^application\/sdp\b/i.test(contentType.trim());
}

/**
 * Plays a provisional response's early media on the call's peer connection; returns the handler when it
 * did (its remoteMediaStream now carries the network's audio), else null.
 */
export async function applyEarlyMedia(session: Session, response: Core.IncomingResponse): Promise<EarlyMediaSessionDescriptionHandler | null> {
  const handler = session.sessionDescriptionHandler;
  if (!(handler instanceof EarlyMediaSessionDescriptionHandler) || !carriesEarlyMedia(response)) return null;
  try {
    return (await handler.setEarlyAnswer(response.message.body)) ? handler : null;
  } catch {
    // An SDP the browser cannot use as an answer: no early media, the call goes on to its final answer.
    return null;
  }
}

/**
 * SIP.js's default handler factory (Web.defaultSessionDescriptionHandlerFactory, sip.js 0.21), building
 * {@link EarlyMediaSessionDescriptionHandler}s: the same media stream factory unless given one (the
 * adapter's, which opens the chosen microphone), the same 5 s ICE gathering default and the same peer
 * connection configuration merge.
 */
export function earlyMediaHandlerFactory(mediaStreamFactory: Web.MediaStreamFactory = Web.defaultMediaStreamFactory()): SessionDescriptionHandlerFactory {
  return (session, options: Web.SessionDescriptionHandlerFactoryOptions | undefined) =>
    new EarlyMediaSessionDescriptionHandler(session.userAgent.getLogger('sip.SessionDescriptionHandler'), mediaStreamFactory, {
      iceGatheringTimeout: options?.iceGatheringTimeout ?? 5000,
      peerConnectionConfiguration: { ...Web.defaultPeerConnectionConfiguration(), ...options?.peerConnectionConfiguration },
    });
}
