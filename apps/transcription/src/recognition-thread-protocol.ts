import type { Recognition } from '@mind/asr';

/** Main thread → recognition thread. */
export type ToRecognitionThread =
  | { type: 'open'; id: number; channel: number; language: string }
  | { type: 'accept'; channel: number; samples: Int16Array }
  | { type: 'finish'; id: number; channel: number }
  | { type: 'close'; channel: number };

/** Recognition thread → main thread: the answer to request `id`. */
export type FromRecognitionThread =
  | { id: number; ok: true; recognition?: Recognition }
  | { id: number; ok: false; error: string; unsupported: boolean };
