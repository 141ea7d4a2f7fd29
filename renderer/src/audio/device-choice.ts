/**
 * Which device each audio role uses: pure functions from the settings and the devices present
 * (media-devices.ts) to the device in force, and to the notices owed when a chosen device went away.
 * A choice is kept when its device disappears (plugged back in, it is used again); meanwhile the system
 * default plays, and the user is told once.
 */
import type { Settings } from '../../../shared/settings.js';
import type { AudioDeviceInfo } from './media-devices.js';
import { systemDefaultDevice } from './microphone-constraints.js';

export interface AudioDevice {
  readonly deviceId: string;
  readonly label: string;
}

export interface AudioDeviceLists {
  readonly inputs: readonly AudioDevice[];
  readonly outputs: readonly AudioDevice[];
}

export type DeviceRole = 'microphone' | 'speaker' | 'ringer';
export const deviceRoles: readonly DeviceRole[] = ['microphone', 'speaker', 'ringer'];

/** A chosen device that went away; `label` is its last known name ('' when it never had one). */
export interface DeviceFallback {
  readonly role: DeviceRole;
  readonly deviceId: string;
  readonly label: string;
}

export type RoutedDevices = Readonly<Record<DeviceRole, string>>;

/**
 * The selectable devices: the system default is offered separately (as 'default'), and entries without an
 * id (a page without the microphone permission sees one such per kind) cannot be chosen.
 */
export function audioDeviceLists(infos: readonly AudioDeviceInfo[]): AudioDeviceLists {
  const pick = (kind: AudioDeviceInfo['kind']): AudioDevice[] =>
    infos.filter((d) => d.kind === kind && d.deviceId !== '' && d.deviceId !== systemDefaultDevice).map((d) => ({ deviceId: d.deviceId, label: d.label }));
  return { inputs: pick('audioinput'), outputs: pick('audiooutput') };
}

export function chosenDevice(settings: Settings, role: DeviceRole): string {
  switch (role) {
    case 'microphone':
      return settings.microphoneDeviceId;
    case 'speaker':
      return settings.speakerDeviceId;
    case 'ringer':
      return settings.ringerDeviceId;
  }
}

const listFor = (lists: AudioDeviceLists, role: DeviceRole): readonly AudioDevice[] => (role === 'microphone' ? lists.inputs : lists.outputs);

/**
 * The device each role plays on or records from: the chosen one when it is present, else the system
 * default. `lists` null means the devices are not known yet (not enumerated): the choice stands.
 */
export function routedDevices(settings: Settings, lists: AudioDeviceLists | null): RoutedDevices {
  const routed = (role: DeviceRole): string => {
    const chosen = chosenDevice(settings, role);
    if (chosen === systemDefaultDevice || lists === null) return chosen;
    return listFor(lists, role).some((d) => d.deviceId === chosen) ? chosen : systemDefaultDevice;
  };
  return { microphone: routed('microphone'), speaker: routed('speaker'), ringer: routed('ringer') };
}

/**
 * The chosen devices present in `before` and gone from `after`: each one is a notice. A device only ever
 * absent (chosen on another computer, say) gives none: nothing changed for the user.
 */
export function vanishedDevices(settings: Settings, before: AudioDeviceLists, after: AudioDeviceLists): DeviceFallback[] {
  const gone: DeviceFallback[] = [];
  for (const role of deviceRoles) {
    const chosen = chosenDevice(settings, role);
    if (chosen === systemDefaultDevice) continue;
    const was = listFor(before, role).find((d) => d.deviceId === chosen);
    if (was !== undefined && !listFor(after, role).some((d) => d.deviceId === chosen)) gone.push({ role, deviceId: chosen, label: was.label });
  }
  return gone;
}
