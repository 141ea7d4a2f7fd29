// Doubles for the Electron APIs the modules receive as parameters: the OS seam, and nothing else.
import { EventEmitter } from 'node:events';

/** Casts a structural fake to the Electron type a module expects. */
export function asElectron<T>(fake: unknown): T {
  return fake as T;
}

/** A web contents that records its window-open handler and emits navigation events. */
export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

/** An Electron-style event whose `preventDefault` is observable. */
export function fakeEvent(extra: Record<string, unknown> = {}): { defaultPrevented: boolean; preventDefault(): void } & Record<string, unknown> {
  const event = {
    ...extra,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}
