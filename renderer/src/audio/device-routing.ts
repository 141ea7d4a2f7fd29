/**
 * Follows the audio devices (media-devices.ts) and routes each role to its device: on every
 * `devicechange` and settings change, the chosen microphone, speaker and ringer are applied when present,
 * the system default otherwise (device-choice.ts), and a chosen device that went away leaves a notice in
 * the settings store. Mid-call changes go through `apply` (the adapter's replaceTrack, the audio
 * controller's setSinkId), never through a renegotiation.
 */
import type { Store } from '../state/store.js';
import { reduceSettings, type SettingsState } from '../state/settings-store.js';
import { audioDeviceLists, routedDevices, vanishedDevices, type AudioDeviceLists, type RoutedDevices } from './device-choice.js';
import type { MediaDevicesPort } from './media-devices.js';

export interface DeviceRouting {
  /** Lists the devices again (after the microphone permission, or when the settings open). */
  refresh(): Promise<void>;
  /** The devices in force now. */
  routed(): RoutedDevices;
  dispose(): void;
}

export function createDeviceRouting(port: MediaDevicesPort, settings: Store<SettingsState>, apply: (routed: RoutedDevices) => void): DeviceRouting {
  let lists: AudioDeviceLists | null = null;
  let applied = '';
  // Enumerations may overlap (two devicechange events in a row): only the latest one's answer counts.
  let generation = 0;

  const routed = (): RoutedDevices => routedDevices(settings.getState().settings, lists);
  const applyIfChanged = (): void => {
    const now = routed();
    const key = JSON.stringify(now);
    if (key === applied) return;
    applied = key;
    apply(now);
  };

  const refresh = async (): Promise<void> => {
    generation += 1;
    const mine = generation;
    const infos = await port.enumerate().catch(() => []);
    if (mine !== generation) return;
    const next = audioDeviceLists(infos);
    const fallbacks = lists === null ? [] : vanishedDevices(settings.getState().settings, lists, next);
    lists = next;
    settings.update((state) => reduceSettings(state, { type: 'devicesChanged', inputs: next.inputs, outputs: next.outputs }));
    if (fallbacks.length > 0) settings.update((state) => reduceSettings(state, { type: 'devicesFellBack', fallbacks }));
    applyIfChanged();
  };

  const unsubscribers = [port.onChange(() => void refresh()), settings.subscribe(applyIfChanged)];
  return {
    refresh,
    routed,
    dispose() {
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
}
