/**
 * Bundles the Electron main process and preload with esbuild (no type checking: `npm run build` runs
 * tsc first, house style 15).
 * - `electron/main.ts` → `dist/electron/main.mjs`: ESM, Node platform. Only `electron` stays external
 *   (it is provided by the runtime); electron-store and zod are bundled so the packaged app needs no
 *   node_modules.
 * - `electron/preload.ts` → `dist/electron/preload.cjs`: CommonJS, because sandboxed preloads cannot be
 *   ES modules (https://www.electronjs.org/docs/latest/tutorial/esm#sandboxed-preload-scripts-cant-use-esm-imports).
 */
import { build, type BuildOptions } from 'esbuild';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'electron');
/** The Electron 45 runtime: Chromium 142, Node 22. */
const nodeTarget = 'node22';

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: nodeTarget,
  external: ['electron'],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'info',
  absWorkingDir: root,
};

export async function bundleElectron(): Promise<void> {
  await rm(outdir, { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(root, 'electron', 'main.ts')],
      outfile: join(outdir, 'main.mjs'),
      format: 'esm',
      // Bundled CommonJS dependencies (ajv under electron-store) call require() for Node built-ins, which
      // an ES module does not have; give them one.
      banner: { js: "import { createRequire as __cabineCreateRequire } from 'node:module'; const require = __cabineCreateRequire(import.meta.url);" },
    }),
    build({
      ...common,
      entryPoints: [join(root, 'electron', 'preload.ts')],
      outfile: join(outdir, 'preload.cjs'),
      format: 'cjs',
      // A sandboxed preload gets a limited require (electron, events, timers, url); everything else must be bundled.
      platform: 'browser',
      target: 'chrome142',
    }),
  ]);
}

await bundleElectron();
