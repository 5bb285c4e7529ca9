// Where each analysed file stands (too large, loading, failed, ready), who holds it open, and whether its text has
// unsaved edits since its analysis: one owner (SessionStore) keeps it, the editor, the dashboard and the rules
// editor read it. No vscode, no Node: unit-tested in plain Node.

/** A file's state: over the size limit (waits for an explicit request), being read, unreadable, or analysed. */
export type FileState<S> =
  | { kind: 'tooLarge'; bytes: number }
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; session: S };

/** Who keeps a file open: an editor showing it, the dashboard, a rules file checked against it, a command running. */
export type Holder = 'editor' | 'dashboard' | 'rules' | 'command';

/** Whether a file of `bytes` is over the limit of `limitMB` megabytes for analysis on open (0: no limit). */
export function overOpenLimit(bytes: number, limitMB: number): boolean {
  return limitMB > 0 && bytes > limitMB * 1024 * 1024;
}

interface Entry<S> {
  state: FileState<S> | undefined;
  holders: Set<Holder>;
  /** Unsaved edits since the analysis: the findings no longer line up with the text. */
  stale: boolean;
  /** Saving an edited file: it stays stale until the saved text has been read again. */
  saving: boolean;
}

/**
 * The per-file states, keyed by a file's URI string. Every change calls `changed(key)` once (nothing is called
 * when a call changes nothing).
 */
export class FileStates<S> {
  private readonly files = new Map<string, Entry<S>>();

  constructor(private readonly changed: (key: string) => void = () => undefined) {}

  state(key: string): FileState<S> | undefined {
    return this.files.get(key)?.state;
  }

  /** The session of a ready file. */
  session(key: string): S | undefined {
    const s = this.files.get(key)?.state;
    return s?.kind === 'ready' ? s.session : undefined;
  }

  holders(key: string): ReadonlySet<Holder> {
    return this.files.get(key)?.holders ?? new Set();
  }

  holds(key: string, holder: Holder): boolean {
    return this.files.get(key)?.holders.has(holder) ?? false;
  }

  isStale(key: string): boolean {
    return this.files.get(key)?.stale ?? false;
  }

  keys(): string[] {
    return [...this.files.keys()];
  }

  private entry(key: string): Entry<S> {
    let e = this.files.get(key);
    if (!e) {
      e = { state: undefined, holders: new Set(), stale: false, saving: false };
      this.files.set(key, e);
    }
    return e;
  }

  private set(key: string, state: FileState<S> | undefined): void {
    const e = this.entry(key);
    if (e.state === state) return;
    e.state = state;
    this.drop(key, e);
    this.changed(key);
  }

  /** An entry with nothing left in it is forgotten. */
  private drop(key: string, e: Entry<S>): void {
    if (!e.state && !e.holders.size && !e.stale) this.files.delete(key);
  }

  /**
   * Whether a file of `bytes` may be read: always when `force`d or already read, else only within the limit
   * (`limitMB`, 0 for none). A file over it becomes `tooLarge` until a forced request.
   */
  admit(key: string, bytes: number, limitMB: number, force = false): boolean {
    const s = this.state(key);
    if (force || s?.kind === 'ready' || s?.kind === 'loading' || !overOpenLimit(bytes, limitMB)) return true;
    if (s?.kind !== 'tooLarge' || s.bytes !== bytes) this.set(key, { kind: 'tooLarge', bytes });
    return false;
  }

  loading(key: string): void {
    if (this.state(key)?.kind !== 'loading') this.set(key, { kind: 'loading' });
  }

  failed(key: string, message: string): void {
    this.set(key, { kind: 'failed', message });
  }

  /**
   * The file is read (`fresh`: a new reading of it, not a re-analysis) and analysed. A new reading matches the
   * saved text: it is stale only while the editor still has unsaved edits (`dirty`).
   */
  ready(key: string, session: S, fresh = false, dirty = false): void {
    const e = this.entry(key);
    const wasStale = e.stale;
    if (fresh) {
      e.saving = false;
      if (!dirty) e.stale = false;
    }
    const same = e.state?.kind === 'ready' && e.state.session === session;
    if (!same) this.set(key, { kind: 'ready', session });
    else if (wasStale !== e.stale) this.changed(key);
  }

  /** The file's analysis is dropped (its worker ended); who holds it and its edits stay. */
  clear(key: string): void {
    if (this.files.has(key)) this.set(key, undefined);
  }

  hold(key: string, holder: Holder): void {
    const e = this.entry(key);
    if (e.holders.has(holder)) return;
    e.holders.add(holder);
    this.changed(key);
  }

  /** Lets go of a file; true when that was its last holder (the caller then ends its analysis). */
  release(key: string, holder: Holder): boolean {
    const e = this.files.get(key);
    if (!e?.holders.has(holder)) return false;
    e.holders.delete(holder);
    const last = e.holders.size === 0;
    if (last) {
      this.files.delete(key);
    }
    this.changed(key);
    return last;
  }

  /**
   * The editor's text changed or its dirty flag did: edited (`dirty` or with `contentChanges`) makes the file
   * stale; clean again (undone back to the saved text) makes it current, unless it is being saved.
   */
  edited(key: string, dirty: boolean, contentChanges: boolean): void {
    const e = this.files.get(key);
    if (!e) return;
    const was = e.stale;
    if (dirty || contentChanges) e.stale = true;
    else if (!e.saving) e.stale = false;
    if (was !== e.stale) this.changed(key);
  }

  /** An edited file is about to be saved: it stays stale until its saved text is read again. */
  willSave(key: string): void {
    const e = this.files.get(key);
    if (e?.stale) e.saving = true;
  }
}
