/**
 * Bundles the Electron main process and preload with esbuild (no type checking: `npm run build` runs
 * tsc first, house style 15).
 * - `electron/main.ts` → `dist/electron/main.mjs`: ESM, Node platform. Only `electron` stays external
 *   (the runtime provides it); electron-store and zod are bundled so the packaged app needs no
 *   node_modules (electron-builder.yml excludes them).
 * - `electron/preload.ts` → `dist/electron/preload.cjs`: CommonJS, because sandboxed preloads cannot be
 *   ES modules and may only require a few modules, `electron` among them
 *   (https://www.electronjs.org/docs/latest/tutorial/esm#sandboxed-preload-scripts-cant-use-esm-imports,
 *   https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts).
 */
import { build, type BuildOptions } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'electron');

const common: BuildOptions = {
  bundle: true,
  external: ['electron'],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'info',
  absWorkingDir: root,
};

/** Electron 45 ships Node 22 and Chromium 142. */
export const mainBuildOptions: BuildOptions = {
  ...common,
  entryPoints: [join(root, 'electron', 'main.ts')],
  outfile: join(outdir, 'main.mjs'),
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // Bundled CommonJS dependencies (ajv, under electron-store) call require() for Node built-ins, which an
  // ES module does not have; give them one.
  banner: { js: "import { createRequire as __cabineCreateRequire } from 'node:module'; const require = __cabineCreateRequire(import.meta.url);" },
};

export const preloadBuildOptions: BuildOptions = {
  ...common,
  entryPoints: [join(root, 'electron', 'preload.ts')],
  outfile: join(outdir, 'preload.cjs'),
  // The sandboxed preload has browser globals plus a restricted require; no Node built-ins.
  platform: 'browser',
  target: 'chrome142',
  format: 'cjs',
  minify: true,
};

export async function bundleElectron(): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await Promise.all([build(mainBuildOptions), build(preloadBuildOptions)]);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await bundleElectron();
}
