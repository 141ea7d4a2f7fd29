import { createHmac } from 'node:crypto';

/** Time-limited SIP credentials in the format Kamailio's auth_ephemeral module checks. */
export interface EphemeralSipCredentials {
  readonly username: string;
  readonly password: string;
  readonly expiresAtUnix: number;
}

/**
 * auth_ephemeral (username_format 1, the default, sha_algorithm 0 = SHA-1):
 * username = "<expiry unix timestamp>:<extension>@<SIP domain>", password = base64(HMAC-SHA1(secret, username)).
 * Kamailio recomputes the password from the username and its copy of the secret, and refuses the
 * credentials once the timestamp has passed; nothing is stored per user
 * (https://kamailio.org/docs/modules/stable/modules/auth_ephemeral.html, after draft-uberti-rtcweb-turn-rest).
 *
 * The domain is part of what is signed. One Kamailio serves every company's domain with one secret, and the
 * module's autheph_check_from/_to compare both the user and the host of the username with From/To (its
 * check_username); kamailio.cfg route[AUTH] also compares the domain with the request's. So credentials of
 * 1001@b.example are never those of 1001@a.example, although both extensions exist.
 */
export function ephemeralSipCredentials(
  secret: string, extension: string, sipDomain: string, nowMs: number, ttlSeconds: number,
): EphemeralSipCredentials {
  const expiresAtUnix = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAtUnix}:${extension}@${sipDomain.toLowerCase()}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password, expiresAtUnix };
}
