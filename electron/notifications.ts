/**
 * The incoming-call notification (https://www.electronjs.org/docs/latest/api/notification). It carries
 * an Answer button where the OS supports notification actions (macOS, Windows); everywhere a click brings
 * the window forward, where the call can be answered.
 */
import type { Notification, NotificationConstructorOptions } from 'electron';
import type { IncomingCall } from '../shared/ipc/ipc-contract.js';

export type NotificationLanguage = 'en' | 'fr';

const strings: Readonly<Record<NotificationLanguage, { title: string; answer: string }>> = {
  en: { title: 'Incoming call', answer: 'Answer' },
  fr: { title: 'Appel entrant', answer: 'Répondre' },
};

type NotificationLike = Pick<Notification, 'on' | 'show' | 'close'>;

export interface NotificationDeps {
  readonly Notification: { new (options: NotificationConstructorOptions): NotificationLike; isSupported(): boolean };
  readonly language: () => NotificationLanguage;
  readonly onAnswer: (callId: string) => void;
  readonly focusWindow: () => void;
}

export interface IncomingCallNotifier {
  show(call: IncomingCall): void;
}

export function createIncomingCallNotifier({ Notification, language, onAnswer, focusWindow }: NotificationDeps): IncomingCallNotifier {
  // Notifications are kept referenced until closed: a garbage-collected Notification loses its click
  // and action handlers (https://github.com/electron/electron/issues/12690).
  const open = new Map<string, NotificationLike>();
  return {
    show({ callId, from }) {
      if (!Notification.isSupported()) return;
      open.get(callId)?.close();
      const text = strings[language()];
      const notification = new Notification({
        title: text.title,
        body: from,
        actions: [{ type: 'button', text: text.answer }],
        urgency: 'critical',
        timeoutType: 'never',
      });
      notification.on('click', () => focusWindow());
      notification.on('action', () => {
        focusWindow();
        onAnswer(callId);
      });
      notification.on('close', () => {
        if (open.get(callId) === notification) open.delete(callId);
      });
      open.set(callId, notification);
      notification.show();
    },
  };
}

/** The notification's language: the app's setting, or the OS locale when the setting is 'system'. */
export function notificationLanguage(setting: 'system' | 'en' | 'fr', systemLocale: string): NotificationLanguage {
  if (setting !== 'system') return setting;
  return systemLocale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}
