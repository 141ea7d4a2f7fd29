import { useMemo, useSyncExternalStore } from 'react';
import type { Store } from './store.js';

/** Reads a store in a component; re-renders when its state changes. */
export function useStore<S>(store: Store<S>): S {
  return useSyncExternalStore(store.subscribe, store.getState, store.getState);
}

/**
 * Reads one part of a store; re-renders only when that part changes (`Object.is`). For components
 * rendered many times over (a cost cell per history row), which must not re-render for every change of
 * their store.
 */
export function useStoreSelect<S, T>(store: Store<S>, select: (state: S) => T): T {
  const read = (): T => select(store.getState());
  return useSyncExternalStore(store.subscribe, read, read);
}

/** A snapshot reader of some fields: the same object back until one of them changes. */
function fieldsReader<S extends object, K extends keyof S>(store: Store<S>, keys: readonly K[]): () => Pick<S, K> {
  let last: Pick<S, K> | null = null;
  return () => {
    const state = store.getState();
    if (last !== null && keys.every((key) => Object.is(last?.[key], state[key]))) return last;
    const picked = {} as Pick<S, K>;
    for (const key of keys) picked[key] = state[key];
    last = picked;
    return picked;
  };
}

/**
 * Reads some fields of a store; re-renders only when one of them changes (`Object.is` per field). For a
 * panel that must not re-render for the store's other, busier fields (the call gate, the cost line).
 * `keys` must be a constant.
 */
export function useStoreFields<S extends object, K extends keyof S>(store: Store<S>, keys: readonly K[]): Pick<S, K> {
  const read = useMemo(() => fieldsReader(store, keys), [store, keys]);
  return useSyncExternalStore(store.subscribe, read, read);
}
