import { describe, expect, it } from 'vitest';
import { maxLinkLength, parseTelLink } from '../../../shared/ipc/parse-tel-link.js';

describe('parseTelLink', () => {
  it.each([
    ['tel:+33123456789', '+33123456789'],
    ['TEL:+33123456789', '+33123456789'],
    ['tel:01%2023%2045', '012345'],
    ['tel:+33-1-23-45-67-89', '+33123456789'],
    ['tel:(01) 23.45', '012345'],
    ['tel:+33123456789;ext=12', '+33123456789'],
    ['tel:1234;phone-context=cabine.test', '1234'],
    ['tel:*21#', '*21#'],
    ['sip:1002@cabine.test', '1002'],
    ['sip:1002@cabine.test:5060;transport=ws', '1002'],
    ['sip:alice.martin@cabine.test?subject=hello', 'alice.martin'],
    ['sip:+33123456789;user=phone@cabine.test', '+33123456789'],
    ['sip:%2B33123456789@cabine.test', '+33123456789'],
    ['callto://+442071234567', '+442071234567'],
    ['callto://+442071234567/', '+442071234567'],
    ['callto:+44 20 7123 4567', '+442071234567'],
    ['callto:bruno', 'bruno'],
  ])('%s dials %s', (link, expected) => {
    expect(parseTelLink(link)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['scheme only', 'tel:'],
    ['javascript', 'javascript:alert(1)'],
    ['javascript disguised', 'javascript:tel:123'],
    ['https', 'https://cabine.app/tel:123'],
    ['file', 'file:///etc/passwd'],
    ['letters in tel', 'tel:0800-FLOWERS'],
    ['sip without user', 'sip:cabine.test'],
    ['sip with password', 'sip:1002:secret@cabine.test'],
    ['sip bad host', 'sip:1002@evil host'],
    ['sip user with spaces', 'sip:a%20b@cabine.test'],
    ['bad escape', 'tel:%E0%A4%A'],
    ['control characters', 'tel:123\u0000456'],
    ['newline injection', 'tel:123%0A--inspect'],
    ['flag injection', 'callto:--inspect=9229'],
    ['too many E.164 digits', 'tel:+1234567890123456'],
    ['plus alone', 'tel:+'],
    ['oversized number', `tel:${'1'.repeat(40)}`],
    ['oversized link', `tel:123;${'x'.repeat(maxLinkLength)}`],
  ])('refuses %s', (_name, link) => {
    expect(parseTelLink(link)).toBeNull();
  });

  it('refuses non-strings without throwing', () => {
    expect(parseTelLink(undefined as unknown as string)).toBeNull();
  });
});
