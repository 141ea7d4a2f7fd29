// Lint with zero warnings. Besides the usual rules it enforces the process boundaries of the house style:
// shared/ is pure TypeScript, renderer/ never reaches into electron/ or manager/, only the SIP adapter's
// modules (renderer/src/sip/) import sip.js, and only the IPC modules touch ipcMain / ipcRenderer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url'];

const restrict = (patterns, paths = []) => ({
  'no-restricted-imports': ['error', { patterns, paths }],
});

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', 'release/', '.run/', 'test-results/', 'playwright-report/', 'artifacts/'],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only (house style 11).' },
      ],
    },
  },
  {
    files: ['*.config.ts', '*.config.js', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(
      [
        { group: ['**/electron/**', '**/renderer/**', '**/manager/**', '**/deploy/**'], message: 'shared/ imports none of the other folders.' },
        { group: ['electron', 'react', 'react-dom', 'sip.js', ...nodeBuiltins], message: 'shared/ is pure TypeScript: no DOM, Node or Electron.' },
      ],
    ),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict([
        { group: ['**/electron/**', '**/manager/**', '**/deploy/**'], message: 'renderer/ talks to the host through the host bridge only.' },
        { group: ['electron', ...nodeBuiltins], message: 'renderer/ runs in a sandboxed page.' },
        { group: ['sip.js', 'sip.js/*'], message: 'Only the SIP adapter (renderer/src/sip/) imports sip.js (house style 7).' },
      ]),
    },
  },
  {
    // The SIP adapter's parts, composed by sip-adapter.ts; everything else in renderer/ gets app events only.
    files: ['renderer/src/sip/*.ts'],
    rules: restrict([
      { group: ['**/electron/**', '**/manager/**', '**/deploy/**'], message: 'renderer/ talks to the host through the host bridge only.' },
      { group: ['electron', ...nodeBuiltins], message: 'renderer/ runs in a sandboxed page.' },
    ]),
  },
  {
    files: ['electron/**/*.ts'],
    rules: restrict(
      [{ group: ['**/renderer/**', '**/manager/**'], message: 'electron/ shares only shared/ with the other processes.' }],
      [{ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message: 'Raw IPC lives only in electron/ipc-handlers.ts and electron/preload.ts.' }],
    ),
  },
  {
    files: ['electron/ipc-handlers.ts', 'electron/preload.ts', 'electron/main.ts'],
    rules: restrict([{ group: ['**/renderer/**', '**/manager/**'], message: 'electron/ shares only shared/ with the other processes.' }]),
  },
  {
    files: ['manager/**/*.ts'],
    rules: restrict([
      { group: ['**/electron/**', '**/renderer/**'], message: 'manager/ shares only shared/ with the app.' },
      { group: ['electron', 'react', 'react-dom', 'sip.js'], message: 'manager/ is a Node service.' },
    ]),
  },
);
