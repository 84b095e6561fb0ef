/** A .wat module assembled to wasm bytes at build time (packages/runtime/scripts/wat.mjs). */
declare module '*.wat' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
