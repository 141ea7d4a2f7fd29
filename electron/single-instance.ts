/**
 * One Cabine per user session: a second launch (often by a tel: link) hands its argv to the first through
 * `second-instance` and quits (https://www.electronjs.org/docs/latest/api/app#apprequestsingleinstancelockadditionaldata).
 * Two instances would also register the same SIP account twice.
 */
import type { App } from 'electron';

/** True when this process is the one instance; otherwise it has asked itself to quit. */
export function acquireSingleInstance(app: Pick<App, 'requestSingleInstanceLock' | 'quit'>): boolean {
  if (app.requestSingleInstanceLock()) return true;
  app.quit();
  return false;
}
