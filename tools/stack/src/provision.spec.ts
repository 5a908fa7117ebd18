import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { layout } from './layout';
import { externalPostgresHome, postgresPaths } from './provision';

describe('PostgreSQL placement', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'matih-pg-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('keeps the cluster in the state folder by default', () => {
    const l = layout(path.join(root, '.stack'));
    expect(postgresPaths(l)).toEqual({ home: l.postgres.home, data: l.postgres.data, socketDir: l.postgres.socketDir, log: l.postgres.log, external: false });
  });

  it('follows the state folder link to an external cluster folder (so status and down find it)', () => {
    const l = layout(path.join(root, '.stack'));
    const external = path.join(root, 'pg-home', 'matih-abc');
    fs.mkdirSync(external, { recursive: true });
    fs.mkdirSync(l.root, { recursive: true });
    fs.symlinkSync(external, l.postgres.home);
    expect(postgresPaths(l)).toEqual({
      home: external,
      data: path.join(external, 'data'),
      socketDir: path.join(external, 'run'),
      log: path.join(external, 'postgres.log'),
      external: true,
    });
  });

  it('names one external folder per state folder, short enough for a unix socket path', () => {
    const a = externalPostgresHome(layout('/root/a/.stack'), '/var/lib/postgresql');
    const b = externalPostgresHome(layout('/root/b/.stack'), '/var/lib/postgresql');
    expect(a).toMatch(/^\/var\/lib\/postgresql\/matih-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(externalPostgresHome(layout('/root/a/.stack'), '/var/lib/postgresql')).toBe(a);
    expect(path.join(a, 'run', '.s.PGSQL.15432').length).toBeLessThan(100);
  });
});
