/**
 * Call transfer (issue 12 §3; docs/call-flow.md "Transfers"): REFER sent (blind, RFC 3515; attended with
 * Replaces, RFC 3891 / RFC 5589), followed, and an INVITE that replaces one of our calls.
 *
 *   transferor   established ──Transfer──► REFER ──202──► BYE (the call is handed over)
 *                                                  └─4xx─► the call goes on (commandFailed)
 *   transferee   REFER (with the proxy's token) ──► 202 ──► INVITE target (Referred-By, Replaces)
 *                                                           └─established──► BYE the transferor
 *   target       INVITE with Replaces naming our live call with the transferor ──► answered at once,
 *                                                           └─established──► BYE the replaced call
 *
 * The proxy binds a transfer to the person who asked for it (deploy/kamailio/kamailio.cfg
 * route[TRANSFER_REFER]): it relays a REFER only inside a call, from one of its parties, and marks its
 * Refer-To with a token (`;cabine-xfer=`) that makes the transferee's INVITE the transferor's call (barring,
 * charging). So the app follows a REFER only when it carries that mark, on a call in conversation, toward
 * our own SIP domain: any other REFER (from the network directly, or a forged one) is still refused as a
 * request the user did not ask for (unsolicited-requests.ts). A forged mark gets the INVITE refused by the
 * proxy. No implicit subscription (RFC 4488 `Refer-Sub: false`): the transferor hangs up on the 202, as
 * most desk phones do for a blind transfer; NOTIFYs are not sent.
 */
import { SessionState, UserAgent, type Invitation, type Referral, type URI } from 'sip.js';
import type { DialTarget } from '../../../shared/dial/dial-string.js';
import { sipUserPart } from '../../../shared/dial/dial-string.js';
import { commandFailed } from './adapter-context.js';
import { isLive, type CallEntry, type CallSessions } from './call-entry.js';
import { answerCall, hangupCall } from './call-sessions.js';
import { unsolicitedInDialogRequests } from './unsolicited-requests.js';

/** The URI parameter the proxy adds to a Refer-To it relayed (route[TRANSFER_REFER]). */
export const transferTokenParam = 'cabine-xfer';

/** RFC 4488: no implicit subscription to the transfer's progress. */
const noReferSubscription = 'Refer-Sub: false';

/** A transfer the app will follow: whom to call, and the headers its INVITE carries. */
export interface ReferredCall {
  readonly uri: URI;
  readonly target: DialTarget;
  readonly extraHeaders: readonly string[];
}

/** The dial target a Refer-To user names: an E.164 number, a short code or an extension. */
function targetOf(user: string): DialTarget | null {
  if (/^\+\d{2,15}$/.test(user)) return { kind: 'phone', e164: user, country: undefined, display: user };
  if (/^\d{2,8}$/.test(user)) return { kind: 'extension', extension: user };
  return null;
}

/**
 * Whether this REFER is a transfer the proxy relayed for the other party of `entry`, toward our own
 * domain; what to call then. Null for anything else (which is refused).
 */
export function referredCall(entry: CallEntry, referral: Referral, domain: string): ReferredCall | null {
  if (entry.state !== 'established') return null;
  let referTo: URI;
  try {
    referTo = referral.referTo.uri;
  } catch {
    return null;
  }
  const token = referTo.getParam(transferTokenParam);
  if (typeof token !== 'string' || !/^[0-9a-f]{32}$/.test(token)) return null;
  if (referTo.scheme !== 'sip' || referTo.host !== domain || referTo.user === undefined) return null;
  const target = targetOf(referTo.user);
  if (target === null) return null;
  const uri = referTo.clone();
  uri.clearHeaders();
  const extraHeaders: string[] = [];
  const referredBy = referral.referredBy;
  if (referredBy !== undefined && /^<sip:[0-9+]{2,20}@[^<>\s]+>$/.test(referredBy.trim())) extraHeaders.push(`Referred-By: ${referredBy.trim()}`);
  const replaces = referTo.getHeader('replaces')?.[0];
  if (replaces !== undefined) {
    const value = decodeURIComponent(replaces);
    if (!/^[\x21-\x7e]{1,300}$/.test(value) || target.kind !== 'extension') return null;
    extraHeaders.push(`Replaces: ${value}`);
  }
  return { uri, target, extraHeaders };
}

/**
 * The transferee's side: accept a REFER `referredCall` allows (202), place the call it names with
 * `place`, and end `entry` once that call is in conversation. Anything else is refused (603).
 */
export function followReferral(
  sessions: CallSessions,
  entry: CallEntry,
  referral: Referral,
  place: (call: ReferredCall) => string | null,
): void {
  const domain = entry.session.userAgent.configuration.uri.host;
  const call = referredCall(entry, referral, domain);
  if (call === null) {
    unsolicitedInDialogRequests.onRefer(referral);
    return;
  }
  void referral.accept({ statusCode: 202, extraHeaders: [noReferSubscription] }).catch(() => undefined);
  const id = place(call);
  const next = id === null ? undefined : sessions.calls.get(id);
  if (next === undefined) return;
  endWhenEstablished(sessions, next, entry);
}

/** Hangs up `previous` once `next` is in conversation (it took over); nothing if `next` fails. */
function endWhenEstablished(sessions: CallSessions, next: CallEntry, previous: CallEntry): void {
  const listener = (state: SessionState): void => {
    if (state === SessionState.Established) {
      next.session.stateChange.removeListener(listener);
      if (isLive(sessions, previous)) hangupCall(sessions, previous);
    } else if (state === SessionState.Terminated) {
      next.session.stateChange.removeListener(listener);
    }
  };
  next.session.stateChange.addListener(listener);
}

/** A REFER's Refer-To in name-addr form (RFC 3261 20: a URI with `?` or `;` must be in angle brackets). */
function nameAddr(uri: URI): URI {
  const text = `<${uri.toString()}>`;
  uri.toString = () => text;
  return uri;
}

/** Sends the REFER; the call ends on 202, goes on otherwise (commandFailed tells the app why). */
function sendRefer(sessions: CallSessions, entry: CallEntry, referTo: URI): void {
  const { context } = sessions;
  const fail = (reason: string): void => commandFailed(context, entry.info.id, 'transfer', new Error(reason));
  if (entry.state !== 'established' || entry.session.state !== SessionState.Established) {
    fail('Only a call in conversation can be transferred.');
    return;
  }
  entry.session
    .refer(nameAddr(referTo), {
      requestDelegate: {
        onAccept() {
          if (isLive(sessions, entry)) hangupCall(sessions, entry);
        },
        onReject(response) {
          fail(`The transfer was refused (${response.message.statusCode ?? 0} ${response.message.reasonPhrase ?? ''}).`);
        },
      },
      requestOptions: { extraHeaders: [noReferSubscription] },
    })
    .catch((error: unknown) => commandFailed(context, entry.info.id, 'transfer', error));
}

/** Blind transfer: asks the other party of `entry` to call `target` instead (RFC 5589 6). */
export function blindTransfer(sessions: CallSessions, entry: CallEntry, target: DialTarget): void {
  const domain = entry.session.userAgent.configuration.uri.host;
  let user: string;
  try {
    user = sipUserPart(target);
  } catch (error) {
    commandFailed(sessions.context, entry.info.id, 'transfer', error);
    return;
  }
  const uri = UserAgent.makeURI(`sip:${encodeURIComponent(user).replace(/%2B/g, '+')}@${domain}`);
  if (uri === undefined) {
    commandFailed(sessions.context, entry.info.id, 'transfer', new Error('This number cannot be transferred to.'));
    return;
  }
  sendRefer(sessions, entry, uri);
}

/**
 * Attended transfer: the other party of `entry` calls the person of `consult` (our consultation call),
 * replacing that call (RFC 5589 7: Refer-To names the target's address of record with Replaces).
 */
export function attendedTransfer(sessions: CallSessions, entry: CallEntry, consult: CallEntry): void {
  const dialog = consult.session.dialog;
  const domain = entry.session.userAgent.configuration.uri.host;
  if (dialog === undefined || consult.state !== 'established') {
    commandFailed(sessions.context, entry.info.id, 'transfer', new Error('The consultation call is not in conversation.'));
    return;
  }
  const replaces = encodeURIComponent(`${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`);
  const uri = UserAgent.makeURI(`sip:${encodeURIComponent(consult.info.remoteUser)}@${domain}?Replaces=${replaces}`);
  if (uri === undefined) {
    commandFailed(sessions.context, entry.info.id, 'transfer', new Error('The consultation call cannot be transferred to.'));
    return;
  }
  sendRefer(sessions, entry, uri);
}

/** What an incoming INVITE with Replaces (RFC 3891) means here. */
export type Replacement =
  /** No Replaces header: an ordinary call. */
  | { readonly kind: 'none' }
  /** It replaces this live call of ours, with the person who transferred it: answer it, end that one. */
  | { readonly kind: 'replaces'; readonly entry: CallEntry }
  /** It names no call of ours in conversation (RFC 3891 3: 481), or not the transferor's (403). */
  | { readonly kind: 'refused'; readonly statusCode: 403 | 481 };

export function replacementOf(sessions: CallSessions, invitation: Invitation): Replacement {
  const header = invitation.request.getHeader('replaces');
  if (header === undefined) return { kind: 'none' };
  const [callId, ...params] = header.split(';').map((part) => part.trim());
  const param = (name: string): string | undefined => params.find((p) => p.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1);
  const toTag = param('to-tag');
  const fromTag = param('from-tag');
  for (const entry of sessions.calls.values()) {
    const dialog = entry.session.dialog;
    if (dialog === undefined || entry.state !== 'established') continue;
    if (dialog.callId !== callId || dialog.localTag !== toTag || dialog.remoteTag !== fromTag) continue;
    // The proxy wrote Referred-By from the transfer it bound: it must be the person on the replaced call.
    const referredBy = /<sip:([^@>]+)@/.exec(invitation.request.getHeader('referred-by') ?? '')?.[1];
    if (referredBy !== entry.info.remoteUser) return { kind: 'refused', statusCode: 403 };
    return { kind: 'replaces', entry };
  }
  return { kind: 'refused', statusCode: 481 };
}

/**
 * The call `invitation` started (receiveCall) replaces `replaced`: answered now, and once it is in
 * conversation the replaced call ends (RFC 3891 3: the replaced dialog is terminated with a BYE).
 */
export function answerReplacing(sessions: CallSessions, invitation: Invitation, replaced: CallEntry): void {
  const next = [...sessions.calls.values()].find((entry) => entry.session === invitation);
  if (next === undefined) return;
  answerCall(sessions, next);
  endWhenEstablished(sessions, next, replaced);
}
