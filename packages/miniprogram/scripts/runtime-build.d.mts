/** Builds the mini-program runtime file (see runtime-build.mjs) in memory. */
export function buildMiniProgramRuntime(): Promise<{ code: string; modules: string[] }>;
