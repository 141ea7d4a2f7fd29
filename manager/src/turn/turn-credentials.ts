import { createHmac } from 'node:crypto';
import type { IceServer } from '../../../shared/api/auth-schemas';

/** The TURN part of the manager's configuration (manager/src/config.ts). */
export interface TurnConfig {
  /** `stun:`/`turn:`/`turns:` URLs handed to the app, in order of preference; empty: no ICE servers. */
  readonly turnUrls: readonly string[];
  /** coturn's `static-auth-secret`; null when no `turn:`/`turns:` URL is configured. */
  readonly turnSharedSecret: string | null;
  readonly turnCredentialTtlSeconds: number;
}

/** Whether a URL needs credentials (TURN does, a plain STUN binding does not). */
export const isTurnUrl = (url: string): boolean => /^turns?:/i.test(url);

/**
 * The ICE servers for one user's peer connections, with time-limited TURN credentials in the TURN REST
 * scheme that coturn checks with `use-auth-secret` (draft-uberti-behave-turn-rest-00 section 2.2, coturn's
 * README.turnserver "--use-auth-secret"): username "<expiry unix time>:<extension>", credential
 * base64(HMAC-SHA1(secret, username)). coturn recomputes the credential from the username and refuses it
 * once the expiry has passed; nothing is stored per user. The same idea as the SIP credentials
 * (auth/sip-credentials.ts), with a secret of its own so that neither server can mint the other's.
 */
export function turnIceServers(config: TurnConfig, extension: string, nowMs: number): IceServer[] {
  if (config.turnUrls.length === 0) return [];
  const stun = config.turnUrls.filter((url) => !isTurnUrl(url));
  const turn = config.turnUrls.filter(isTurnUrl);
  const servers: IceServer[] = stun.length > 0 ? [{ urls: stun }] : [];
  if (turn.length > 0 && config.turnSharedSecret !== null) {
    const username = `${Math.floor(nowMs / 1000) + config.turnCredentialTtlSeconds}:${extension}`;
    const credential = createHmac('sha1', config.turnSharedSecret).update(username).digest('base64');
    servers.push({ urls: turn, username, credential });
  }
  return servers;
}

/** Why the CABINE_TURN_URLS value cannot be used, or null. One rule for the configuration and its tests. */
export function turnUrlsProblem(urls: readonly string[], secret: string | null): string | null {
  // RFC 7064 (stun:/stuns:) and RFC 7065 (turn:/turns: with ?transport=udp|tcp), an IP or host name and a port.
  const shape = /^(stuns?|turns?):(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/i;
  const bad = urls.find((url) => !shape.test(url));
  if (bad !== undefined) return `not a stun:/turn:/turns: URL (turn:host:port?transport=udp): ${JSON.stringify(bad.slice(0, 200))}`;
  if (urls.length > 8) return 'at most 8 URLs';
  if (urls.some(isTurnUrl) && secret === null) return 'turn:/turns: URLs need CABINE_TURN_SHARED_SECRET (coturn\'s static-auth-secret)';
  return null;
}
