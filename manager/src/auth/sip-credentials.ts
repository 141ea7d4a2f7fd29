import { createHmac } from 'node:crypto';

/** Time-limited SIP credentials in the format Kamailio's auth_ephemeral module checks. */
export interface EphemeralSipCredentials {
  readonly username: string;
  readonly password: string;
  readonly expiresAtUnix: number;
}

/**
 * auth_ephemeral (username_format 1, the default, sha_algorithm 0 = SHA-1):
 * username = "<expiry unix timestamp>:<user>", password = base64(HMAC-SHA1(secret, username)).
 * Kamailio recomputes the password from the username and its copy of the secret, and refuses the
 * credentials once the timestamp has passed; nothing is stored per user
 * (https://kamailio.org/docs/modules/stable/modules/auth_ephemeral.html, after draft-uberti-rtcweb-turn-rest).
 */
export function ephemeralSipCredentials(secret: string, extension: string, nowMs: number, ttlSeconds: number): EphemeralSipCredentials {
  const expiresAtUnix = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAtUnix}:${extension}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password, expiresAtUnix };
}
