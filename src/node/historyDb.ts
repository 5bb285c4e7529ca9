/**
 * The history database on disk (issue 19). sql.js (SQLite compiled to WebAssembly) keeps the database in memory:
 * it is read whole from the file and, after a change, exported whole and written atomically (a temporary file
 * renamed over it), so a crash never leaves half a database. Writers on one machine take turns through a lock
 * file next to the database (`FILE.lock`), so two runs recording at once do not lose each other's rows.
 */
import { mkdir, open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic } from 'sql.js';
import { ensureSchema, HistoryError } from '../core/history/db.ts';
import { writeFileAtomic } from './writeFileAtomic.ts';

/** The default database of the CLI, under the current folder (SPEC §3). */
export const DEFAULT_HISTORY_DB = join('.anomaly-hunter', 'history.db');

let sqlJs: Promise<SqlJsStatic> | null = null;

/**
 * The WebAssembly SQLite, loaded once: from `sql-wasm.wasm` next to the bundle (the build copies it into dist/),
 * else from the sql.js package (running from source).
 */
function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (async () => {
    const bundled = join(__dirname, 'sql-wasm.wasm');
    const fromPackage = 'sql.js/dist/sql-wasm.wasm'; // a variable: the bundler leaves this lookup to run time
    const file = existsSync(bundled) ? bundled : require.resolve(fromPackage);
    const bytes = await readFile(file);
    return initSqlJs({ wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
  })();
  return sqlJs;
}

/** Options of withHistory. */
/** File system error codes a person meets with a history file, in words. */
const FS_REASONS: Record<string, string> = {
  EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'permission denied', ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded', EISDIR: 'a folder, not a file', ENOTDIR: 'a part of the path is not a folder',
};

/** Why the history database could not be read or written, from a file system error's code: words, then the code. */
export function historyFsFailure(code: string, write: boolean): string {
  const words = FS_REASONS[code];
  return `cannot ${write ? 'write' : 'read'} the history database (${words ? `${words}, ` : ''}${code})`;
}

export interface HistoryOptions {
  /** Create the database (and its folder) when it does not exist. @default true */
  create?: boolean;
  /** Save after `fn` (false: read only). @default true */
  write?: boolean;
  /** How long to wait for another writer's lock, ms. @default 10000 */
  lockTimeoutMs?: number;
}

/**
 * Opens the database at `path`, runs `fn` on it and, unless read-only, saves it atomically; the lock is held
 * throughout. Throws HistoryError with a one-line reason (not a database, a newer schema, locked too long,
 * missing and not to be created); fs errors keep their `code`.
 */
export async function withHistory<T>(path: string, fn: (db: Database) => T | Promise<T>, opts: HistoryOptions = {}): Promise<T> {
  const write = opts.write ?? true;
  const SQL = await loadSqlJs();
  const unlock = write ? await lock(path, opts.lockTimeoutMs ?? 10_000, opts.create ?? true) : null;
  try {
    let bytes: Uint8Array | null = null;
    try {
      bytes = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!(opts.create ?? true)) throw new HistoryError('no history database here yet (analyze --history, stream --history and send --history record one)');
    }
    let db: Database;
    try {
      db = new SQL.Database(bytes ?? undefined);
      ensureSchema(db);
    } catch (e) {
      if (e instanceof HistoryError) throw e;
      // Nothing was written: the damaged file is as it was, and a new one is started where it was.
      throw new HistoryError(`not a history database (${(e as Error).message}); it is not changed: move it aside and the next recorded run starts a new one`);
    }
    try {
      const out = await fn(db);
      if (write) await writeFileAtomic(path, [db.export()]);
      return out;
    } finally {
      db.close();
    }
  } finally {
    await unlock?.();
  }
}

/** A lock not touched for this long is a crashed writer's (a live one touches its lock every 20 s). */
const STALE_MS = 60_000;

/**
 * Removes a stale lock, and only it. Several waiters may find the same lock stale; if each removed what it found,
 * the second would remove the new, live lock the first took meanwhile, and two writers would hold it. So removing
 * is done by one waiter at a time, under `path.lock.takeover` (created exclusively, held for a few file operations),
 * which looks again: only a lock still stale then is removed. False when another waiter is at it (wait, retry).
 */
async function removeStale(file: string): Promise<boolean> {
  const guard = `${file}.takeover`;
  let handle;
  try {
    handle = await open(guard, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    // A takeover is a few milliseconds: one this old is a crashed waiter's.
    const info = await stat(guard).catch(() => null);
    if (info && Date.now() - info.mtimeMs > 10_000) await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    await handle.close();
    const info = await stat(file).catch(() => null);
    if (info && Date.now() - info.mtimeMs > STALE_MS) await unlink(file).catch(() => undefined);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Takes `path.lock` (created exclusively); a lock older than a minute is a crashed writer's and is removed. */
async function lock(path: string, timeoutMs: number, create: boolean): Promise<() => Promise<void>> {
  if (create) await mkdir(dirname(path), { recursive: true });
  const file = `${path}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
      await handle.writeFile(token);
      await handle.close();
      // Held longer than a stale lock's age (a slow disk), it is touched so that no one takes it over.
      const keep = setInterval(() => { void utimes(file, new Date(), new Date()).catch(() => undefined); }, 20_000);
      keep.unref();
      // Only our own lock is removed: one taken over after it went stale is someone else's now.
      return async () => {
        clearInterval(keep);
        if ((await readFile(file, 'utf8').catch(() => '')) === token) await unlink(file).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const info = await stat(file).catch(() => null);
      if (info && Date.now() - info.mtimeMs > STALE_MS && await removeStale(file)) continue;
      if (Date.now() > deadline) throw new HistoryError(`locked by another writer for more than ${Math.round(timeoutMs / 1000)} s (${file}; remove it if no anomaly-hunter is running)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
