import type { Layout } from '@mind/contracts';
import { streamKey } from '../labels';
import type { DecoderSource } from './decoder-input';
import type { Source } from '@mind/contracts';
import type { MixedParticipant } from './layout';

/** What the mixing thread composes: the mixed picture's size and rate. */
export interface CompositionOptions {
  width: number;
  height: number;
  fps: number;
}

/** Given to the mixing thread when it starts. */
export interface MixThreadData {
  options: CompositionOptions;
  logLevel: string;
  logBindings: Record<string, unknown>;
}

/**
 * An output of the mix: the picture, everyone's voice, or the voice of everyone but one listener.
 * Its encoder's arguments come from the main thread, which owns the router it sends to.
 */
export type MixOutput = { kind: 'video' } | { kind: 'audio'; without?: string };

/** How both threads name a decoded stream of the mix. */
export const inputKey = (participantId: string, source: Source, kind: 'audio' | 'video') =>
  `${streamKey(participantId, source)}/${kind}`;

/** Main thread to mixing thread. Inputs are named by `inputKey`. */
export type ToMixThread =
  | { type: 'roster'; layout: Layout; participants: MixedParticipant[] }
  | {
      type: 'openInput';
      key: string;
      serial: number;
      input: DecoderSource;
      source: Source;
      kind: 'audio' | 'video';
    }
  | { type: 'closeInput'; key: string }
  | { type: 'openOutput'; id: string; output: MixOutput; encoderArgs: string[] }
  | { type: 'closeOutput'; id: string }
  | { type: 'stats'; request: number }
  | { type: 'stop' };

/** How the mix is doing, for benchmarks and diagnostics. */
export interface MixStats {
  /** Video inputs by key: whether a fresh picture is there (a camera's that came in the last second). */
  videoInputs: Record<string, boolean>;
  /** Counts of pictures since the mixer started. */
  frames: {
    composed: number;
    /** Skipped to catch up with real time after a stall (the CPU could not keep up). */
    skipped: number;
    /** Composed, and not taken by a video encoder still busy with earlier ones (the same). */
    dropped: number;
  };
}

/** Mixing thread to main thread. `serial` tells one opening of an input from a later one. */
export type FromMixThread =
  | { type: 'inputPicture'; key: string; serial: number }
  | { type: 'inputRestarted'; key: string; serial: number }
  | { type: 'inputEnded'; key: string; serial: number }
  | { type: 'outputEnded'; id: string }
  | { type: 'stats'; request: number; stats: MixStats };
