import { useCallback, useEffect, useState } from 'react';
import { fetchList, type ElementRecommender, type ListRequest } from '@localrec/elements';

/** The result type of the SDK's list methods (what `recommend()` resolves to). */
export type RecommendResult = Awaited<ReturnType<ElementRecommender['recommend']>>;

/** What {@link useRecommendations} returns. */
export interface RecommendationsState {
  /** The answer (undefined on the server, while the first request is under way, or after an error). */
  result: RecommendResult | undefined;
  /** A request is under way (also on the server and in the first client render: nothing asked yet). */
  loading: boolean;
  /** The last request's error (a `LocalRecError`: e.g. `INVALID_ARGUMENT` naming the bad field). */
  error: unknown;
  /** Asks again (e.g. after the cart changed). */
  refresh: () => void;
}

/**
 * One list of recommendations for `request`, asked from `rec` after mount and again whenever the
 * request changes (compared by value) or {@link RecommendationsState.refresh} is called. Without a
 * recommender (yet) nothing is asked. An answer that arrives after a newer request is dropped.
 */
export function useRecommendations(rec: ElementRecommender | undefined, request: ListRequest): RecommendationsState {
  const key = JSON.stringify(request);
  const [state, setState] = useState<{ result: RecommendResult | undefined; error: unknown; loading: boolean }>({
    result: undefined,
    error: undefined,
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (!rec) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    fetchList(rec, JSON.parse(key) as ListRequest).then(
      (result) => live && setState({ result, error: undefined, loading: false }),
      (error: unknown) => live && setState({ result: undefined, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [rec, key, round]);
  const refresh = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, refresh };
}
