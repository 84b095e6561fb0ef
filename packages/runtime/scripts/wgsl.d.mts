import type { Plugin } from 'rollup';

/** A rollup / vite plugin: a module `*.wgsl` becomes `export default "<its source>"`. */
export declare function wgslPlugin(): Plugin;
