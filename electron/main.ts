/**
 * The main process: wiring only (house style 2). Each module is named after its job and takes the
 * Electron APIs it needs as parameters; this file is the one place that passes the real ones.
 */
import {
  app,
  BrowserWindow,
  ipcMain,
  nativeImage,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import Store from 'electron-store';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../shared/settings.js';
import { registerAppScheme, serveApp } from './app-protocol.js';
import { readFileIfExists, removeFile, writeFileAtomic } from './atomic-file.js';
import { createAddFundsWindows } from './add-funds-window.js';
import { createContactsStore } from './contacts.js';
import { createHistoryStore } from './history.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { createManagerLink, type ManagerLink } from './manager-link.js';
import { createIncomingCallNotifier, notificationLanguage } from './notifications.js';
import { createOpenExternal } from './open-external.js';
import { addFundsPartition, denyAllPermissions, installAppPermissions } from './permissions.js';
import { forwardResume } from './power.js';
import { createLinkRouter, listenForLinks, registerProtocolClients } from './protocol-links.js';
import { createRendererEvents } from './renderer-events.js';
import { createSipCredentialStore } from './secrets.js';
import { createSettingsRepository, settingsStoreOptions } from './settings.js';
import { acquireSingleInstance } from './single-instance.js';
import { createRegistrationTray } from './tray.js';
import { createMainWindow, focusWindow, guardAllWebContents } from './window.js';

const here = dirname(fileURLToPath(import.meta.url));
const log = (message: string) => console.warn(`[cabine] ${message}`);

function start(): void {
  if (!acquireSingleInstance(app)) return;

  // Everything here must happen before `ready`: the sandbox switch, the scheme's privileges, and the
  // macOS `open-url` listener (a link that launched the app arrives before `ready`).
  app.enableSandbox();
  registerAppScheme(protocol);
  const openExternal = createOpenExternal({ shell, log });
  // The add-funds window lives in its own partition and is locked to the manager's origin instead.
  guardAllWebContents(app, openExternal, (contents) => contents.session === session.fromPartition(addFundsPartition));

  let mainWindow: BrowserWindow | null = null;
  const events = createRendererEvents(() => mainWindow?.webContents ?? null, log);
  const focus = () => focusWindow(mainWindow);
  const links = createLinkRouter({ dial: (number) => events.emit('dial-request', { number }), focusWindow: focus, log });
  listenForLinks(app, links);
  links.handleArgv(process.argv);

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(() => {
      serveApp(protocol, { root: join(app.getAppPath(), 'dist', 'renderer'), readFile: (path) => readFile(path) });
      installAppPermissions(session.defaultSession);
      denyAllPermissions(session.fromPartition(addFundsPartition));

      const userData = app.getPath('userData');
      const settings = createSettingsRepository(new Store<Settings>(settingsStoreOptions as ConstructorParameters<typeof Store<Settings>>[0]), log);
      const secrets = createSipCredentialStore({
        safeStorage,
        platform: process.platform,
        filePath: join(userData, 'sip-credentials.bin'),
        files: { read: readFileIfExists, write: writeFileAtomic, remove: removeFile },
        log,
      });
      const history = createHistoryStore({
        filePath: join(userData, 'call-history.json'),
        files: { read: readFileIfExists, write: writeFileAtomic },
        log,
      });
      const contacts = createContactsStore({ filePath: join(userData, 'contacts.json'), files: { read: readFileIfExists, write: writeFileAtomic }, log });
      const tray = createRegistrationTray({
        Tray,
        createImageFromBuffer: (buffer, options) => nativeImage.createFromBuffer(buffer, options),
        onClick: focus,
      });
      const notifier = createIncomingCallNotifier({
        Notification,
        language: () => notificationLanguage(settings.get().language, app.getLocale()),
        onAnswer: (callId) => events.emit('notification:answer', { callId }),
        focusWindow: focus,
      });

      const addFunds = createAddFundsWindows({
        BrowserWindow,
        allows: (url) => managerLink.allowsAddFundsUrl(url),
        title: () => (notificationLanguage(settings.get().language, app.getLocale()) === 'fr' ? 'Ajouter des fonds' : 'Add funds'),
        onPurchaseCompleted: () => void managerLink.purchaseCompleted(),
        log,
      });
      const managerLink: ManagerLink = createManagerLink({
        fetch: (url, init) => fetch(url, init),
        safeStorage,
        platform: process.platform,
        filePath: join(userData, 'manager-session.bin'),
        files: { read: readFileIfExists, write: writeFileAtomic, remove: removeFile },
        wait: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds).unref()),
        createDecoder: () => new TextDecoder(),
        emit: (update) => events.emit('wallet:change', update),
        openAddFundsWindow: (url, origin) => addFunds.open(url, origin),
        log,
      });
      void managerLink.restore().catch((error: unknown) => log(`manager-link: restore failed: ${String(error)}`));
      app.on('before-quit', () => {
        managerLink.dispose();
        addFunds.close();
      });

      registerIpcHandlers(
        ipcMain,
        {
          ...managerLink.implementation,
          'settings:get': () => settings.get(),
          'settings:update': (patch) => settings.update(patch),
          'sip-credentials:load': () => secrets.load(),
          'sip-credentials:save': (credentials) => secrets.save(credentials),
          'sip-credentials:forget': () => secrets.forget(),
          'history:load': () => history.load(),
          'history:append': (record) => history.append(record),
          'contacts:load': () => contacts.load(),
          'contacts:save': (list) => contacts.save(list),
          'notification:incoming-call': (call) => notifier.show(call),
          'tray:show-registration-state': (state) => tray.show(state),
        },
        log,
      );
      forwardResume(powerMonitor, () => events.emit('power:resume', {}));
      registerProtocolClients(app, { isPackaged: app.isPackaged, execPath: process.execPath, entryScript: process.argv[1] });

      const openWindow = () => {
        const window = createMainWindow({ BrowserWindow, preloadPath: join(here, 'preload.cjs'), log });
        window.webContents.on('did-finish-load', () => events.flush());
        window.on('closed', () => {
          if (mainWindow === window) mainWindow = null;
        });
        mainWindow = window;
      };
      openWindow();
      app.on('activate', () => {
        if (mainWindow === null) openWindow();
      });
    })
    .catch((error: unknown) => {
      log(`startup failed: ${String(error)}`);
      app.exit(1);
    });
}

start();
