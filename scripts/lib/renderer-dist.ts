import { resolve } from 'node:path';

/**
 * Where the built web softphone is served from: `dist/renderer` (what `npm run build` writes), or the
 * directory in CABINE_RENDERER_DIST, so that several checkouts' work can be built and tested side by side
 * (`vite build --outDir "$CABINE_RENDERER_DIST" --emptyOutDir`).
 */
export const rendererDist = resolve(process.env.CABINE_RENDERER_DIST ?? 'dist/renderer');
