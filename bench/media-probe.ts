/**
 * The one measuring probe of `npm run bench:call`'s answer → media, installed the same way in the app's pages
 * and the bare SIP.js pages (Playwright addInitScript, before any of the page's own scripts), so both are
 * measured at the same points by the same code and neither needs a hook of its own. It notes:
 * - every RTCPeerConnection the page makes (the constructor is wrapped; the page sees the same class);
 * - when the page sent its 200 OK to an INVITE over its WebSocket (diagnostic: the callee's own part of the
 *   answer);
 * - when each remote audio track first unmuted (Chromium unmutes a remote track at its first RTP packet).
 *
 * "Media flowing" on a side is when its first RTP packet arrived, read after the fact from getStats
 * (inbound-rtp): lastPacketReceivedTimestamp − (packetsReceived − 1) × 20 ms, Opus's 20 ms packets, the
 * sender's clock. Measured here to agree within ~2 ms with the unmute event on an idle page; unlike polling
 * getStats (what the bench did before: a 2 ms loop on both pages during the answer, whose answers Chromium
 * caches, and which competed with the call for the two cores), it reads the network's time, not the page's,
 * and loads nothing while the call starts.
 *
 * The script is plain JavaScript in a string: tsx's esbuild would add helpers the page lacks to a function.
 */
import type { Page } from '@playwright/test';

export const mediaProbeScript = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const probe = { connections: [], okSent: [], unmuted: [] };
  Object.defineProperty(window, '__benchMediaProbe', { value: probe });
  const Native = window.RTCPeerConnection;
  if (Native !== undefined) {
    const Probed = function RTCPeerConnection(...args) {
      const connection = new Native(...args);
      probe.connections.push(connection);
      if (probe.connections.length > 8) probe.connections.shift();
      connection.addEventListener('track', (event) => {
        if (event.track.kind === 'audio') event.track.addEventListener('unmute', () => probe.unmuted.push(now()), { once: true });
      });
      return connection;
    };
    Probed.prototype = Native.prototype;
    Object.setPrototypeOf(Probed, Native);
    window.RTCPeerConnection = Probed;
  }
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data === 'string' && data.startsWith('SIP/2.0 200') && /\\r\\nCSeq:\\s*\\d+\\s+INVITE\\r\\n/i.test(data)) probe.okSent.push(now());
    return send.call(this, data);
  };
})();`;

interface ProbeInPage {
  readonly connections: RTCPeerConnection[];
  readonly okSent: number[];
  readonly unmuted: number[];
}

declare global {
  interface Window {
    readonly __benchMediaProbe?: ProbeInPage;
  }
}

/** Resolves once the page's remote audio has unmuted after `after` (epoch ms), i.e. RTP arrived. */
export async function waitForRemoteAudio(page: Page, after: number): Promise<void> {
  await page.waitForFunction((a) => (window.__benchMediaProbe?.unmuted ?? []).some((t) => t > a), after, { polling: 'raf', timeout: 10_000 });
}

/**
 * The epoch time of the first RTP packet of the page's live call (see above); throws if none arrived.
 * Chromium answers getStats from a cache for a short while (~50 ms, libwebrtc's RTCStatsCollector): when the
 * page itself read them just before its first packet (the app's call-quality indicator does, once a second
 * from when the call shows as answered), the cached report has no packet yet. So a report without one is
 * read again past the cache's lifetime, 10 times at most.
 */
export async function firstRtpTime(page: Page): Promise<number> {
  const time = await page.evaluate(async () => {
    let first = Number.NaN;
    for (let attempt = 0; attempt <= 10 && !Number.isFinite(first); attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 60));
      for (const connection of window.__benchMediaProbe?.connections ?? []) {
        if (connection.signalingState === 'closed' || connection.remoteDescription === null) continue;
        (await connection.getStats()).forEach((r: { type: string; kind?: string; packetsReceived?: number; lastPacketReceivedTimestamp?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio' && (r.packetsReceived ?? 0) > 0 && r.lastPacketReceivedTimestamp !== undefined) {
            first = r.lastPacketReceivedTimestamp - ((r.packetsReceived ?? 1) - 1) * 20;
          }
        });
      }
    }
    return first;
  });
  if (!Number.isFinite(time)) throw new Error('no RTP received on the call');
  return time;
}

/** When the page last sent a 200 OK to an INVITE (epoch ms), NaN if never. */
export function lastOkSent(page: Page): Promise<number> {
  return page.evaluate(() => window.__benchMediaProbe?.okSent.at(-1) ?? Number.NaN);
}
