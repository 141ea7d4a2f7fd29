/**
 * The tray icon: its colour and tooltip follow the SIP registration state, and a click brings the window
 * back (https://www.electronjs.org/docs/latest/api/tray).
 */
import type { NativeImage, Tray } from 'electron';
import { assertNever } from '../shared/assert-never.js';
import type { RegistrationIndicator } from '../shared/host/host-bridge.js';
import { circlePng, registrationColours } from './tray-icon.js';

type TrayLike = Pick<Tray, 'setImage' | 'setToolTip' | 'on' | 'destroy'>;

export interface TrayDeps {
  readonly Tray: new (image: NativeImage) => TrayLike;
  readonly createImageFromBuffer: (buffer: Buffer, options: { scaleFactor: number }) => NativeImage;
  readonly onClick: () => void;
}

export interface RegistrationTray {
  show(state: RegistrationIndicator): void;
  destroy(): void;
}

/** The tooltip for a state; English only, like the OS menus of the tray. */
export function registrationTooltip(state: RegistrationIndicator): string {
  switch (state) {
    case 'registered':
      return 'Cabine: ready for calls';
    case 'connecting':
      return 'Cabine: connecting…';
    case 'unregistered':
      return 'Cabine: not connected';
    case 'error':
      return 'Cabine: connection problem';
    default:
      return assertNever(state);
  }
}

/** 16 px at 2× so it stays sharp on HiDPI trays. */
const iconPixels = 32;

export function createRegistrationTray({ Tray, createImageFromBuffer, onClick }: TrayDeps, initial: RegistrationIndicator = 'unregistered'): RegistrationTray {
  const image = (state: RegistrationIndicator) => createImageFromBuffer(circlePng(iconPixels, registrationColours[state]), { scaleFactor: 2 });
  const tray = new Tray(image(initial));
  tray.setToolTip(registrationTooltip(initial));
  tray.on('click', () => onClick());
  let current = initial;
  return {
    show(state) {
      if (state === current) return;
      current = state;
      tray.setImage(image(state));
      tray.setToolTip(registrationTooltip(state));
    },
    destroy: () => tray.destroy(),
  };
}
