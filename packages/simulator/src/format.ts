import { invalid } from './errors.js';
import { SIM_EVENT_TYPES, type SimEvent, type SimEventType } from './simulate.js';

/** Output options of the writers. */
export interface WriteOptions {
  /**
   * Also write each event's session id and type-specific data (JSON Lines: `sessionId`, `data`;
   * CSV: a `session` column). The trainer ignores them; a replay (issue 5) needs them. Default false.
   */
  extended?: boolean;
}

/** An event as read back from a log: the session and data are present only in extended logs. */
export type LoggedEvent = Omit<SimEvent, 'sessionId'> & { sessionId?: string };

/**
 * The trainer's JSON Lines log format, one event per line:
 * `{"user":"u0001","item":"SKU-00042","ts":1700000000000,"type":"view"}` (no `item` on searches).
 */
export function toJsonLines(events: readonly SimEvent[], options: WriteOptions = {}): string {
  let out = '';
  for (const e of events) {
    const row: Record<string, unknown> = { user: e.user };
    if (e.item !== undefined) row.item = e.item;
    row.ts = e.ts;
    row.type = e.type;
    if (options.extended) {
      row.sessionId = e.sessionId;
      if (e.data) row.data = e.data;
    }
    out += `${JSON.stringify(row)}\n`;
  }
  return out;
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The trainer's CSV log format: header `user,item,timestamp,type` (plus `session` when extended),
 * timestamps in ms since the epoch, an empty item on searches, RFC 4180 quoting where needed.
 */
export function toCsv(events: readonly SimEvent[], options: WriteOptions = {}): string {
  const lines = [options.extended ? 'user,item,timestamp,type,session' : 'user,item,timestamp,type'];
  for (const e of events) {
    const f = [csvField(e.user), csvField(e.item ?? ''), String(e.ts), e.type];
    if (options.extended) f.push(csvField(e.sessionId));
    lines.push(f.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Reads a simulator JSON Lines log back (e.g. to replay its sessions). Throws INVALID_ARGUMENT
 * naming the line of the first malformed row.
 */
export function fromJsonLines(text: string): LoggedEvent[] {
  const out: LoggedEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw invalid(`line ${i + 1}: not valid JSON (${(e as Error).message})`, 'text');
    }
    const type = v.type as SimEventType;
    if (
      typeof v.user !== 'string' ||
      typeof v.ts !== 'number' ||
      !SIM_EVENT_TYPES.includes(type) ||
      (v.item !== undefined && typeof v.item !== 'string')
    ) {
      throw invalid(
        `line ${i + 1}: expected {user: string, item?: string, ts: number, type}, got ${line.slice(0, 120)}`,
        'text',
        SIM_EVENT_TYPES,
      );
    }
    const e: LoggedEvent = { user: v.user, ts: v.ts, type };
    if (typeof v.item === 'string') e.item = v.item;
    if (typeof v.sessionId === 'string') e.sessionId = v.sessionId;
    if (v.data && typeof v.data === 'object') e.data = v.data;
    out.push(e);
  });
  return out;
}
