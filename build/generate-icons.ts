// Writes build/icon.png, the placeholder app icon electron-builder converts for every platform (a
// 512 px blue disc, drawn with the same PNG encoder as the tray). Replace with designed artwork when
// there is some. Run: npx tsx build/generate-icons.ts
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { circlePng } from '../electron/tray-icon.js';

const here = dirname(fileURLToPath(import.meta.url));
await writeFile(join(here, 'icon.png'), circlePng(512, [31, 111, 235]));
