import { defaultSettings, type Settings } from '../../../shared/settings.js';
import { chosenDevice, type AudioDevice, type DeviceFallback } from '../audio/device-choice.js';

/** The settings feature: the host's copy is the truth; this mirrors it after each load or update. */
export interface SettingsState {
  readonly settings: Settings;
  /** Audio inputs and outputs present (labels may be empty until the microphone permission). */
  readonly inputs: readonly AudioDevice[];
  readonly outputs: readonly AudioDevice[];
  /** Chosen devices that went away, the system default used instead (audio/device-routing.ts). */
  readonly fallbacks: readonly DeviceFallback[];
}

export const initialSettingsState: SettingsState = { settings: defaultSettings, inputs: [], outputs: [], fallbacks: [] };

export type SettingsEvent =
  | { readonly type: 'settingsChanged'; readonly settings: Settings }
  | { readonly type: 'devicesChanged'; readonly inputs: SettingsState['inputs']; readonly outputs: SettingsState['outputs'] }
  | { readonly type: 'devicesFellBack'; readonly fallbacks: readonly DeviceFallback[] }
  | { readonly type: 'fallbacksDismissed' };

export function reduceSettings(state: SettingsState, event: SettingsEvent): SettingsState {
  switch (event.type) {
    case 'settingsChanged': {
      // A fallback the user answered by choosing another device (or the default) is no longer news.
      const settings = event.settings;
      const stillChosen = state.fallbacks.filter((f) => chosenDevice(settings, f.role) === f.deviceId);
      return { ...state, settings, fallbacks: stillChosen };
    }
    case 'devicesChanged':
      return { ...state, inputs: event.inputs, outputs: event.outputs };
    case 'devicesFellBack': {
      // One notice per role: the latest.
      const roles = new Set(event.fallbacks.map((f) => f.role));
      return { ...state, fallbacks: [...state.fallbacks.filter((f) => !roles.has(f.role)), ...event.fallbacks] };
    }
    case 'fallbacksDismissed':
      return { ...state, fallbacks: [] };
  }
}
