/** A .wgsl shader source inlined as text at build time (packages/runtime/scripts/wgsl.mjs). */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
