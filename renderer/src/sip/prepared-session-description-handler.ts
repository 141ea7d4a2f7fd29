/**
 * SIP.js's Web.SessionDescriptionHandler on a prepared peer connection and microphone (prepared-call.ts).
 *
 * SIP.js 0.21's handler makes its RTCPeerConnection in its constructor
 * (node_modules/sip.js/lib/platform/web/session-description-handler/session-description-handler.js), so
 * this subclass closes that one unused (it never gathered: no pool, no description) and adopts the prepared
 * one, with its own event wiring: the two events the base class acts on (gathering complete, remote track)
 * and the peerConnectionDelegate's handlers, as the base class forwards them. Everything else (offer and
 * answer, hold directions, ICE restart, DTMF) is SIP.js's own code on the adopted connection.
 */
import { SessionState, Web, type Session } from 'sip.js';
import { EarlyMediaSessionDescriptionHandler } from './early-media.js';
import { releaseMedia, type PreparedMedia } from './prepared-call.js';

/** Whether an SDP carries at least one ICE candidate (RFC 8839 section 5.1). */
export function sdpHasCandidate(sdp: string | undefined): boolean {
  return sdp !== undefined && /^a=candidate:/m.test(sdp);
}

const forwardedEvents = [
  'connectionstatechange',
  'datachannel',
  'icecandidate',
  'icecandidateerror',
  'iceconnectionstatechange',
  'icegatheringstatechange',
  'negotiationneeded',
  'signalingstatechange',
  'track',
] as const;

export class PreparedSessionDescriptionHandler extends EarlyMediaSessionDescriptionHandler {
  private readonly prepared: PreparedMedia;

  constructor(logger: ConstructorParameters<typeof Web.SessionDescriptionHandler>[0], prepared: PreparedMedia, configuration: Web.SessionDescriptionHandlerConfiguration) {
    let handedOut = false;
    // The prepared microphone for the first offer; should SIP.js ask again with other constraints, the
    // browser's (SIP.js's default factory).
    const fallback = Web.defaultMediaStreamFactory();
    super(logger, (constraints, sdh, options) => {
      if (handedOut) return fallback(constraints, sdh, options);
      handedOut = true;
      return prepared.stream;
    }, configuration);
    this.prepared = prepared;
    this._peerConnection?.close();
    this._peerConnection = prepared.peerConnection;
    this.wirePeerConnection(prepared.peerConnection);
  }

  private wirePeerConnection(pc: RTCPeerConnection): void {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') this.iceGatheringComplete();
    });
    pc.addEventListener('track', (event) => this.setRemoteTrack(event.track));
    for (const name of forwardedEvents) {
      pc.addEventListener(name, (event: Event) => {
        const delegate = this.peerConnectionDelegate;
        const handler = delegate?.[`on${name}`] as ((event: Event) => void) | undefined;
        handler?.(event);
      });
    }
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
