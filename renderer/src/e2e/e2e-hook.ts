import type { SipAdapter } from '../sip/sip-adapter.js';

/**
 * Read-only access for the end-to-end tests (test/e2e/phone.spec.ts), installed only when the page URL
 * has `?e2e=1`; the production page never has it.
 *
 * - Media can only be asserted on the RTCPeerConnection itself (connectionState, getStats): a SIP session
 *   can be "established" while no audio flows (field notes).
 * - Received DTMF: see dtmf-tap-worker.ts for why an encoded transform and not getStats.
 */
export interface CabineE2eHook {
  /** The peer connections of the calls in progress, oldest call first. */
  peerConnections(): RTCPeerConnection[];
  /** Whether received RFC 4733 events are being decoded (needs RTCRtpScriptTransform). */
  readonly dtmfTap: boolean;
  /** Digits of the RFC 4733 telephone-events received on any call so far, in arrival order. */
  receivedDtmf(): string;
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

export function createE2eHook(): E2eReceiverTap {
  let received = '';
  const supported = typeof RTCRtpScriptTransform !== 'undefined';
  let worker: Worker | null = null;
  const tapped = new WeakSet<RTCRtpReceiver>();
  const tapWorker = (): Worker => {
    if (worker === null) {
      worker = new Worker(new URL('./dtmf-tap-worker.ts', import.meta.url), { type: 'module', name: 'cabine-dtmf-tap' });
      worker.onmessage = (event: MessageEvent<{ digit?: unknown }>) => {
        if (typeof event.data.digit === 'string') received += event.data.digit;
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
      });
      Object.defineProperty(window, '__cabineE2E', { value: hook, writable: false, configurable: false });
    },
  };
}
