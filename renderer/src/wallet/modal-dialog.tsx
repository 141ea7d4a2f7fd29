import { useEffect, useRef, type ReactNode, type RefObject } from 'react';

export interface ModalDialogProps {
  /** 'alertdialog' for warnings that need an answer (WAI-ARIA APG "Alert and Message Dialogs"). */
  readonly role: 'dialog' | 'alertdialog';
  readonly titleId: string;
  readonly descriptionId: string;
  /** Escape or the browser's cancel: same as the Cancel button. */
  readonly onCancel: () => void;
  /** What gets focus when the dialog opens; the first focusable element otherwise. */
  readonly initialFocus?: RefObject<HTMLElement | null>;
  readonly className?: string;
  readonly children: ReactNode;
}

/**
 * A modal built on the native <dialog> with showModal(): the rest of the page becomes inert, focus moves
 * in and stays in, Escape cancels; on close, focus returns to where it was (WAI-ARIA APG modal dialog
 * pattern, https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/). Screen readers announce the role,
 * the name (aria-labelledby) and the description (aria-describedby).
 */
export function ModalDialog({ role, titleId, descriptionId, onCancel, initialFocus, className, children }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef(onCancel);
  useEffect(() => {
    cancelRef.current = onCancel;
  }, [onCancel]);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return undefined;
    const returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    (initialFocus?.current ?? dialog.querySelector<HTMLElement>('button, input, select, a[href]'))?.focus();
    const cancel = (event: Event): void => {
      event.preventDefault();
      cancelRef.current();
    };
    dialog.addEventListener('cancel', cancel);
    return () => {
      dialog.removeEventListener('cancel', cancel);
      if (dialog.open) dialog.close();
      if (returnTo?.isConnected) returnTo.focus();
    };
  }, [initialFocus]);

  return (
    <dialog ref={ref} role={role} aria-modal="true" aria-labelledby={titleId} aria-describedby={descriptionId} className={`wallet-dialog ${className ?? ''}`}>
      {children}
    </dialog>
  );
}
