/**
 * Hand-made SIP for the attack tests: a socket that sends exactly the bytes a test writes (forged To-tags,
 * Route sets, Contacts, replayed Authorization headers) from any loopback address, and collects what comes
 * back. A real SIP stack would refuse to send most of these; an attacker's script does not.
 * RFC 3261 message syntax (7), digest responses per RFC 2617 3.2.2 (qop=auth).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';

/** A parsed SIP message: header names are lower-case, each with its values in order. */
export interface SipMessage {
  readonly raw: string;
  readonly firstLine: string;
  /** Responses: the status code. */
  readonly status?: number;
  /** Requests: the method. */
  readonly method?: string;
  /** Requests: the Request-URI. */
  readonly uri?: string;
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly body: string;
}

const compactNames: Readonly<Record<string, string>> = {
  v: 'via', f: 'from', t: 'to', i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', k: 'supported',
};

export function parseSip(raw: string): SipMessage {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const [firstLine = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) {
      continue;
    }
    const rawName = line.slice(0, colon).trim().toLowerCase();
    const name = compactNames[rawName] ?? rawName;
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const response = /^SIP\/2\.0 (\d{3})/.exec(firstLine);
  const request = /^([A-Z]+) (\S+) SIP\/2\.0$/.exec(firstLine);
  return {
    raw,
    firstLine,
    ...(response ? { status: Number(response[1]) } : {}),
    ...(request ? { method: request[1], uri: request[2] } : {}),
    headers,
    body,
  };
}

/** The first value of a header, or ''. */
export const header = (message: SipMessage, name: string): string => message.headers.get(name.toLowerCase())?.[0] ?? '';

/** Every value of a header, split at top-level commas (Record-Route, Route, Via can be folded). */
export function headerValues(message: SipMessage, name: string): string[] {
  return (message.headers.get(name.toLowerCase()) ?? []).flatMap((value) => value.split(/,(?=\s*<)/).map((part) => part.trim()));
}

/** The tag parameter of a From/To value. */
export const tagOf = (value: string): string => /;tag=([^;>\s]+)/.exec(value)?.[1] ?? '';

/** The URI inside <...> of a name-addr (or the value itself). */
export const uriOf = (value: string): string => /<([^>]+)>/.exec(value)?.[1] ?? value.split(';')[0] ?? value;

export const token = (bytes = 6): string => randomBytes(bytes).toString('hex');

/** What a request needs; everything else (Via branch, Max-Forwards, Content-Length) is filled in. */
export interface RequestParts {
  readonly method: string;
  readonly uri: string;
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: number;
  /** Method in CSeq, when it differs (ACK/CANCEL of an INVITE keep the INVITE's number). */
  readonly cseqMethod?: string;
  readonly contact?: string;
  readonly branch?: string;
  readonly headers?: readonly string[];
  readonly body?: string;
  readonly userAgent?: string;
}

/** A socket that speaks raw SIP to the proxy. */
export interface RawSipSocket {
  readonly host: string;
  readonly port: number;
  readonly transport: 'UDP' | 'TCP';
  /** Every message received so far. */
  readonly received: readonly SipMessage[];
  /** Builds a request with this socket's Via (rport) and sends it. Returns the branch used. */
  send(parts: RequestParts): string;
  /** Sends bytes as they are. */
  sendRaw(text: string): void;
  /** The next message (already received or to come) that `match` accepts; fails after `timeoutMs`. */
  next(match: (message: SipMessage) => boolean, timeoutMs?: number, what?: string): Promise<SipMessage>;
  /**
   * The final answer (>= 200) to the request sent with `branch`, answering 1xx silently; an ACK is sent for
   * a non-2xx final answer (RFC 3261 17.1.1.3) when `ackFor` gives the request's parts.
   */
  finalFor(branch: string, ackFor?: RequestParts, timeoutMs?: number): Promise<SipMessage>;
  /** Answers a request received on this socket (status line, the request's Via/From/To/Call-ID/CSeq). */
  respond(request: SipMessage, status: number, reason: string): void;
  close(): Promise<void>;
}

function buildRequest(parts: RequestParts, transport: 'UDP' | 'TCP', host: string, port: number, branch: string): string {
  const body = parts.body ?? '';
  return [
    `${parts.method} ${parts.uri} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${host}:${port};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: ${parts.from}`,
    `To: ${parts.to}`,
    `Call-ID: ${parts.callId}`,
    `CSeq: ${parts.cseq} ${parts.cseqMethod ?? parts.method}`,
    ...(parts.contact === undefined ? [] : [`Contact: ${parts.contact}`]),
    `User-Agent: ${parts.userAgent ?? 'attack-test'}`,
    ...(parts.headers ?? []),
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Opens a UDP (default) or TCP socket bound to `bindHost` (any 127.x address) toward the proxy. */
export async function openRawSip(options: {
  readonly bindHost: string;
  readonly proxyHost: string;
  readonly proxyPort: number;
  readonly transport?: 'UDP' | 'TCP';
}): Promise<RawSipSocket> {
  const transport = options.transport ?? 'UDP';
  const received: SipMessage[] = [];
  const waiters: { match: (message: SipMessage) => boolean; resolve: (message: SipMessage) => void }[] = [];
  const deliver = (text: string): void => {
    const message = parseSip(text);
    received.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  };

  let write: (text: string) => void;
  let close: () => Promise<void>;
  let port: number;
  if (transport === 'UDP') {
    const socket: UdpSocket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, options.bindHost, () => resolve());
    });
    socket.on('message', (data) => deliver(data.toString()));
    port = socket.address().port;
    write = (text) => socket.send(text, options.proxyPort, options.proxyHost);
    close = () => new Promise((resolve) => socket.close(() => resolve()));
  } else {
    const socket: TcpSocket = await new Promise((resolve, reject) => {
      const connection = connect({ host: options.proxyHost, port: options.proxyPort, localAddress: options.bindHost }, () => resolve(connection));
      connection.once('error', reject);
    });
    let buffer = '';
    socket.on('data', (data) => {
      buffer += data.toString();
      // Split at message ends (headers + Content-Length bytes).
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          return;
        }
        const length = Number(/\r\n(?:Content-Length|l):\s*(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) {
          return;
        }
        deliver(buffer.slice(0, end + 4 + length));
        buffer = buffer.slice(end + 4 + length);
      }
    });
    socket.on('error', () => undefined);
    port = socket.localPort ?? 0;
    write = (text) => socket.write(text);
    close = () => new Promise((resolve) => socket.end(() => resolve()));
  }

  const next: RawSipSocket['next'] = (match, timeoutMs = 5_000, what = 'a SIP message') => {
    const already = received.find(match);
    if (already !== undefined) {
      return Promise.resolve(already);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (message: SipMessage) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiters.push(waiter);
    });
  };

  // A CANCEL shares its INVITE's branch (RFC 3261 9.1): answers are told apart by the CSeq method.
  const methods = new Map<string, string>();
  const self: RawSipSocket = {
    host: options.bindHost,
    port,
    transport,
    received,
    send(parts) {
      const branch = parts.branch ?? `z9hG4bK-${token()}`;
      if (parts.method !== 'CANCEL' && parts.method !== 'ACK') {
        methods.set(branch, parts.method);
      }
      write(buildRequest(parts, transport, options.bindHost, port, branch));
      return branch;
    },
    sendRaw: (text) => write(text),
    next,
    async finalFor(branch, ackFor, timeoutMs = 5_000) {
      const final = await next(
        (message) =>
          message.status !== undefined && message.status >= 200 && header(message, 'via').includes(`branch=${branch}`) &&
          header(message, 'cseq').endsWith(` ${methods.get(branch) ?? ''}`.trimEnd()),
        timeoutMs,
        `the final answer to ${branch}`,
      );
      if (ackFor !== undefined && final.status !== undefined && final.status >= 300) {
        self.send({ ...ackFor, method: 'ACK', cseqMethod: 'ACK', to: header(final, 'to'), branch, body: '', headers: [] });
      }
      return final;
    },
    respond(request, status, reason) {
      const to = header(request, 'to');
      write(
        [
          `SIP/2.0 ${status} ${reason}`,
          ...(request.headers.get('via') ?? []).map((via) => `Via: ${via}`),
          `From: ${header(request, 'from')}`,
          `To: ${/;tag=/.test(to) ? to : `${to};tag=${token()}`}`,
          `Call-ID: ${header(request, 'call-id')}`,
          `CSeq: ${header(request, 'cseq')}`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
      );
    },
    close: () => close(),
  };
  return self;
}

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** An Authorization / Proxy-Authorization value answering a WWW-/Proxy-Authenticate challenge (qop=auth). */
export function digestAnswer(challenge: string, credentials: { method: string; uri: string; username: string; password: string }): string {
  const param = (name: string): string => new RegExp(`${name}="?([^",]+)"?`).exec(challenge)?.[1] ?? '';
  const realm = param('realm');
  const nonce = param('nonce');
  const qop = param('qop');
  const ha1 = md5(`${credentials.username}:${realm}:${credentials.password}`);
  const ha2 = md5(`${credentials.method}:${credentials.uri}`);
  const cnonce = token(4);
  const nc = '00000001';
  const response = qop.includes('auth') ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  return [
    `Digest username="${credentials.username}"`,
    `realm="${realm}"`,
    `nonce="${nonce}"`,
    `uri="${credentials.uri}"`,
    `response="${response}"`,
    'algorithm=MD5',
    ...(qop.includes('auth') ? [`qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
  ].join(', ');
}

/** A plain-RTP SDP offer/answer for signalling-only calls. */
export const plainSdp = (host: string, port: number): string =>
  ['v=0', `o=- 1 1 IN IP4 ${host}`, 's=-', `c=IN IP4 ${host}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', 'a=sendrecv', ''].join('\r\n');
