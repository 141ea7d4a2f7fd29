import { createContext, useContext } from 'react';
import type { Wallet } from './wallet-controller.js';

export const WalletContext = createContext<Wallet | null>(null);

/** The wallet's store and commands; provided once at the root (main.tsx). */
export function useWallet(): Wallet {
  const wallet = useContext(WalletContext);
  if (wallet === null) throw new Error('useWallet outside <WalletContext.Provider>');
  return wallet;
}
