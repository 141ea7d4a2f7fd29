import type { SipAdapter } from '../sip/sip-adapter.js';

/**
 * Read-only access for the end-to-end tests (test/e2e/phone.spec.ts), installed only when the page URL
 * has `?e2e=1`; the production page never has it.
 *
 * - Media can only be asserted on the RTCPeerConnection itself (connectionState, getStats): a SIP session
 *   can be "established" while no audio flows (field notes).
 * - Received DTMF: see dtmf-tap-worker.ts for why an encoded transform and not getStats.
 * - Open microphones: every track getUserMedia hands out on the page is counted until it ends, so a test
 *   can prove that a prepared call (prepareCall) or an ended call left no live microphone behind.
 */
export interface CabineE2eHook {
  /** The peer connections of the calls in progress, oldest call first. */
  peerConnections(): RTCPeerConnection[];
  /** Whether received RFC 4733 events are being decoded (needs RTCRtpScriptTransform). */
  readonly dtmfTap: boolean;
  /** Digits of the RFC 4733 telephone-events received on any call so far, in arrival order. */
  receivedDtmf(): string;
  /** Received PCMU frames (the latest 5000): arrival time (epoch ms) and RMS of their decoded samples. */
  receivedPcm(): readonly { readonly at: number; readonly rms: number }[];
  /** Audio tracks from getUserMedia on this page that are still live (not stopped). */
  liveAudioTracks(): number;
  /** The adapter's prepareCall(), for the call benchmark and tests that do not type in the dialer. */
  prepareCall(): void;
}

declare global {
  interface Window {
    __cabineE2E?: CabineE2eHook;
  }
}

/** The part the adapter needs before it exists: a receiver hook that attaches the DTMF tap. */
export interface E2eReceiverTap {
  readonly onAudioReceiver: ((receiver: RTCRtpReceiver) => void) | undefined;
  install(adapter: SipAdapter): void;
}

/**
 * Wraps getUserMedia (before the adapter exists) to count the audio tracks it hands out that are still
 * live. Stopped tracks are let go at every count and every new acquisition: a hook that kept every track
 * of every call would itself grow the heap that `npm run bench:call` measures over a hundred calls.
 */
function countMicrophoneTracks(): () => number {
  const tracks = new Set<MediaStreamTrack>();
  const prune = (): number => {
    let live = 0;
    for (const track of tracks) {
      if (track.readyState === 'live') live += 1;
      else tracks.delete(track);
    }
    return live;
  };
  const devices = typeof navigator === 'undefined' ? undefined : navigator.mediaDevices;
  if (devices !== undefined) {
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      prune();
      for (const track of stream.getAudioTracks()) tracks.add(track);
      return stream;
    };
  }
  return prune;
}

export function createE2eHook(): E2eReceiverTap {
  let received = '';
  const pcm: { at: number; rms: number }[] = [];
  const liveAudioTracks = countMicrophoneTracks();
  const supported = typeof RTCRtpScriptTransform !== 'undefined';
  let worker: Worker | null = null;
  const tapped = new WeakSet<RTCRtpReceiver>();
  const tapWorker = (): Worker => {
    if (worker === null) {
      worker = new Worker(new URL('./dtmf-tap-worker.ts', import.meta.url), { type: 'module', name: 'cabine-dtmf-tap' });
      worker.onmessage = (event: MessageEvent<{ digit?: unknown; pcm?: { at: number; rms: number } }>) => {
        if (typeof event.data.digit === 'string') received += event.data.digit;
        if (event.data.pcm !== undefined) {
          pcm.push(event.data.pcm);
          if (pcm.length > 5000) pcm.shift();
        }
      };
    }
    return worker;
  };
  return {
    // Frames pass through the transform unchanged; it only reads the payload type and first byte.
    onAudioReceiver: supported
      ? (receiver) => {
          if (tapped.has(receiver)) return;
          tapped.add(receiver);
          receiver.transform = new RTCRtpScriptTransform(tapWorker());
        }
      : undefined,
    install(adapter) {
      const hook: CabineE2eHook = Object.freeze({
        peerConnections: () => adapter.peerConnections(),
        dtmfTap: supported,
        receivedDtmf: () => received,
        receivedPcm: () => [...pcm],
        liveAudioTracks,
        prepareCall: () => adapter.prepareCall(),
      });
      Object.defineProperty(window, '__cabineE2E', { value: hook, writable: false, configurable: false });
    },
  };
}
