// LocalRec in a mini-program: events are validated, batched and stored in wx storage on this
// device (1 MB per key, 10 MB in total — the store packs them into chunks and evicts the oldest
// first). Nothing is sent anywhere.
const { createMiniProgramRecorder, detectMiniProgram } = require('@localrec/miniprogram');

App({
  onLaunch() {
    this.env = detectMiniProgram();
    this.recorder = createMiniProgramRecorder(wx, { appId: 'demo-shop' }, {
      onError: (e) => console.warn('[localrec]', e.code, e.message),
    });
  },
  // Mini-programs have no pagehide: flush what is queued when the app goes to the background.
  onHide() {
    this.recorder.flush();
  },
  /** Records one behaviour and writes it at once (a page may be closed right after a tap). */
  track(type, data) {
    try {
      this.recorder.record(type, data);
    } catch (e) {
      console.warn('[localrec] invalid event', e.field, e.message);
      return Promise.resolve();
    }
    return this.recorder.flush();
  },
});
