/**
 * Non-secret settings, persisted with electron-store under a JSON schema derived from `settingsSchema`,
 * so the file is checked on load and on every write by the store itself, and again by zod here. The SIP
 * password never goes through this module (see secrets.ts; house style "Anti-patterns").
 */
import { z } from 'zod';
import {
  defaultSettings,
  settingsPatchSchema,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from '../shared/settings.js';

/**
 * electron-store's `schema` option: one JSON Schema per top-level key
 * (https://github.com/sindresorhus/electron-store#schema). Derived from zod so the two cannot drift.
 */
export const settingsJsonSchema = (() => {
  const whole = z.toJSONSchema(settingsSchema, { target: 'draft-2020-12' });
  const properties = whole.properties ?? {};
  return properties as Record<keyof Settings, Record<string, unknown>>;
})();

/** Options for `new Store(...)`; an unreadable or schema-violating file is reset to the defaults. */
export const settingsStoreOptions = {
  name: 'settings',
  schema: settingsJsonSchema,
  defaults: defaultSettings,
  clearInvalidConfig: true,
} as const;

/** The part of an electron-store instance this module uses. */
export interface SettingsBackend {
  readonly store: Record<string, unknown>;
  set(values: Partial<Settings>): void;
}

export interface SettingsRepository {
  get(): Settings;
  /** Applies a validated patch and returns the settings now in force; throws on an invalid patch. */
  update(patch: SettingsPatch): Settings;
}

const settingsKeys = Object.keys(settingsSchema.shape) as (keyof Settings)[];

export function createSettingsRepository(backend: SettingsBackend, log: (message: string) => void): SettingsRepository {
  const get = (): Settings => {
    const stored = backend.store;
    // Known keys only: a key written by a newer version must not make the whole file invalid.
    const known = Object.fromEntries(settingsKeys.filter((key) => key in stored).map((key) => [key, stored[key]]));
    const parsed = settingsSchema.safeParse({ ...defaultSettings, ...known });
    if (parsed.success) return parsed.data;
    log('settings: stored settings are invalid; using the defaults');
    return defaultSettings;
  };
  return {
    get,
    update(patch) {
      const validPatch = settingsPatchSchema.parse(patch);
      const next = settingsSchema.parse({ ...get(), ...validPatch });
      backend.set(next);
      return next;
    },
  };
}
