// LocalRec in a mini-program: events are validated, batched and stored in wx storage on this
// device (1 MB per key, 10 MB in total — the store packs them into chunks and evicts the oldest
// first), and recommendations come from the model running in this thread. Nothing about the
// shopper is sent anywhere: the only network request is the model download (wx.request).
const { createMiniProgramLocalRec, detectMiniProgram, miniProgramTfPlatform } = require('@localrec/miniprogram');

/** Where the model bundle is downloaded from. Add its host to the mini-program's request domain list. */
const MODEL_URL = 'https://models.example.com/demo-shop/';

/**
 * The model runtime (runtime/index.js: Runtime + tfjs webgl/cpu, ~730 KB), made by
 * `pnpm --dir examples/miniprogram build:runtime`. Without it the app records and answers with
 * `source: 'fallback'` (no model).
 */
function loadRuntime() {
  try {
    return require('./runtime/index.js');
  } catch (e) {
    return undefined;
  }
}

App({
  onLaunch() {
    this.env = detectMiniProgram();
    const runtime = loadRuntime();
    // tfjs finds no platform in a mini-program (neither browser nor Node): give it one over wx.
    if (runtime) runtime.installTfPlatform(miniProgramTfPlatform(wx));
    this.rec = createMiniProgramLocalRec(wx, {
      appId: 'demo-shop',
      onError: (e) => console.warn('[localrec]', e.code, e.message),
      // The runtime reads the same wx storage the SDK writes; deps.fetch is wxFetch(wx) (no fetch here).
      runtime: runtime ? { create: (deps) => new runtime.Runtime(deps), modelUrl: MODEL_URL, cache: false } : undefined,
    });
  },
  // Mini-programs have no pagehide: write what is queued when the app goes to the background.
  onHide() {
    this.rec.flush();
  },
  /** Records one behaviour and writes it at once (a page may be closed right after a tap). */
  track(type, data) {
    this.rec.track(type, data); // an invalid event is reported to onError, never thrown
    return this.rec.flush();
  },
});
