import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import S3rver from 's3rver';
import { LocalStorage } from './local-storage';
import type { ObjectStorage } from './object-storage';
import { S3Storage } from './s3-storage';

const text = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

/** The same behaviour from both storages: the local directory and an S3-compatible server (s3rver). */
describe.each([
  ['local directory', 'local'],
  ['S3-compatible bucket', 's3'],
])('object storage: %s', (_name, kind) => {
  let work: string;
  let storage: ObjectStorage;
  let server: S3rver | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'mind-storage-spec-'));
    if (kind === 'local') {
      storage = new LocalStorage(join(work, 'objects'));
      return;
    }
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: join(work, 's3'),
      configureBuckets: [{ name: 'recordings', configs: [] }],
    });
    const { port } = (await server.run()) as unknown as { port: number };
    storage = new S3Storage({
      endpoint: `http://127.0.0.1:${port}`,
      bucket: 'recordings',
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('stores a file, tells its size, reads it whole or by range, and copies it back', async () => {
    const source = join(work, 'source.txt');
    writeFileSync(source, '0123456789abcdef');
    await storage.putFile('recordings/c1/1/recording.mp4', source);
    expect(await storage.stat('recordings/c1/1/recording.mp4')).toEqual({ size: 16 });
    expect(await text(await storage.read('recordings/c1/1/recording.mp4'))).toBe('0123456789abcdef');
    expect(await text(await storage.read('recordings/c1/1/recording.mp4', { start: 10, end: 12 }))).toBe(
      'abc',
    );
    const copy = join(work, 'copy.txt');
    await storage.getFile('recordings/c1/1/recording.mp4', copy);
    expect(readFileSync(copy, 'utf8')).toBe('0123456789abcdef');
  });

  it('answers null for what is not there, and replaces an object written again', async () => {
    expect(await storage.stat('recordings/none/recording.mp4')).toBeNull();
    const source = join(work, 'again.txt');
    writeFileSync(source, 'first');
    await storage.putFile('recordings/c2/x', source);
    writeFileSync(source, 'second!');
    await storage.putFile('recordings/c2/x', source);
    expect(await storage.stat('recordings/c2/x')).toEqual({ size: 7 });
  });

  it('deletes everything under a prefix and nothing else', async () => {
    const source = join(work, 'small.txt');
    writeFileSync(source, 'x');
    for (const key of [
      'recordings/c3/segments/a.ts',
      'recordings/c3/1/recording.mp4',
      'recordings/c4/1/recording.mp4',
    ]) {
      await storage.putFile(key, source);
    }
    await storage.deletePrefix('recordings/c3/');
    expect(await storage.stat('recordings/c3/segments/a.ts')).toBeNull();
    expect(await storage.stat('recordings/c3/1/recording.mp4')).toBeNull();
    expect(await storage.stat('recordings/c4/1/recording.mp4')).toEqual({ size: 1 });
  });
});
