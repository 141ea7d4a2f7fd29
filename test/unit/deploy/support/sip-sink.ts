/**
 * A SIP endpoint that records every request it receives and accepts everything, as the most permissive
 * carrier would: INVITE gets 200 with an SDP answer, REFER 202, anything else 200. The attack tests put it
 * where money would leak (the trunk) and where a hijacked call would go (any other host), then assert that
 * it saw nothing; the control tests assert that it does see what the manager authorized.
 */
import { createSocket } from 'node:dgram';
import { header, parseSip, plainSdp, token, type SipMessage } from './raw-sip.js';

export interface SipSink {
  /** ip:port */
  readonly address: string;
  /** Every request received, in order (retransmissions included). */
  readonly requests: readonly SipMessage[];
  /** Requests of one method (retransmissions of one transaction counted once). */
  distinct(method?: string): SipMessage[];
  /** Resolves with the first request matching `match`. */
  next(match: (message: SipMessage) => boolean, timeoutMs?: number): Promise<SipMessage>;
  close(): Promise<void>;
}

/**
 * `inviteStatus` decides the final answer to an initial INVITE (default 200): a carrier that refuses some
 * numbers (busy, congestion).
 */
export async function startSipSink(host = '127.0.0.1', inviteStatus: (request: SipMessage) => number = () => 200): Promise<SipSink> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  const requests: SipMessage[] = [];
  const waiters: { match: (message: SipMessage) => boolean; resolve: (message: SipMessage) => void }[] = [];
  const toTags = new Map<string, string>();

  const reply = (request: SipMessage, status: number, reason: string, to: string, extra: string[] = [], body = ''): string =>
    [
      `SIP/2.0 ${status} ${reason}`,
      ...(request.headers.get('via') ?? []).map((via) => `Via: ${via}`),
      ...(request.headers.get('record-route') ?? []).map((route) => `Record-Route: ${route}`),
      `From: ${header(request, 'from')}`,
      `To: ${to}`,
      `Call-ID: ${header(request, 'call-id')}`,
      `CSeq: ${header(request, 'cseq')}`,
      ...extra,
      ...(body === '' ? [] : ['Content-Type: application/sdp']),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');

  socket.on('message', (data, from) => {
    const message = parseSip(data.toString());
    if (message.method === undefined) {
      return;
    }
    requests.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
    if (message.method === 'ACK') {
      return;
    }
    const callId = header(message, 'call-id');
    let to = header(message, 'to');
    if (!/;tag=/.test(to)) {
      const tag = toTags.get(callId) ?? token();
      toTags.set(callId, tag);
      to = `${to};tag=${tag}`;
    }
    const send = (text: string): void => socket.send(text, from.port, from.address);
    const contact = [`Contact: <sip:sink@${host}:${port}>`];
    switch (message.method) {
      case 'INVITE': {
        const status = /;tag=/.test(header(message, 'to')) ? 200 : inviteStatus(message);
        if (status === 200) {
          send(reply(message, 200, 'OK', to, contact, plainSdp(host, 40_002)));
        } else {
          send(reply(message, status, 'Refused By The Carrier', to));
        }
        return;
      }
      case 'REFER':
        send(reply(message, 202, 'Accepted', to, contact));
        return;
      default:
        send(reply(message, 200, 'OK', to, contact));
    }
  });

  return {
    address: `${host}:${port}`,
    requests,
    distinct(method) {
      const seen = new Set<string>();
      return requests.filter((request) => {
        const key = `${header(request, 'via')}|${header(request, 'cseq')}`;
        if ((method !== undefined && request.method !== method) || seen.has(key)) {
          return false;
        }
        seen.add(key);
        return true;
      });
    },
    next(match, timeoutMs = 5_000) {
      const already = requests.find(match);
      if (already !== undefined) {
        return Promise.resolve(already);
      }
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (message: SipMessage) => (clearTimeout(timer), resolve(message)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`the sink at ${host}:${port} saw no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
