import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { createReadStream, promises as fs } from 'node:fs';
import { FileIO, type StoredFile } from './file-io';

/** Where the object store is and how to sign requests to it (`s3.*` catalog properties in Iceberg's terms). */
export interface S3FileIOOptions {
  /** e.g. `http://127.0.0.1:19900`; absent: AWS's regional endpoint */
  endpoint?: string;
  region: string;
  /** absent: the AWS SDK's default credential chain (environment, profile, instance role) */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** `bucket` in the path rather than the host name (S3-compatible servers want it; default true) */
  pathStyle?: boolean;
}

export interface S3Location {
  bucket: string;
  key: string;
}

/** `s3://bucket/a/b` (also `s3a://`, `s3n://`) → bucket `bucket`, key `a/b`. */
export function parseS3Location(location: string): S3Location {
  const m = /^s3[an]?:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!m) throw new Error(`S3FileIO cannot handle location ${location}: expected s3://<bucket>/<key>`);
  return { bucket: m[1] as string, key: m[2] as string };
}

function status(e: unknown): number | undefined {
  return e instanceof S3ServiceException ? e.$metadata.httpStatusCode : (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * Table files in an S3-compatible object store. Writes are single PUTs (a data file of a batch is
 * far below S3's 5 GB limit); `exclusive` writes send `If-None-Match: *`, so a name that exists
 * already fails with 412 instead of being replaced.
 */
export class S3FileIO implements FileIO {
  readonly client: S3Client;

  constructor(opts: S3FileIOOptions) {
    const credentials =
      opts.accessKeyId && opts.secretAccessKey
        ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey, ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}) }
        : undefined;
    this.client = new S3Client({
      region: opts.region,
      forcePathStyle: opts.pathStyle ?? true,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      // checksums only when S3 requires them: S3-compatible servers differ in what they accept
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async read(location: string): Promise<Buffer> {
    const { bucket, key } = parseS3Location(location);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!r.Body) throw new Error(`GET ${location} returned no body`);
      return Buffer.from(await r.Body.transformToByteArray());
    } catch (e) {
      if (status(e) === 404) throw Object.assign(new Error(`${location} does not exist`), { code: 'ENOENT', cause: e });
      throw e;
    }
  }

  async write(location: string, data: Buffer, opts: { exclusive?: boolean } = {}): Promise<void> {
    await this.put(location, { Body: data, ContentLength: data.length }, opts.exclusive ?? false);
  }

  async upload(localFile: string, location: string): Promise<void> {
    const { size } = await fs.stat(localFile);
    await this.put(location, { Body: createReadStream(localFile), ContentLength: size }, true);
  }

  private async put(location: string, body: Pick<PutObjectCommandInput, 'Body' | 'ContentLength'>, exclusive: boolean): Promise<void> {
    const { bucket, key } = parseS3Location(location);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, ...body, ...(exclusive ? { IfNoneMatch: '*' } : {}) }));
    } catch (e) {
      if (exclusive && status(e) === 412) throw Object.assign(new Error(`${location} already exists`), { code: 'EEXIST', cause: e });
      throw e;
    }
  }

  async delete(location: string): Promise<void> {
    const { bucket, key } = parseS3Location(location);
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  async exists(location: string): Promise<boolean> {
    const { bucket, key } = parseS3Location(location);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (e) {
      if (status(e) === 404) return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const { bucket, key } = parseS3Location(prefix.replace(/\/*$/, '/'));
    const scheme = /^(s3[an]?):/.exec(prefix)![1];
    const out: StoredFile[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) out.push({ location: `${scheme}://${bucket}/${o.Key}`, modifiedMs: o.LastModified?.getTime() ?? Date.now() });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  localPath(): string | undefined {
    return undefined;
  }

  close(): void {
    this.client.destroy();
  }
}
