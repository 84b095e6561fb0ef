/**
 * Session ids. A session is a run of activity with no gap longer than the idle timeout
 * (default 30 min); the next event after a longer gap starts a new session.
 */

/** A session as persisted between page loads (in the store's meta area). */
export interface SessionState {
  id: string;
  /** Time of the session's first event (ms since epoch). */
  startedAt: number;
  /** Time of the session's latest event. */
  lastActivity: number;
}

/** Tracks the current session and rotates it after `idleMs` without activity. */
export class SessionTracker {
  private state: SessionState | undefined;

  /**
   * @param idleMs Gap after which a new session starts.
   * @param newId Id factory (e.g. {@link createUid}).
   */
  constructor(
    private readonly idleMs: number,
    private readonly newId: () => string,
  ) {}

  /** The session id for an event at `ts`; records `ts` as activity. Rotates after an idle gap. */
  touch(ts: number): string {
    const s = this.state;
    if (s === undefined || ts - s.lastActivity > this.idleMs || ts < s.startedAt - this.idleMs) {
      this.state = { id: this.newId(), startedAt: ts, lastActivity: ts };
      return this.state.id;
    }
    if (ts > s.lastActivity) s.lastActivity = ts;
    return s.id;
  }

  /** The current session, if any (a copy). */
  get current(): SessionState | undefined {
    return this.state === undefined ? undefined : { ...this.state };
  }

  /**
   * Continues a session persisted by an earlier page when it is still live. If this page already
   * started its own session within the idle window of `prev`, that session is replaced by `prev`
   * and the replaced id is returned (so queued events can be relabelled); otherwise `undefined`.
   */
  adopt(prev: SessionState | undefined): string | undefined {
    if (prev === undefined || typeof prev.id !== 'string' || !Number.isFinite(prev.lastActivity)) return undefined;
    const s = this.state;
    if (s === undefined) {
      this.state = { ...prev };
      return undefined;
    }
    if (s.id === prev.id) {
      s.lastActivity = Math.max(s.lastActivity, prev.lastActivity);
      return undefined;
    }
    if (s.startedAt - prev.lastActivity <= this.idleMs && s.startedAt >= prev.startedAt) {
      const replaced = s.id;
      this.state = { id: prev.id, startedAt: prev.startedAt, lastActivity: Math.max(s.lastActivity, prev.lastActivity) };
      return replaced;
    }
    return undefined;
  }
}
