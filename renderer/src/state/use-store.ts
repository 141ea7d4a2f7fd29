import { useSyncExternalStore } from 'react';
import type { Store } from './store.js';

/** Reads a store in a component; re-renders when its state changes. */
export function useStore<S>(store: Store<S>): S {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}
