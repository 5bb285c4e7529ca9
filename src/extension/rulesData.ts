import type * as vscode from 'vscode';
import { dataContextOf } from '../core/rules/dataContext.ts';
import type { Frame } from '../core/csv/frame.ts';
import type { RulesDataContext } from '../core/rules/model.ts';
import type { Ctx } from './ctx.ts';
import type { FileSession } from './sessions.ts';

/** The CSV a rules file is checked against: its `data:` key, or a CSV open beside it. */
export interface Target {
  uri: vscode.Uri;
  key: string;
  name: string;
  fromKey: boolean;
}

/**
 * One CSV as the rules see it, loaded through the shared SessionStore (worker-backed), which owns its state
 * (loading, failed, too large: `sessions.state`).
 */
export interface DataState {
  uri: vscode.Uri;
  name: string;
  /** This editor's request for the file, while it runs. */
  request?: Promise<void>;
  frame?: Frame;
  ctx?: RulesDataContext;
  session?: FileSession;
}

/**
 * The data files the open rules files are checked against: held open in SessionStore (holder `rules`) while a
 * rules file uses them. `changed(key, checks)` says a file's data changed: `checks` when the rules' checks must be
 * redone (new data, or its state changed), else only the worker's firings did (lenses).
 */
export class RulesData implements vscode.Disposable {
  private readonly data = new Map<string, DataState>();
  private readonly stateTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];
  private disposed = false;

  constructor(private readonly ctx: Ctx, private readonly changed: (key: string, checks: boolean) => void) {
    this.subscriptions = [
      ctx.sessions.onDidChange((s) => this.sessionChanged(s)),
      ctx.sessions.onDidClose((uri) => {
        const st = this.data.get(uri.toString());
        if (st) st.session = undefined;
      }),
      ctx.sessions.onDidChangeState((key) => this.stateChanged(key)),
    ];
  }

  get(key: string): DataState | undefined {
    return this.data.get(key);
  }

  /** The data of a target: ready, loading (started here on first use) or failed. Never blocks. */
  dataFor(target: Target): DataState {
    let st = this.data.get(target.key);
    if (!st) {
      st = { uri: target.uri, name: target.name };
      this.data.set(target.key, st);
    }
    if (!st.ctx && !st.request) {
      const state = this.ctx.sessions.state(target.uri);
      if (state?.kind === 'ready') {
        this.adopt(st, state.session);
        this.ctx.sessions.hold(target.uri, 'rules');
      } else if (state?.kind === 'loading') {
        // Being read already (the editor, the dashboard): held, and its state change brings the data here.
        this.ctx.sessions.hold(target.uri, 'rules');
      } else if (state?.kind !== 'failed' && state?.kind !== 'tooLarge') this.load(st, target.key);
    }
    return st;
  }

  /** Loads a CSV through the shared sessions; one over `analyzeOnOpenMaxMB` waits for `force` (the lens's click). */
  load(st: DataState, key: string, force = false): void {
    const run = async (): Promise<void> => {
      await Promise.resolve(); // st.request is set before the store's events can reach this object
      const state = await this.ctx.sessions.want(st.uri, 'rules', { force });
      if (state?.kind === 'ready') this.adopt(st, state.session);
      else if (state?.kind === 'failed') this.ctx.log.warn(`rules: cannot check against ${st.uri.fsPath}: ${state.message}`);
    };
    const request: Promise<void> = run().finally(() => {
      if (st.request === request) st.request = undefined;
      if (!this.disposed) this.changed(key, true);
    });
    st.request = request;
  }

  /** Lets go of the data files no rules file is checked against any more (`used`: the keys still in use). */
  releaseExcept(used: ReadonlySet<string>): void {
    for (const [key, st] of this.data) {
      if (used.has(key)) continue;
      this.data.delete(key);
      this.ctx.sessions.release(st.uri, 'rules');
    }
  }

  private adopt(st: DataState, session: FileSession): void {
    st.session = session;
    if (st.frame !== session.frame) {
      st.frame = session.frame;
      st.ctx = dataContextOf(session.frame, st.name);
    }
  }

  private sessionChanged(session: FileSession): void {
    const key = session.uri.toString();
    const st = this.data.get(key);
    if (!st) return;
    const frame = st.frame;
    this.adopt(st, session);
    this.changed(key, st.frame !== frame);
  }

  /** A data file's state changed (loading, failed, too large…): the rules files checked against it follow. */
  private stateChanged(key: string): void {
    // A request of this object's own in flight: its end re-checks the rules files (see load).
    if (!this.data.has(key) || this.data.get(key)!.request || this.stateTimers.has(key)) return;
    this.stateTimers.set(key, setTimeout(() => {
      this.stateTimers.delete(key);
      if (!this.disposed) this.changed(key, true);
    }, 0));
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.stateTimers.values()) clearTimeout(t);
    for (const s of this.subscriptions) s.dispose();
    this.data.clear();
  }
}
