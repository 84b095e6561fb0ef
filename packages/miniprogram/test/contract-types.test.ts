/**
 * Both sides of the page↔runtime contract implement it: this file fails to COMPILE (`pnpm
 * typecheck`) if either drifts. The runtime's `Runtime` class is a `RuntimeApi`; what every
 * transport-built connector hands the SDK (worker / main thread, mini-program in-thread) is the
 * SDK's `RecommenderApi` with every method present; the SDK's and mini-program's names are the
 * contract's own types, not copies. (It lives here because this package sees all sides: the
 * contract, the SDK, the transports and, as a dev dependency, the runtime.)
 */
import { describe, expect, it } from 'vitest';
import { RUNTIME_METHODS } from '@localrec/contract';
import type * as Contract from '@localrec/contract';
import type { Runtime } from '@localrec/runtime';
import type { workerRuntime } from '@localrec/runtime/connector';
import type * as Sdk from '@localrec/sdk';
import type { RuntimeTransport, TransportLink } from '@localrec/transport';
import { createContractRuntime } from '@localrec/transport/testing';
import { inThreadRuntime } from '../src/index.js';
import type * as Mp from '../src/index.js';

/** True when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
const holds = <T extends true>(): T => true as T;

// The runtime implements the worker side of the contract (the worker exposes exactly this).
const runtimeImplements = (r: Runtime): Contract.RuntimeApi => r;
// The method list adapters forward by is complete.
holds<Equal<(typeof RUNTIME_METHODS)[number], keyof Contract.RuntimeApi>>();

// What the connectors hand the SDK: the SDK's recommender, with EVERY method (an unforwarded
// getProfile, as the mini-program's had, fails here).
type Connected<C> = C extends { connect(ctx: never): Promise<infer R> } ? R : never;
const workerAnswers = (c: Connected<ReturnType<typeof workerRuntime>>): Required<Sdk.RecommenderApi> => c;
const inThreadAnswers = (c: Connected<ReturnType<typeof inThreadRuntime>>): Required<Sdk.RecommenderApi> => c;
const connectorsPlug = (w: ReturnType<typeof workerRuntime>, m: ReturnType<typeof inThreadRuntime>): Sdk.RuntimeConnector[] => [w, m];
// A transport link speaks the runtime's whole API.
const linkSpeaks = (l: TransportLink, t: RuntimeTransport): [Contract.RuntimeApi, Promise<TransportLink>] => [l.api, t.open()];

// The SDK's and the mini-program's names are the contract's types themselves.
holds<Equal<Sdk.RecommenderApi, Contract.RecommenderApi>>();
holds<Equal<Sdk.ConnectContext, Contract.ConnectContext>>();
holds<Equal<Sdk.RuntimeConnector, Contract.RuntimeConnector>>();
holds<Equal<Sdk.ShopperProfile, Contract.ShopperProfile>>();
holds<Equal<Sdk.SegmentsResult, Contract.SegmentsResult>>();
holds<Equal<Sdk.SocialContextInput, Contract.SocialContextInput>>();
holds<Equal<Mp.InThreadRuntimeTarget, Contract.RuntimeApi>>();
holds<Equal<Mp.LoadProgressLike, Contract.LoadProgress>>();
holds<Equal<Mp.RuntimeBackendName, Contract.BackendName>>();
holds<Equal<Mp.InThreadRecommender, Contract.ConnectedRuntime>>();
// The mini-program's factory takes the runtime as it is.
const runtimeFitsInThread = (r: Runtime): Mp.InThreadRuntimeTarget => r;
// The SDK's facade answers what the runtime answers.
holds<Equal<Awaited<ReturnType<Sdk.LocalRec['getProfile']>>, Awaited<ReturnType<Contract.RuntimeApi['getProfile']>>>>();
holds<Equal<Awaited<ReturnType<Sdk.LocalRec['getSegments']>>, Awaited<ReturnType<Contract.RuntimeApi['getSegments']>>>>();

describe('page↔runtime contract', () => {
  it('compiles (see above); the in-thread connector answers every contract method but the two it runs itself', async () => {
    expect(
      [runtimeImplements, workerAnswers, inThreadAnswers, connectorsPlug, linkSpeaks, runtimeFitsInThread].every(
        (f) => typeof f === 'function',
      ),
    ).toBe(true);
    const api = await inThreadRuntime(
      () => {
        throw new Error('not opened');
      },
      { create: () => createContractRuntime(), modelUrl: 'https://m.example/', backends: ['cpu'] },
    ).connect({ appId: 'a', consent: 'granted' });
    const own = RUNTIME_METHODS.filter((m) => m !== 'init' && m !== 'setConsent');
    expect(own.filter((m) => typeof (api as unknown as Record<string, unknown>)[m] !== 'function')).toEqual([]);
    await api.dispose();
  });
});
