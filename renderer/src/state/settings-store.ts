import { defaultSettings, type Settings } from '../../../shared/settings.js';

/** The settings feature: the host's copy is the truth; this mirrors it after each load or update. */
export interface SettingsState {
  readonly settings: Settings;
  /** Output devices the ringtone can use (labels may be empty until the microphone permission). */
  readonly outputs: readonly { readonly deviceId: string; readonly label: string }[];
}

export const initialSettingsState: SettingsState = { settings: defaultSettings, outputs: [] };

export type SettingsEvent =
  | { readonly type: 'settingsChanged'; readonly settings: Settings }
  | { readonly type: 'outputsChanged'; readonly outputs: SettingsState['outputs'] };

export function reduceSettings(state: SettingsState, event: SettingsEvent): SettingsState {
  switch (event.type) {
    case 'settingsChanged':
      return { ...state, settings: event.settings };
    case 'outputsChanged':
      return { ...state, outputs: event.outputs };
  }
}
