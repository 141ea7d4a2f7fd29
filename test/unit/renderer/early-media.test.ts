import type { Core } from 'sip.js';
import { describe, expect, it } from 'vitest';
import { carriesEarlyMedia } from '../../../renderer/src/sip/early-media.js';

/** The parts of SIP.js's IncomingResponse that carriesEarlyMedia reads. */
function response(statusCode: number, toTag: string, body: string, contentType = 'application/sdp'): Core.IncomingResponse {
  const message = { statusCode, toTag, body, getHeader: (name: string) => (name.toLowerCase() === 'content-type' ? contentType : undefined) };
  return { message } as unknown as Core.IncomingResponse;
}

describe('early media in a provisional response (RFC 3960)', () => {
  const sdp = 'v=0\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 0\r\n';

  it('is a 101-199 with a To-tag (an early dialog) and an SDP body', () => {
    expect(carriesEarlyMedia(response(183, 'k1', sdp))).toBe(true);
    expect(carriesEarlyMedia(response(180, 'k1', sdp, 'application/sdp; charset=utf-8'))).toBe(true);
  });

  it('is not a 100, a final answer, a response without To-tag or body, or another body', () => {
    expect(carriesEarlyMedia(response(100, '', sdp))).toBe(false);
    expect(carriesEarlyMedia(response(200, 'k1', sdp))).toBe(false);
    expect(carriesEarlyMedia(response(183, '', sdp))).toBe(false);
    expect(carriesEarlyMedia(response(183, 'k1', ''))).toBe(false);
    expect(carriesEarlyMedia(response(183, 'k1', '<xml/>', 'application/isup'))).toBe(false);
  });
});
