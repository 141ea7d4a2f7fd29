import { createContext, useContext } from 'react';
import type { CallPlacer } from './call-placer.js';

export const PlacerContext = createContext<CallPlacer | null>(null);

/** The one way to place a call; provided once at the root (main.tsx). */
export function usePlacer(): CallPlacer {
  const placer = useContext(PlacerContext);
  if (placer === null) throw new Error('usePlacer outside <PlacerContext.Provider>');
  return placer;
}
