import { LocalStorage } from './local-storage';
import type { ObjectStorage } from './object-storage';
import { S3Storage, type S3Settings } from './s3-storage';

export interface StorageSettings {
  kind: string;
  dir: string;
  s3: S3Settings;
}

/** The storage the configuration names (`MIND_STORAGE`): a local directory, or an S3-compatible bucket. */
export function createStorage(settings: StorageSettings): ObjectStorage {
  return settings.kind === 's3' ? new S3Storage(settings.s3) : new LocalStorage(settings.dir);
}
