import Conf from 'conf';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../../shared/settings.js';
import { createSettingsRepository, settingsJsonSchema, settingsStoreOptions, type SettingsBackend } from '../../../electron/settings.js';

// electron-store is a thin Electron wrapper around `conf`, which owns the schema validation; conf runs in
// plain Node, so the JSON schema is checked here by the real validator rather than a double.
const directories: string[] = [];
async function realStore(): Promise<Conf<Settings>> {
  const cwd = await mkdtemp(join(tmpdir(), 'cabine-settings-'));
  directories.push(cwd);
  return new Conf<Settings>({ ...(settingsStoreOptions as object), cwd, projectName: 'cabine-test' });
}
afterEach(async () => {
  for (const dir of directories.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('settings JSON schema (derived from settingsSchema)', () => {
  it('covers every settings key', () => {
    expect(Object.keys(settingsJsonSchema).sort()).toEqual(Object.keys(defaultSettings).sort());
  });

  it.each([
    ['defaultCountry', 'ZZ'],
    ['language', 'klingon'],
    ['ringerDeviceId', 'x'.repeat(300)],
    ['microphoneDeviceId', 'x'.repeat(300)],
    ['speakerDeviceId', 42],
    ['announceBalance', 'yes'],
  ] as const)('the store refuses %s = %j', async (key, value) => {
    const store = await realStore();
    expect(() => store.set(key, value as never)).toThrow(/schema violation/i);
    expect(store.get(key)).toEqual(defaultSettings[key]);
  });

  it('resets a tampered file to the defaults instead of crashing', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'cabine-settings-'));
    directories.push(cwd);
    await writeFile(join(cwd, 'settings.json'), JSON.stringify({ defaultCountry: 'ZZ' }));
    const store = new Conf<Settings>({ ...(settingsStoreOptions as object), cwd, projectName: 'cabine-test' });
    expect(store.get('defaultCountry')).toBe('FR');
  });
});

describe('settings repository', () => {
  it('round-trips a valid patch through the real store', async () => {
    const store = await realStore();
    const settings = createSettingsRepository(store, () => undefined);
    expect(settings.get()).toEqual(defaultSettings);
    expect(settings.update({ language: 'fr', defaultCountry: 'BE' })).toEqual({ ...defaultSettings, language: 'fr', defaultCountry: 'BE' });
    expect(createSettingsRepository(store, () => undefined).get().defaultCountry).toBe('BE');
  });

  it('rejects bad patches before they reach the store', async () => {
    const store = await realStore();
    const settings = createSettingsRepository(store, () => undefined);
    expect(() => settings.update({ language: 'xx' } as never)).toThrow();
    expect(() => settings.update({ password: 'hunter2' } as never)).toThrow();
    expect(settings.get()).toEqual(defaultSettings);
  });

  it('ignores unknown keys and falls back to defaults on invalid stored values', () => {
    const logs: string[] = [];
    const backend: SettingsBackend = { store: { ...defaultSettings, fromTheFuture: 1 }, set: () => undefined };
    expect(createSettingsRepository(backend, (m) => logs.push(m)).get()).toEqual(defaultSettings);
    const broken: SettingsBackend = { store: { defaultCountry: 42 }, set: () => undefined };
    expect(createSettingsRepository(broken, (m) => logs.push(m)).get()).toEqual(defaultSettings);
    expect(logs).toHaveLength(1);
  });
});
