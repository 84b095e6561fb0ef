const app = getApp();

const PRODUCTS = [
  { id: 'SKU-1', name: 'Blue Kettle' },
  { id: 'SKU-2', name: 'Tea Cups (set of 4)' },
  { id: 'SKU-3', name: 'Loose-leaf Green Tea' },
  { id: 'SKU-4', name: 'Bamboo Tray' },
  { id: 'SKU-5', name: 'Tea Towel' },
];
const nameOf = (id) => (PRODUCTS.find((p) => p.id === id) || { name: id }).name;

Page({
  data: { products: PRODUCTS, recent: [], storage: '', count: 0, recommendations: [], recommendNote: '' },

  onShow() {
    this.refresh();
  },

  async onView(e) {
    await app.track('view', { itemId: e.currentTarget.dataset.id, context: { page: 'index' } });
    this.refresh();
  },

  async onAddToCart(e) {
    await app.track('add_to_cart', { itemId: e.currentTarget.dataset.id, quantity: 1, context: { page: 'index' } });
    this.refresh();
  },

  async onForget() {
    const res = await app.recorder.forget();
    wx.showToast({ title: res.verified ? 'Erased' : 'Not fully erased', icon: 'none' });
    this.refresh();
  },

  async refresh() {
    const seq = await app.recorder.recentSequence();
    const recent = seq.slice(-5).reverse().map((s) => ({ id: s.itemId, name: nameOf(s.itemId) }));
    const dump = await app.recorder.exportData();
    const rec = await this.recommend();
    this.setData({ recent, storage: app.recorder.status.storage, count: dump.events.length, ...rec });
  },

  /**
   * Recommendations come from the LocalRec runtime (the model in the logic thread through
   * `inThread(...)`, or in a wx worker through `connectMiniProgramWorker(...)`). Until the
   * runtime's mini-program build is added to this project (see README), say so.
   */
  async recommend() {
    if (!app.recommender) return { recommendations: [], recommendNote: 'No model runtime in this build yet (see README).' };
    const res = await app.recommender.recommend({ k: 3 });
    return {
      recommendations: res.items.map((i) => ({ id: i.itemId, name: nameOf(i.itemId), reason: i.reason.text })),
      recommendNote: res.source === 'model' ? '' : `Fallback: ${res.fallbackReason}`,
    };
  },
});
