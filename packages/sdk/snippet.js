(function (w, d, src) {
  // LocalRec async loader. Calls made before the SDK arrives are queued in order and replayed by
  // it; each returns a Promise of its eventual result. Paste once, before any LocalRec call.
  var lr = (w.LocalRec = w.LocalRec || []);
  if (lr.loaded || lr.invoked) {
    if (w.console) console.warn('LocalRec: snippet included twice; ignoring the second copy.');
    return;
  }
  lr.invoked = true;
  lr.methods = ['init', 'track', 'setConsent', 'flush', 'exportData', 'forgetMe',
    'recommend', 'similar', 'rank', 'setCatalog', 'runtimeStatus', 'destroy',
    'getProfile', 'getSegments', 'setSocialContext', 'recentlyViewed', 'buyAgain', 'trending',
    'frequentlyBoughtTogether', 'trendingFacets', 'forSearch', 'next'];
  lr.factory = function (method) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      return new Promise(function (resolve, reject) {
        lr.push([method, args, resolve, reject]);
      });
    };
  };
  for (var i = 0; i < lr.methods.length; i++) lr[lr.methods[i]] = lr.factory(lr.methods[i]);
  var s = d.createElement('script');
  s.async = true;
  s.src = src;
  (d.head || d.documentElement).appendChild(s);
})(window, document, '/sdk/localrec.min.js');
