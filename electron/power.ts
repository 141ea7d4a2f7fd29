/**
 * After sleep the SIP WebSocket is usually dead without having noticed; telling the renderer on
 * `resume` lets it re-register at once instead of waiting for a keep-alive timeout
 * (https://www.electronjs.org/docs/latest/api/power-monitor#event-resume).
 */
import type { PowerMonitor } from 'electron';

export function forwardResume(powerMonitor: Pick<PowerMonitor, 'on'>, onResume: () => void): void {
  powerMonitor.on('resume', () => onResume());
}
