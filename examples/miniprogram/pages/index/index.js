const app = getApp();

// Six products of the demo shop's catalog (models/demo-shop was trained on it).
const PRODUCTS = [
  { id: 'SKU-00001', name: 'Tealeaf & Stone Copper Matcha Whisk Set' },
  { id: 'SKU-00005', name: 'Brewhaus Everyday Burr Grinder Mini' },
  { id: 'SKU-00014', name: 'Tealeaf & Stone Classic Loose Leaf Tea' },
  { id: 'SKU-00003', name: 'Deepwave Portable Wireless Earbuds' },
  { id: 'SKU-00017', name: 'Hush Hi-Fi Over-Ear Headphones' },
  { id: 'SKU-00028', name: 'Clarion Audio Studio USB Microphone' },
];
const nameOf = (id) => (PRODUCTS.find((p) => p.id === id) || { name: id }).name;

Page({
  data: { products: PRODUCTS, recent: [], storage: '', count: 0, recommendations: [], recommendNote: '' },

  onShow() {
    return this.refresh();
  },

  async onView(e) {
    await app.track('view', { itemId: e.currentTarget.dataset.id, context: { page: 'index' } });
    return this.refresh();
  },

  async onAddToCart(e) {
    await app.track('add_to_cart', { itemId: e.currentTarget.dataset.id, quantity: 1, context: { page: 'index' } });
    return this.refresh();
  },

  async onForget() {
    const proof = await app.rec.forgetMe();
    wx.showToast({ title: proof.verified ? 'Erased' : 'Not fully erased', icon: 'none' });
    return this.refresh();
  },

  async refresh() {
    const { events } = await app.rec.exportData();
    const recent = events
      .slice(-5)
      .reverse()
      .map((e) => ({ id: e.uid, name: `${e.type} ${nameOf(e.itemId)}` }));
    const rec = await this.recommend();
    this.setData({ recent, storage: app.rec.status.storage, count: events.length, ...rec });
  },

  /** "Recommended for you": the model's answer with its reasons, or the fallback it is on. */
  async recommend() {
    const res = await app.rec.recommend({ k: 3 });
    return {
      recommendations: res.items.map((i) => ({ id: i.itemId, name: nameOf(i.itemId), reason: i.reason.text })),
      recommendNote: res.source === 'model' ? `On-device model ${res.modelVersion} (${res.backend})` : `Fallback: ${res.fallbackReason}`,
    };
  },
});
