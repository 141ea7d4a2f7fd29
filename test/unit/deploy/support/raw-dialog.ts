/**
 * An attacker's SIP user agent over {@link RawSipSocket}: it authenticates with real credentials, registers
 * whatever Contact it likes, places calls and then sends in-dialog requests built from the dialog's real
 * identifiers with whatever Request-URI or Route set the test wants (RFC 3261 12.2.1.1: route set = the
 * Record-Route of the 2xx, reversed).
 */
import {
  digestAnswer, header, headerValues, plainSdp, tagOf, token, uriOf, type RawSipSocket, type RequestParts, type SipMessage,
} from './raw-sip.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Sends `parts`; on a 401/407 challenge sends it again once with the digest answer (CSeq + 1). Resolves with
 * the final answer to the last attempt, and the parts it was sent with.
 */
export async function sendAuthenticated(
  socket: RawSipSocket,
  parts: RequestParts,
  credentials: Credentials,
  timeoutMs = 5_000,
): Promise<{ final: SipMessage; parts: RequestParts }> {
  const first = await socket.finalFor(socket.send(parts), parts, timeoutMs);
  if (first.status !== 401 && first.status !== 407) {
    return { final: first, parts };
  }
  const challenge = header(first, first.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
  const authorization = digestAnswer(challenge, { method: parts.method, uri: parts.uri, ...credentials });
  const retry: RequestParts = {
    ...parts,
    cseq: parts.cseq + 1,
    headers: [...(parts.headers ?? []), `${first.status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${authorization}`],
  };
  return { final: await socket.finalFor(socket.send(retry), retry, timeoutMs), parts: retry };
}

/** REGISTER `contact` for `credentials.username` in `domain`. */
export function register(socket: RawSipSocket, domain: string, credentials: Credentials, contact: string, expires = 300) {
  const aor = `<sip:${credentials.username}@${domain}>`;
  return sendAuthenticated(
    socket,
    {
      method: 'REGISTER', uri: `sip:${domain}`, from: `${aor};tag=${token()}`, to: aor, callId: `reg-${token()}`, cseq: 1,
      contact: `${contact};expires=${expires}`, headers: [`Expires: ${expires}`],
    },
    credentials,
  );
}

/** An established (or refused) call of the raw user agent. */
export interface RawCall {
  readonly final: SipMessage;
  readonly callId: string;
  readonly fromTag: string;
  readonly toTag: string;
  /** The 2xx's Contact URI (the remote target). */
  readonly remoteTarget: string;
  /** Route headers for in-dialog requests. */
  readonly routeSet: readonly string[];
  readonly from: string;
  readonly to: string;
  /** Next CSeq to use. */
  cseq: number;
}

/** INVITEs `target` (a user or number of `domain`) and ACKs the 2xx. */
export async function call(socket: RawSipSocket, domain: string, credentials: Credentials, target: string): Promise<RawCall> {
  const from = `<sip:${credentials.username}@${domain}>;tag=${token()}`;
  const parts: RequestParts = {
    method: 'INVITE', uri: `sip:${target}@${domain}`, from, to: `<sip:${target}@${domain}>`, callId: `call-${token()}`, cseq: 1,
    contact: `<sip:${credentials.username}@${socket.host}:${socket.port}>`, body: plainSdp(socket.host, 40_000),
  };
  const { final, parts: sent } = await sendAuthenticated(socket, parts, credentials, 10_000);
  const routeSet = headerValues(final, 'record-route').reverse();
  const established: RawCall = {
    final, callId: sent.callId, fromTag: tagOf(from), toTag: tagOf(header(final, 'to')), remoteTarget: uriOf(header(final, 'contact')),
    routeSet, from, to: header(final, 'to'), cseq: sent.cseq + 1,
  };
  if (final.status !== undefined && final.status < 300) {
    sendInDialog(socket, established, 'ACK', { cseq: sent.cseq });
  }
  return established;
}

/**
 * Sends an in-dialog request of `dialog`; by default to its real target along its real route set, which a
 * test overrides to forge (another Request-URI, an extra Route). Returns the branch.
 */
export function sendInDialog(
  socket: RawSipSocket,
  dialog: RawCall,
  method: string,
  overrides: { uri?: string; routes?: readonly string[]; headers?: readonly string[]; body?: string; cseq?: number } = {},
): string {
  const cseq = overrides.cseq ?? dialog.cseq++;
  return socket.send({
    method, uri: overrides.uri ?? dialog.remoteTarget, from: dialog.from, to: dialog.to, callId: dialog.callId, cseq,
    contact: `<sip:attacker@${socket.host}:${socket.port}>`,
    headers: [...(overrides.routes ?? dialog.routeSet).map((route) => `Route: ${route}`), ...(overrides.headers ?? [])],
    ...(overrides.body === undefined ? {} : { body: overrides.body }),
  });
}
