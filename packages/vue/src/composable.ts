import { onMounted, ref, shallowRef, watch, type InjectionKey, type Ref, type ShallowRef } from 'vue';
import { fetchList, type ElementRecommender, type ListRequest } from '@localrec/elements';

/** The result type of the SDK's list methods (what `recommend()` resolves to). */
export type RecommendResult = Awaited<ReturnType<ElementRecommender['recommend']>>;

/** Where components find the app's recommender: `app.provide(RECOMMENDER, rec)` (a prop wins). */
export const RECOMMENDER: InjectionKey<ElementRecommender> = Symbol('localrec.recommender');

/** What {@link useRecommendations} returns. */
export interface RecommendationsState {
  /** The answer (undefined on the server, before the first answer, or after an error). */
  result: ShallowRef<RecommendResult | undefined>;
  /** A request is under way (true on the server and before mount: nothing asked yet). */
  loading: Ref<boolean>;
  /** The last request's error (a `LocalRecError`: e.g. `INVALID_ARGUMENT` naming the bad field). */
  error: ShallowRef<unknown>;
  /** Asks again (e.g. after the cart changed). */
  refresh: () => Promise<void>;
}

/**
 * One list of recommendations: asked from the recommender once mounted (never on the server) and
 * again whenever the request (a getter, compared by value) or the recommender changes. An answer
 * that arrives after a newer request is dropped.
 */
export function useRecommendations(recommender: () => ElementRecommender | undefined, request: () => ListRequest): RecommendationsState {
  const result = shallowRef<RecommendResult | undefined>();
  const error = shallowRef<unknown>();
  const loading = ref(true);
  let round = 0;
  let mounted = false;
  const refresh = async () => {
    const rec = recommender();
    if (!rec || !mounted) return;
    const n = ++round;
    loading.value = true;
    try {
      const r = await fetchList(rec, request());
      if (n !== round) return;
      result.value = r;
      error.value = undefined;
    } catch (e) {
      if (n !== round) return;
      result.value = undefined;
      error.value = e;
    } finally {
      if (n === round) loading.value = false;
    }
  };
  onMounted(() => {
    mounted = true;
    void refresh();
  });
  watch([() => JSON.stringify(request()), recommender], () => void refresh());
  return { result, loading, error, refresh };
}
