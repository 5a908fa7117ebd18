import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where table files live. Locations are URIs (`file:/…`, `s3://…`) or absolute local paths. */
export interface FileIO {
  read(location: string): Promise<Buffer>;
  /** Writes a whole file; with `exclusive`, fails if it already exists. */
  write(location: string, data: Buffer, opts?: { exclusive?: boolean }): Promise<void>;
  /** Copies a local file into the store (used for data files DuckDB wrote to a local staging folder). */
  upload(localFile: string, location: string): Promise<void>;
  delete(location: string): Promise<void>;
  exists(location: string): Promise<boolean>;
  /** Every file under a folder (at any depth), named as `prefix/…`, with when it was last written; none when the folder is missing. */
  list(prefix: string): Promise<StoredFile[]>;
  /** The local path DuckDB can write to directly, or undefined when the store is remote. */
  localPath(location: string): string | undefined;
}

export interface StoredFile {
  location: string;
  modifiedMs: number;
}

/** `file:/a`, `file:///a` and `/a` all name the local file `/a`. */
export function localPathOf(location: string): string | undefined {
  if (location.startsWith('file:')) {
    if (location.startsWith('file://')) return fileURLToPath(location);
    return decodeURIComponent(location.slice('file:'.length)).replace(/^\/+/, '/');
  }
  if (location.startsWith('/')) return location;
  return undefined;
}

export class LocalFileIO implements FileIO {
  private path(location: string): string {
    const p = localPathOf(location);
    if (!p) throw new Error(`LocalFileIO cannot handle location ${location}`);
    return p;
  }

  async read(location: string): Promise<Buffer> {
    return fs.readFile(this.path(location));
  }

  async write(location: string, data: Buffer, opts: { exclusive?: boolean } = {}): Promise<void> {
    const p = this.path(location);
    const write = async () => {
      if (opts.exclusive) {
        await fs.writeFile(p, data, { flag: 'wx' });
        return;
      }
      // write-then-rename so a reader never sees a half-written file
      const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(tmp, data);
      await fs.rename(tmp, p);
    };
    try {
      await write();
    } catch (e) {
      // the folder is made when it is missing, not checked before every write
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await fs.mkdir(path.dirname(p), { recursive: true });
      await write();
    }
  }

  async upload(localFile: string, location: string): Promise<void> {
    const p = this.path(location);
    if (path.resolve(localFile) === path.resolve(p)) return;
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.copyFile(localFile, p);
  }

  async delete(location: string): Promise<void> {
    await fs.rm(this.path(location), { force: true });
  }

  async exists(location: string): Promise<boolean> {
    return fs.access(this.path(location)).then(
      () => true,
      () => false,
    );
  }

  async list(prefix: string): Promise<StoredFile[]> {
    const root = this.path(prefix);
    const base = prefix.replace(/\/+$/, '');
    let entries;
    try {
      entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name));
    return Promise.all(
      files.map(async (f) => ({ location: `${base}/${path.relative(root, f).split(path.sep).join('/')}`, modifiedMs: (await fs.stat(f)).mtimeMs })),
    );
  }

  localPath(location: string): string | undefined {
    return localPathOf(location);
  }
}
