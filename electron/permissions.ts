/**
 * Permission handlers (checklist item 5, "Handle session permission requests from remote content":
 * https://www.electronjs.org/docs/latest/tutorial/security#5-handle-session-permission-requests-from-remote-content).
 * Electron grants every permission by default; here the only grant is the microphone, to the app's own
 * origin. No camera, no screen, no notifications from pages (calls notify through main), no geolocation.
 */
import type { Session } from 'electron';
import { isAppOrigin } from './app-origin.js';

/** What a permission request says about itself; a subset of Electron's request details. */
export interface PermissionRequestFacts {
  readonly requestingUrl?: string;
  readonly securityOrigin?: string;
  readonly mediaTypes?: readonly ('video' | 'audio')[];
}

/** What a permission check says about itself; a subset of Electron's check details. */
export interface PermissionCheckFacts {
  readonly requestingOrigin: string;
  readonly securityOrigin?: string;
  readonly embeddingOrigin?: string;
  readonly mediaType?: 'video' | 'audio' | 'unknown';
}

function fromApp(...origins: readonly (string | undefined)[]): boolean {
  const present = origins.filter((origin): origin is string => origin !== undefined && origin !== '');
  return present.length > 0 && present.every(isAppOrigin);
}

/** Grants `getUserMedia({ audio: true })` from the app's pages; refuses everything else. */
export function decidePermissionRequest(permission: string, facts: PermissionRequestFacts): boolean {
  if (permission !== 'media') return false;
  if (!fromApp(facts.requestingUrl, facts.securityOrigin)) return false;
  const types = facts.mediaTypes ?? [];
  return types.length > 0 && types.every((type) => type === 'audio');
}

/**
 * Answers Chromium's synchronous "is this granted?" checks (device labels in `enumerateDevices`,
 * `setSinkId` for the ringer output) with the same rule: audio media, from the app, nothing else.
 */
export function decidePermissionCheck(permission: string, facts: PermissionCheckFacts): boolean {
  if (permission !== 'media') return false;
  if (!fromApp(facts.requestingOrigin, facts.securityOrigin, facts.embeddingOrigin)) return false;
  return facts.mediaType === 'audio';
}

type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** Installs the microphone-only handlers on the app's session. */
export function installAppPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const facts: PermissionRequestFacts = {
      requestingUrl: details.requestingUrl,
      ...('securityOrigin' in details && typeof details.securityOrigin === 'string' ? { securityOrigin: details.securityOrigin } : {}),
      ...('mediaTypes' in details && Array.isArray(details.mediaTypes) ? { mediaTypes: details.mediaTypes } : {}),
    };
    callback(decidePermissionRequest(permission, facts));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    decidePermissionCheck(permission, { requestingOrigin, ...details }),
  );
}

/**
 * Denies everything on a session that shows other people's pages (the manager's add-funds window
 * runs in its own partition): a payment page needs no device and no notification.
 */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** The partition the future add-funds window must use, so its cookies and permissions stay apart. */
export const addFundsPartition = 'persist:add-funds';
