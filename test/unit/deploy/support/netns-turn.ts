/**
 * A minimal TURN client over UDP for the attack tests (RFC 8656 Allocate and CreatePermission, RFC 8489
 * long-term credentials): it speaks the protocol byte by byte, so it can send what a browser never would (no
 * credentials, a forged or expired one) and read coturn's answer code. Each request is bounded by a timeout.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { stunMagicCookie as magicCookie } from '../../../../deploy/coturn-process.js';

const attribute = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  xorPeerAddress: 0x0012,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
} as const;

const method = { allocate: 0x0003, createPermission: 0x0008 } as const;

/** A decoded STUN answer: success or error class, its code (0 on success), and its attributes. */
export interface TurnAnswer {
  readonly success: boolean;
  readonly code: number;
  readonly reason: string;
  readonly attributes: ReadonlyMap<number, Buffer>;
}

const pad4 = (length: number): number => (length + 3) & ~3;

function encodeAttributes(attributes: readonly (readonly [number, Buffer])[]): Buffer {
  const parts = attributes.map(([type, value]) => {
    const part = Buffer.alloc(4 + pad4(value.length));
    part.writeUInt16BE(type, 0);
    part.writeUInt16BE(value.length, 2);
    value.copy(part, 4);
    return part;
  });
  return Buffer.concat(parts);
}

function xorAddress(address: string, port: number): Buffer {
  const value = Buffer.alloc(8);
  value.writeUInt8(0x01, 1); // IPv4
  value.writeUInt16BE(port ^ (magicCookie >>> 16), 2);
  const octets = address.split('.').map(Number);
  const raw = ((octets[0] ?? 0) << 24 | (octets[1] ?? 0) << 16 | (octets[2] ?? 0) << 8 | (octets[3] ?? 0)) >>> 0;
  value.writeUInt32BE((raw ^ magicCookie) >>> 0, 4);
  return value;
}

/** Decodes an XOR-MAPPED/RELAYED/PEER-ADDRESS value (IPv4). */
export function decodeXorAddress(value: Buffer): { address: string; port: number } {
  const port = value.readUInt16BE(2) ^ (magicCookie >>> 16);
  const raw = (value.readUInt32BE(4) ^ magicCookie) >>> 0;
  return { address: [raw >>> 24, (raw >>> 16) & 255, (raw >>> 8) & 255, raw & 255].join('.'), port };
}

/** Long-term credentials (RFC 8489 section 9.2): key = MD5(username ":" realm ":" password). */
export interface LongTermCredentials {
  readonly username: string;
  readonly password: string;
}

function encodeRequest(
  type: number,
  transactionId: Buffer,
  attributes: readonly (readonly [number, Buffer])[],
  integrityKey?: Buffer,
): Buffer {
  const body = encodeAttributes(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(magicCookie, 4);
  transactionId.copy(header, 8);
  if (integrityKey === undefined) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // MESSAGE-INTEGRITY covers the message up to itself, with the length already counting it (section 14.5).
  header.writeUInt16BE(body.length + 24, 2);
  const hmac = createHmac('sha1', integrityKey).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, encodeAttributes([[attribute.messageIntegrity, hmac]])]);
}

function decode(message: Buffer): { transactionId: Buffer; answer: TurnAnswer } | null {
  if (message.length < 20 || message.readUInt32BE(4) !== magicCookie) return null;
  const type = message.readUInt16BE(0);
  const attributes = new Map<number, Buffer>();
  let offset = 20;
  const end = Math.min(message.length, 20 + message.readUInt16BE(2));
  while (offset + 4 <= end) {
    const attrType = message.readUInt16BE(offset);
    const length = message.readUInt16BE(offset + 2);
    if (!attributes.has(attrType)) attributes.set(attrType, message.subarray(offset + 4, offset + 4 + length));
    offset += 4 + pad4(length);
  }
  const error = attributes.get(attribute.errorCode);
  const code = error === undefined || error.length < 4 ? 0 : (error.readUInt8(2) & 7) * 100 + error.readUInt8(3);
  // Class bits of the type (RFC 8489 section 5): 0x0100 success response, 0x0110 error response.
  const success = (type & 0x0110) === 0x0100;
  return {
    transactionId: message.subarray(8, 20),
    answer: { success, code, reason: error === undefined ? '' : error.subarray(4).toString('utf8'), attributes },
  };
}

/** One TURN client socket talking to one server. */
export interface TurnClient {
  /**
   * Allocate a UDP relay. Without credentials: the bare request (coturn must answer 401). With them: the
   * RFC 8489 dance (401 with realm and nonce, then the request with MESSAGE-INTEGRITY).
   */
  allocate(credentials?: LongTermCredentials, transport?: 'udp' | 'tcp'): Promise<TurnAnswer>;
  /** CreatePermission for a peer, with the credentials of the last successful allocate. */
  createPermission(peerAddress: string): Promise<TurnAnswer>;
  close(): void;
}

/** A TURN client over UDP, or over TCP (STUN messages back to back on the stream, RFC 8489 section 6.2.2). */
export async function turnClient(serverHost: string, serverPort: number, timeoutMs = 2_000, over: 'udp' | 'tcp' = 'udp'): Promise<TurnClient> {
  const pending = new Map<string, (answer: TurnAnswer) => void>();
  const onMessage = (message: Buffer): void => {
    const decoded = decode(message);
    if (decoded === null) return;
    const key = decoded.transactionId.toString('hex');
    pending.get(key)?.(decoded.answer);
    pending.delete(key);
  };
  let send: (message: Buffer) => void;
  let close: () => void;
  if (over === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '0.0.0.0', () => resolve());
    });
    socket.on('message', onMessage);
    send = (message) => socket.send(message, serverPort, serverHost);
    close = () => socket.close();
  } else {
    const stream = connect({ host: serverHost, port: serverPort });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no TCP connection to ${serverHost}:${serverPort} within ${timeoutMs} ms`)), timeoutMs);
      stream.once('error', reject);
      stream.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    let buffered = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 20 && buffered.length >= 20 + buffered.readUInt16BE(2)) {
        const length = 20 + buffered.readUInt16BE(2);
        onMessage(buffered.subarray(0, length));
        buffered = buffered.subarray(length);
      }
    });
    stream.on('error', () => undefined);
    send = (message) => void stream.write(message);
    close = () => stream.destroy();
  }

  const transact = (type: number, attributes: readonly (readonly [number, Buffer])[], integrityKey?: Buffer): Promise<TurnAnswer> =>
    new Promise((resolve, reject) => {
      const transactionId = randomBytes(12);
      const key = transactionId.toString('hex');
      const timer = setTimeout(() => {
        pending.delete(key);
        reject(new Error(`no TURN answer from ${serverHost}:${serverPort} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(key, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      send(encodeRequest(type, transactionId, attributes, integrityKey));
    });

  let session: { username: Buffer; realm: Buffer; nonce: Buffer; key: Buffer } | null = null;

  return {
    async allocate(credentials, transport = 'udp') {
      // REQUESTED-TRANSPORT: the IANA protocol number (17 UDP, 6 TCP for RFC 6062 relays), then RFFU.
      const udp = Buffer.from([transport === 'udp' ? 17 : 6, 0, 0, 0]);
      const bare = await transact(method.allocate, [[attribute.requestedTransport, udp]]);
      if (credentials === undefined || bare.success || bare.code !== 401) return bare;
      const realm = bare.attributes.get(attribute.realm);
      const nonce = bare.attributes.get(attribute.nonce);
      if (realm === undefined || nonce === undefined) return bare;
      const username = Buffer.from(credentials.username, 'utf8');
      const key = createHash('md5').update(`${credentials.username}:${realm.toString('utf8')}:${credentials.password}`).digest();
      const answer = await transact(
        method.allocate,
        [[attribute.requestedTransport, udp], [attribute.username, username], [attribute.realm, realm], [attribute.nonce, nonce]],
        key,
      );
      if (answer.success) session = { username, realm, nonce, key };
      return answer;
    },
    async createPermission(peerAddress) {
      if (session === null) throw new Error('createPermission needs a successful allocate first');
      return transact(
        method.createPermission,
        [[attribute.xorPeerAddress, xorAddress(peerAddress, 9)], [attribute.username, session.username], [attribute.realm, session.realm], [attribute.nonce, session.nonce]],
        session.key,
      );
    },
    close: () => close(),
  };
}

/** The relayed address of a successful Allocate answer. */
export function relayedAddress(answer: TurnAnswer): { address: string; port: number } | null {
  const value = answer.attributes.get(attribute.xorRelayedAddress);
  return value === undefined ? null : decodeXorAddress(value);
}
