import type { OutputOptions, RollupOptions } from 'rollup';
/** The rollup options of the mini-program runtime file (see runtime-build.mjs); `modules` fills during a build. */
export function miniProgramRuntimeOptions(): Promise<{ input: RollupOptions; output: OutputOptions; modules: string[] }>;
/** Builds the mini-program runtime file (see runtime-build.mjs) in memory. */
export function buildMiniProgramRuntime(): Promise<{ code: string; modules: string[] }>;
