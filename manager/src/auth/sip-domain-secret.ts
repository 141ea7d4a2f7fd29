import { createHmac } from 'node:crypto';

/**
 * The auth_ephemeral secret of one SIP domain, derived from the secret the manager and the proxies share:
 * base64url(HMAC-SHA256(shared secret, "cabine-sip-domain:" + domain)). Credentials carry no domain
 * ("<expiry>:<extension>"), so with one secret for every company, the credentials the manager hands to
 * extension 1001 of company B would also be valid as 1001 of company A (and call on A's wallet). Signing each
 * company's credentials with its domain's own secret, which is the only one its proxy knows, binds them to
 * that domain (docs/sip-server.md, "Company numbers ... one SIP domain"). base64url stays within the
 * characters the Kamailio config accepts for secrets.
 */
export function sipDomainSecret(sharedSecret: string, sipDomain: string): string {
  return createHmac('sha256', sharedSecret).update(`cabine-sip-domain:${sipDomain.toLowerCase()}`).digest('base64url');
}
