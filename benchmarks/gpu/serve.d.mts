import type { StaticServer } from '../../test/static-server.d.mts';

/** Serves benchmarks/gpu with the built runtime (/runtime/) and models/ (/models/); default 127.0.0.1, any free port. */
export declare function startGpuBenchServer(o?: { port?: number; host?: string }): Promise<StaticServer>;
