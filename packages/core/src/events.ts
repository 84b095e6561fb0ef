/** Behaviour types the SDK knows. Custom types use a namespaced name: `"ns:name"`. */
export const STANDARD_EVENT_TYPES = [
  'view',
  'click',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
  'favorite',
  'like',
  'share',
  'comment',
  'rate',
  'search',
  'impression',
  'follow',
] as const;

export type StandardEventType = (typeof STANDARD_EVENT_TYPES)[number];
/** A custom event type: `namespace:name`, both `[a-z0-9_-]`, e.g. `shop:wishlist_open`. */
export type CustomEventType = `${string}:${string}`;
export type EventType = StandardEventType | CustomEventType;

/** Where on the page the event happened. All optional. */
export interface EventContext {
  page?: string;
  position?: number;
  listId?: string;
  /** Attribution of an inbound share link (`?ref=` style), host-supplied opaque id. */
  ref?: string;
}

/**
 * The `data` argument of `track(type, data)`. Which fields are required depends on the type:
 * item events need `itemId`; `search` needs `query`; `impression` needs `items`; `follow` needs `friendId`.
 */
export interface TrackData {
  itemId?: string;
  /** view: time on the item in milliseconds. */
  dwellMs?: number;
  /** purchase / add_to_cart / remove_from_cart. */
  quantity?: number;
  /** purchase: unit price. */
  price?: number;
  currency?: string;
  /** share: e.g. "wechat", "link". */
  channel?: string;
  /** share / like / comment / follow: opaque friend id chosen by the host. */
  friendId?: string;
  /** share: whether the item came from (`in`) or went to (`out`) the friend. */
  direction?: 'in' | 'out';
  /** rate: 1–5. */
  rating?: number;
  /** search: query text. */
  query?: string;
  /** impression: the item ids shown, in order. */
  items?: string[];
  /** impression: which recommendation list produced them (e.g. "recommend"). */
  source?: string;
  /** comment: length of the comment; the SDK never stores comment text. */
  commentLength?: number;
  /** custom events: flat scalar properties. */
  props?: Record<string, string | number | boolean>;
  context?: EventContext;
  /** Override of the event time (ms since epoch). Default: now. */
  timestamp?: number;
}

/** A validated event, ready for storage (no id yet). */
export interface NewEvent {
  /** Globally unique event id (used to make writes idempotent across tabs and retries). */
  uid: string;
  type: EventType;
  /** ms since epoch. */
  ts: number;
  sessionId: string;
  itemId?: string;
  /** The type-specific fields of {@link TrackData}, validated, without itemId/context/timestamp. */
  data: Omit<TrackData, 'itemId' | 'context' | 'timestamp'>;
  context?: EventContext;
  /** Abnormal-behaviour flags (e.g. "burst"); flagged events are kept but excluded from models. */
  flags?: string[];
}

/** A stored event: the store assigns a monotonically increasing `seq`. */
export interface StoredEvent extends NewEvent {
  seq: number;
}
