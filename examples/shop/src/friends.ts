/**
 * "Friends (simulated)": made-up friends with opaque ids, standing in for the social data a real
 * shop already has on its page (friends who liked or bought an item, items friends shared). Turning
 * friends on hands their activity to `LocalRec.setSocialContext(...)`: the runtime keeps it in
 * memory only, for its lifetime, and blends it into the ranking — so recommendations can say
 * "3 friends liked this" or "Shared by a friend". Nothing is stored or sent.
 */
import type { LocalRec } from '@localrec/sdk';
import type { Catalog } from './catalog.js';
import { $, h, replace } from './dom.js';

type SocialContextInput = NonNullable<Parameters<LocalRec['setSocialContext']>[0]>;

/** A made-up friend: an opaque id (as a host would pass) and how active they are across the shop. */
interface Friend {
  id: string;
  name: string;
  /** Share of the catalog they liked, bought, and shared with this visitor. */
  like: number;
  buy: number;
  share: number;
}

const FRIENDS: readonly Friend[] = [
  { id: 'fr-7c1a', name: 'Ana', like: 0.4, buy: 0.1, share: 0.04 },
  { id: 'fr-22d9', name: 'Ben', like: 0.3, buy: 0.12, share: 0 },
  { id: 'fr-90be', name: 'Chen', like: 0.35, buy: 0.06, share: 0.03 },
  { id: 'fr-4e03', name: 'Dara', like: 0.25, buy: 0.12, share: 0.02 },
];

/** How long the context lives in the runtime (it is sent again on every change). */
const TTL_MS = 30 * 60_000;

/** FNV-1a, then murmur3's finaliser (FNV alone is biased on such similar strings), to [0, 1): the same friend always likes the same products. */
function unit(s: string): number {
  let x = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 0x01000193);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 2 ** 32;
}

interface Activity {
  liked: Set<string>;
  bought: Set<string>;
  shared: Set<string>;
}

function activityOf(f: Friend, catalog: Catalog): Activity {
  const a: Activity = { liked: new Set(), bought: new Set(), shared: new Set() };
  for (const p of catalog.products) {
    if (unit(`${f.id}|like|${p.id}`) < f.like) a.liked.add(p.id);
    if (unit(`${f.id}|buy|${p.id}`) < f.buy) a.bought.add(p.id);
    if (unit(`${f.id}|share|${p.id}`) < f.share) a.shared.add(p.id);
  }
  return a;
}

/** The social context of the friends turned on, or null when none is. */
function socialContextOf(on: ReadonlyArray<{ friend: Friend; activity: Activity }>): SocialContextInput | null {
  if (on.length === 0) return null;
  const items: SocialContextInput['items'] = {};
  const entry = (id: string) => (items[id] ??= { friendsLiked: 0, friendsBought: 0, sharedBy: [] });
  for (const { friend, activity } of on) {
    for (const id of activity.liked) entry(id).friendsLiked! += 1;
    for (const id of activity.bought) entry(id).friendsBought! += 1;
    for (const id of activity.shared) (entry(id).sharedBy as string[]).push(friend.id);
  }
  return { items, ttlMs: TTL_MS };
}

/**
 * Fills `#friends` with one toggle per made-up friend. `onChange` runs after the runtime has the
 * new context (the shop re-asks its recommendation sections then).
 */
export function mountFriends(catalog: Catalog, getRec: () => LocalRec | undefined, onChange: () => void): void {
  const friends = FRIENDS.map((friend) => ({ friend, activity: activityOf(friend, catalog), on: false }));
  const status = h('p', { class: 'note', id: 'friends-status' }, 'No social context: recommendations use your history only.');
  const apply = async (): Promise<void> => {
    const rec = getRec();
    if (!rec) {
      status.textContent = 'LocalRec is still loading.';
      return;
    }
    const ctx = socialContextOf(friends.filter((f) => f.on));
    try {
      const r = (await rec.setSocialContext(ctx)) as { items: number; expiresAt: number } | null;
      status.textContent = r
        ? `Social context of ${friends.filter((f) => f.on).length} friend(s): ${r.items} products, held in memory until ${new Date(r.expiresAt).toLocaleTimeString()}.`
        : 'No social context: recommendations use your history only.';
    } catch (e) {
      status.textContent = `setSocialContext failed: ${String(e)}`;
    }
    onChange();
  };
  const rows = friends.map((f) => {
    const { liked, bought, shared } = f.activity;
    const button = h('button', { type: 'button', class: 'friend-toggle', 'data-friend': f.friend.id, 'aria-pressed': 'false' }, 'Off');
    button.addEventListener('click', () => {
      f.on = !f.on;
      button.setAttribute('aria-pressed', String(f.on));
      button.textContent = f.on ? 'On' : 'Off';
      void apply();
    });
    return h(
      'li',
      { class: 'friend' },
      h(
        'span',
        {},
        h('strong', {}, f.friend.name),
        ' ',
        h('span', { class: 'meta' }, `(${f.friend.id})`),
        h('br', {}),
        h('span', { class: 'meta' }, `liked ${liked.size}, bought ${bought.size}, shared ${shared.size} with you`),
      ),
      button,
    );
  });
  replace(
    $('#friends'),
    h(
      'p',
      { class: 'note' },
      'Made-up friends with opaque ids — a real shop would pass what it already knows. Turning one on hands their likes, purchases and shares to ',
      h('code', {}, 'LocalRec.setSocialContext()'),
      ': memory only, for 30 minutes, never stored or sent. Recommendations then say so.',
    ),
    h('ul', { class: 'friends' }, ...rows),
    status,
  );
}
