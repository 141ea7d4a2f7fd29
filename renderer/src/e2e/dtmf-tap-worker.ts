/**
 * Test-only (`?e2e=1`): a WebRTC Encoded Transform on a call's audio receiver that passes every frame
 * through untouched and reports the RFC 4733 telephone-events among them to the page.
 *
 * Why this and not getStats: Chromium's stats list no telephone-event codec or counter (inbound-rtp counts
 * them as plain packets), and the receiving NetEq swallows the events, so there is no API that shows "digit
 * 5 arrived". The encoded transform sees each RTP payload with its payload type's MIME type, so the test can
 * decode exactly what came off the wire. RFC 4733 section 2.3: byte 0 is the event (0-9, 10 '*', 11 '#',
 * 12-15 A-D); the E bit (0x80 of byte 1) ends it; all packets of one event share an RTP timestamp, and the
 * end packet is sent three times, so one digit is counted per new timestamp.
 */

interface TapFrame {
  readonly data: ArrayBuffer;
  getMetadata(): { readonly mimeType?: string; readonly rtpTimestamp?: number; readonly payloadType?: number };
}
interface TapTransformer {
  readonly readable: ReadableStream<TapFrame>;
  readonly writable: WritableStream<TapFrame>;
}
interface TapScope {
  onrtctransform: ((event: { readonly transformer: TapTransformer }) => void) | null;
  postMessage(message: unknown): void;
}

const eventNames = '0123456789*#ABCD';

/** G.711 µ-law byte to a 16-bit linear sample (ITU-T G.711). */
function ulaw(byte: number): number {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}
const scope = self as unknown as TapScope;

scope.onrtctransform = ({ transformer }) => {
  let lastTimestamp: number | undefined;
  void transformer.readable
    .pipeThrough(
      new TransformStream<TapFrame, TapFrame>({
        transform(frame, controller) {
          const metadata = frame.getMetadata();
          // The energy of each received PCMU frame, with its arrival time (epoch ms): what the caller hears,
          // decoded from the payload itself, whether or not the page plays it (the balance announcement test).
          if (metadata.mimeType?.toLowerCase() === 'audio/pcmu' && frame.data.byteLength > 0) {
            const bytes = new Uint8Array(frame.data);
            let sum = 0;
            for (const byte of bytes) sum += ulaw(byte) ** 2;
            scope.postMessage({ pcm: { at: performance.timeOrigin + performance.now(), rms: Math.sqrt(sum / bytes.length) } });
          }
          if (metadata.mimeType?.toLowerCase() === 'audio/telephone-event' && frame.data.byteLength >= 4) {
            const event = new Uint8Array(frame.data)[0] ?? 255;
            if (metadata.rtpTimestamp !== lastTimestamp && event < eventNames.length) {
              lastTimestamp = metadata.rtpTimestamp;
              scope.postMessage({ digit: eventNames[event] });
            }
          }
          controller.enqueue(frame);
        },
      }),
    )
    .pipeTo(transformer.writable);
};
