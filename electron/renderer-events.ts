/**
 * Sends main→renderer events of `eventContract`, parsed before they leave. Events sent while the page is
 * still loading are queued and flushed once it has loaded, so a tel: link that launched the app is not
 * lost (the preload keeps them until the renderer subscribes).
 */
import type { WebContents } from 'electron';
import { eventContract, type EventChannel, type EventPayload } from '../shared/ipc/ipc-contract.js';

type Target = Pick<WebContents, 'send' | 'isLoading' | 'isDestroyed'>;

/** Sends one event to the renderer. */
export type EmitEvent = <C extends EventChannel>(channel: C, payload: EventPayload<C>) => void;

export interface RendererEvents {
  readonly emit: EmitEvent;
  /** Sends what was queued while the page was loading; call on `did-finish-load`. */
  readonly flush: () => void;
}

/** Events kept while the page loads; beyond this the oldest are dropped. */
export const maxQueuedEvents = 16;

export function createRendererEvents(getTarget: () => Target | null, log: (message: string) => void): RendererEvents {
  const queue: { channel: EventChannel; payload: unknown }[] = [];
  const ready = (target: Target | null): target is Target => target !== null && !target.isDestroyed() && !target.isLoading();

  const emit: EmitEvent = (channel, payload) => {
    const parsed = eventContract[channel].safeParse(payload);
    if (!parsed.success) {
      log(`renderer-events: dropped an invalid ${channel} event`);
      return;
    }
    const target = getTarget();
    if (ready(target)) {
      target.send(channel, parsed.data);
      return;
    }
    queue.push({ channel, payload: parsed.data });
    if (queue.length > maxQueuedEvents) queue.shift();
  };

  const flush = () => {
    const target = getTarget();
    if (!ready(target)) return;
    for (const { channel, payload } of queue.splice(0)) target.send(channel, payload);
  };

  return { emit, flush };
}
