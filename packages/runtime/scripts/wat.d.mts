import type { Plugin } from 'rollup';

/** Assembles a .wat file (simd, relaxed_simd) into validated wasm bytes. */
export declare function assembleWat(file: string): Promise<Uint8Array>;
/** A rollup / vite plugin: a module `*.wat` becomes `export default new Uint8Array([...])`. */
export declare function watPlugin(): Plugin;
