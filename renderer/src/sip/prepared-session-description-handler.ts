/**
 * SIP.js's Web.SessionDescriptionHandler on a prepared peer connection and microphone: an outgoing call's
 * (prepared-call.ts) or an incoming call's, whose offer was applied while it rang (prepared-answer.ts).
 *
 * SIP.js 0.21's handler makes its RTCPeerConnection in its constructor, with `new RTCPeerConnection(...)`
 * (node_modules/sip.js/lib/platform/web/session-description-handler/session-description-handler.js), and
 * wires its events there. For the moment of that constructor this subclass has the name give the prepared
 * connection instead (lendPeerConnection), so SIP.js wires and uses it as its own, and no connection is
 * made only to be closed (measured ~1-2 ms of the click or the answer). A remote track the ringing call's
 * offer made already is taken over at once. Everything else (offer and answer, hold directions, ICE
 * restart, DTMF) is SIP.js's own code on the prepared connection.
 */
import { SessionState, Web, type Session } from 'sip.js';
import { EarlyMediaSessionDescriptionHandler } from './early-media.js';
import { releaseMedia, type PreparedMedia } from './prepared-call.js';

/** Whether an SDP carries at least one ICE candidate (RFC 8839 section 5.1). */
export function sdpHasCandidate(sdp: string | undefined): boolean {
  return sdp !== undefined && /^a=candidate:/m.test(sdp);
}

/**
 * Makes the global RTCPeerConnection constructor give `pc` until the returned function puts the real one
 * back; for the span of one synchronous constructor call (single-threaded: nothing else runs meanwhile).
 */
function lendPeerConnection(pc: RTCPeerConnection): () => void {
  const scope = globalThis as { RTCPeerConnection: typeof RTCPeerConnection };
  const native = scope.RTCPeerConnection;
  // A constructor that returns an object makes `new` evaluate to that object (ECMA-262 [[Construct]]).
  scope.RTCPeerConnection = function PreparedPeerConnection() {
    return pc;
  } as unknown as typeof RTCPeerConnection;
  return () => {
    scope.RTCPeerConnection = native;
  };
}

export class PreparedSessionDescriptionHandler extends EarlyMediaSessionDescriptionHandler {
  private readonly prepared: PreparedMedia;
  /** The ringing call's offer, applied already (prepared-answer.ts); consumed by the first remote offer. */
  private preparedOffer: Promise<string | null> | undefined;

  constructor(logger: ConstructorParameters<typeof Web.SessionDescriptionHandler>[0], prepared: PreparedMedia, configuration: Web.SessionDescriptionHandlerConfiguration) {
    let handedOut = false;
    // The prepared microphone for the first offer; should SIP.js ask again with other constraints, the
    // browser's (SIP.js's default factory).
    const fallback = Web.defaultMediaStreamFactory();
    const mediaStreamFactory: Web.MediaStreamFactory = (constraints, sdh, options) => {
      if (handedOut) return fallback(constraints, sdh, options);
      handedOut = true;
      return prepared.stream;
    };
    const restore = lendPeerConnection(prepared.peerConnection);
    try {
      super(logger, mediaStreamFactory, configuration);
    } finally {
      restore();
    }
    this.prepared = prepared;
    this.preparedOffer = prepared.remoteOffer;
    // The offer applied while the call rang fired its 'track' events before this handler existed.
    for (const receiver of prepared.peerConnection.getReceivers()) this.setRemoteTrack(receiver.track);
  }

  /**
   * The INVITE's offer, which the ringing call applied already (prepared-answer.ts): applied again it would
   * be a second negotiation for nothing, and SIP.js refuses an offer in have-remote-offer. Any other
   * description (an answer, a re-INVITE's offer, an offer the browser refused while ringing) is SIP.js's.
   */
  protected override async setRemoteSessionDescription(sessionDescription: RTCSessionDescriptionInit): Promise<void> {
    const preparedOffer = this.preparedOffer;
    this.preparedOffer = undefined;
    const applied = preparedOffer === undefined ? null : await preparedOffer;
    const pc = this._peerConnection;
    if (applied !== null && pc !== undefined && pc.signalingState === 'have-remote-offer' && sessionDescription.sdp !== undefined) {
      if (sessionDescription.sdp !== applied) await pc.setRemoteDescription({ type: 'offer', sdp: sessionDescription.sdp });
      return;
    }
    return super.setRemoteSessionDescription(sessionDescription);
  }

  /**
   * No trickle ICE in SIP: the offer must carry its candidates. SIP.js resolves at once when the gathering
   * state already reads "complete"; on a pooled connection that must not send an SDP without candidates,
   * so until one is in the local description we wait for the end of gathering (or the timeout).
   */
  protected override waitForIceGatheringComplete(restart = false, timeout = 0): Promise<void> {
    return super.waitForIceGatheringComplete(restart, timeout).then(() => {
      const pc = this._peerConnection;
      if (pc === undefined || sdpHasCandidate(pc.localDescription?.sdp)) return undefined;
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          pc.removeEventListener('icecandidate', onCandidate);
          resolve();
        };
        const onCandidate = (event: RTCPeerConnectionIceEvent): void => {
          if (event.candidate === null || sdpHasCandidate(pc.localDescription?.sdp)) done();
        };
        const timer = setTimeout(done, timeout > 0 ? timeout : 1_000);
        pc.addEventListener('icecandidate', onCandidate);
      });
    });
  }

  /** SIP.js stops the tracks it added; the prepared microphone may not have been added yet. */
  override close(): void {
    super.close();
    releaseMedia(this.prepared);
  }
}

/** The sessions that get a prepared set, from placeCall until SIP.js asks for their handler. */
export type PreparedHandOver = WeakMap<Session, PreparedMedia>;

/**
 * Gives `session` the prepared set for its first handler. Should the session end before SIP.js asked for
 * one (the INVITE failed to start), the set is released here, so no microphone stays open.
 */
export function handOverPreparedMedia(handOver: PreparedHandOver, session: Session, media: PreparedMedia): void {
  handOver.set(session, media);
  session.stateChange.addListener((state) => {
    if (state === SessionState.Terminated && handOver.get(session) === media) {
      handOver.delete(session);
      releaseMedia(media);
    }
  });
}
