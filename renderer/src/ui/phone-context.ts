import { createContext, useContext } from 'react';
import type { Phone } from '../phone.js';

export const PhoneContext = createContext<Phone | null>(null);

/** The phone's stores and commands; provided once at the root. */
export function usePhone(): Phone {
  const phone = useContext(PhoneContext);
  if (phone === null) throw new Error('usePhone outside <PhoneContext.Provider>');
  return phone;
}
