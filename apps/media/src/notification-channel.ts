import { EventEmitter } from 'node:events';

export interface NotificationChannelEvents {
  open: [];
  message: [text: string];
}

/** The participant's negotiated data channel 1: text frames both ways. */
export interface NotificationChannel extends EventEmitter<NotificationChannelEvents> {
  readonly isOpen: boolean;
  send(text: string): void;
  close(): void;
}
