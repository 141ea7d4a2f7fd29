/**
 * Defaults of the local stack. Every port can be overridden by the environment variable named beside it;
 * the numbers sit in the 15xxx range, away from SIP's 5060, web servers and databases.
 */
export const defaultPorts = {
  /** Kamailio SIP over WebSocket (ws://127.0.0.1:15080): CABINE_SIP_WS_PORT */
  sipWs: 15080,
  /** Kamailio SIP over secure WebSocket, when enabled: CABINE_SIP_WSS_PORT */
  sipWss: 15443,
  /** Kamailio SIP over UDP, for desk phones and sipp: CABINE_SIP_UDP_PORT */
  sipUdp: 15060,
  /** The web softphone (renderer served over HTTP): CABINE_WEB_PORT */
  web: 15173,
  /** The manager service: CABINE_MANAGER_PORT */
  manager: 15000,
} as const;

/** The SIP domain of the local stack (a reserved test TLD, RFC 2606). */
export const defaultSipDomain = 'cabine.test';

/** A demo SIP account shipped with the local stack, for `npm start` and the tests. */
export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly displayName: string;
}

/** Demo users of the local stack; documented in the README. Never used outside the local stack. */
export const demoUsers: readonly DemoUser[] = [
  { username: '1001', password: 'cabine-1001', displayName: 'Alice Martin' },
  { username: '1002', password: 'cabine-1002', displayName: 'Bruno Petit' },
  { username: '1003', password: 'cabine-1003', displayName: 'Chloé Durand' },
];
