import { createReadStream, createWriteStream } from 'node:fs';
import { stat as fileStat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import aws4 from 'aws4';
import type { ByteRange, ObjectStorage, StoredObject } from './object-storage';

export interface S3Settings {
  /** e.g. `https://s3.eu-central-1.amazonaws.com` or a MinIO/Ceph endpoint; path-style addressing. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, ...), over plain HTTPS requests signed
 * with AWS Signature V4. Bodies are streamed (`UNSIGNED-PAYLOAD`), so recordings never sit in memory.
 */
export class S3Storage implements ObjectStorage {
  private readonly base: URL;

  constructor(private readonly settings: S3Settings) {
    this.base = new URL(settings.endpoint.replace(/\/+$/, '') + '/');
  }

  async putFile(key: string, path: string): Promise<void> {
    const { size } = await fileStat(path);
    const body = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream;
    await this.request('PUT', key, { 'content-length': String(size) }, body);
  }

  async getFile(key: string, path: string): Promise<void> {
    const response = await this.request('GET', key);
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(path));
  }

  async stat(key: string): Promise<StoredObject | null> {
    const response = await this.request('HEAD', key, {}, undefined, [404]);
    if (response.status === 404) return null;
    return { size: Number(response.headers.get('content-length') ?? 0) };
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const response = await this.request(
      'GET',
      key,
      range ? { range: `bytes=${range.start}-${range.end}` } : {},
    );
    return Readable.fromWeb(response.body as WebReadableStream);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (;;) {
      const response = await this.request('GET', '', {}, undefined, [], { 'list-type': '2', prefix });
      const keys = [...(await response.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => decodeXml(m[1]));
      if (keys.length === 0) return;
      for (const key of keys) await this.request('DELETE', key, {}, undefined, [404]);
    }
  }

  private async request(
    method: string,
    key: string,
    headers: Record<string, string> = {},
    body?: ReadableStream,
    allowed: number[] = [],
    query: Record<string, string> = {},
  ): Promise<Response> {
    const url = new URL(
      `${this.settings.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
      this.base,
    );
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const signed = aws4.sign(
      {
        host: url.host,
        method,
        path: `${url.pathname}${url.search}`,
        service: 's3',
        region: this.settings.region,
        headers: { ...headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { accessKeyId: this.settings.accessKeyId, secretAccessKey: this.settings.secretAccessKey },
    );
    const response = await fetch(url, {
      method,
      headers: signed.headers as Record<string, string>,
      ...(body ? { body, duplex: 'half' } : {}),
    } as RequestInit);
    if (!response.ok && !allowed.includes(response.status)) {
      const detail = (await response.text()).slice(0, 300);
      throw new Error(`S3 ${method} ${key || url.search} answered ${response.status}: ${detail}`);
    }
    return response;
  }
}

const decodeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
