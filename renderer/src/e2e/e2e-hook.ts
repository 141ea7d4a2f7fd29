import type { SipAdapter } from '../sip/sip-adapter.js';

/**
 * Read-only access for the end-to-end tests (test/e2e/phone.spec.ts), installed only when the page URL
 * has `?e2e=1`. Media can only be asserted on the RTCPeerConnection itself (connectionState, getStats):
 * a SIP session can be "established" while no audio flows.
 */
export interface CabineE2eHook {
  /** The peer connections of the calls in progress, oldest call first. */
  peerConnections(): RTCPeerConnection[];
}

declare global {
  interface Window {
    __cabineE2E?: CabineE2eHook;
  }
}

export function installE2eHook(adapter: SipAdapter): void {
  const hook: CabineE2eHook = Object.freeze({ peerConnections: () => adapter.peerConnections() });
  Object.defineProperty(window, '__cabineE2E', { value: hook, writable: false, configurable: false });
}
