/**
 * Requests the app never asked for, refused (docs/call-flow.md "Requests the app refuses", issue 8).
 * Spread into each call's SessionDelegate (call-sessions.ts) and the UserAgent's delegate (sip-adapter.ts).
 */
import type { Core, Info, Message, Notification, Referral, SessionDelegate, UserAgentDelegate } from 'sip.js';

/**
 * The methods we act on. A 405 must list them (RFC 3261 8.2.1); SIP.js's own list (AllowedMethods) names
 * REFER, MESSAGE, NOTIFY... which the app refuses.
 */
export const allowHeader = 'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS';

/** We never subscribe (no REFER, no SUBSCRIBE sent): no subscription matches a NOTIFY (RFC 6665 4.1.3). */
function refuseNotify(notification: Notification): void {
  void notification.reject({ statusCode: 481, reasonPhrase: 'Subscription Does Not Exist' }).catch(() => undefined);
}

/** No instant messaging: MESSAGE is not a method we act on. */
function refuseMessage(message: Message): void {
  void message.reject({ statusCode: 405, extraHeaders: [allowHeader] }).catch(() => undefined);
}

/**
 * What a call does with in-dialog requests the app never asked for: refuse them, show nothing, change
 * nothing. Without a delegate SIP.js 0.21 answers a REFER 202 and dials its Refer-To from our account
 * (Session.onReferRequest): the other party could make this phone call any number, past the paid-call
 * gate, invisibly (issue 8). Transfer will come as its own feature, asked for by the user and checked by
 * the proxy. INFO, MESSAGE and NOTIFY would be answered 200 and dropped; refusing them says so honestly.
 * Re-INVITEs (hold, ICE restart, target refresh) stay accepted: they are part of a call, and where media
 * may go is the proxy's and rtpengine's to enforce. See docs/call-flow.md "Requests the app refuses".
 */
export const unsolicitedInDialogRequests = {
  onRefer(referral: Referral): void {
    // RFC 3515 2.4.2: a REFER the recipient will not act on is refused; 603 Decline, the user's answer.
    void referral.reject({ statusCode: 603, reasonPhrase: 'Decline' }).catch(() => undefined);
  },
  onNotify: refuseNotify,
  onMessage: refuseMessage,
  onInfo(info: Info): void {
    // RFC 6086 4.2.2: an INFO for a package we did not announce gets 469 with our (empty) Recv-Info.
    void info.reject({ statusCode: 469, extraHeaders: ['Recv-Info:'] }).catch(() => undefined);
  },
} satisfies Partial<SessionDelegate>;

/** The same policy outside a dialog (SIP.js's defaults, made explicit): only INVITE starts anything. */
export const unsolicitedOutOfDialogRequests = {
  onMessage: refuseMessage,
  onNotify: refuseNotify,
  onReferRequest(request: Core.IncomingReferRequest): void {
    request.reject({ statusCode: 405, extraHeaders: [allowHeader] });
  },
  onSubscribeRequest(request: Core.IncomingSubscribeRequest): void {
    request.reject({ statusCode: 405, extraHeaders: [allowHeader] });
  },
  onRegisterRequest(request: Core.IncomingRegisterRequest): void {
    request.reject({ statusCode: 405, extraHeaders: [allowHeader] });
  },
} satisfies Partial<UserAgentDelegate>;
