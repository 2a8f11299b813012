import type { Readable } from 'node:stream';

export interface StoredObject {
  size: number;
}

/** Inclusive byte range, as HTTP `Range` has it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where recordings and their previews live: a local directory by default, S3-compatible object storage
 * when configured. Keys are `/`-separated paths such as `recordings/<conferenceId>/recording.mp4`.
 */
export interface ObjectStorage {
  /** Stores a local file under `key` (replacing what was there). */
  putFile(key: string, path: string): Promise<void>;
  /** Copies the object to a local file. */
  getFile(key: string, path: string): Promise<void>;
  stat(key: string): Promise<StoredObject | null>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes every object whose key starts with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
}
