// The report's filter: the state is the URL's hash, "rule=JIT&device=ios-17&status=fail"
// (any part left out), so that a link reproduces a filtered view. A hash
// without "=" is an anchor: every run shows, and the one it names opens.
(function () {
  var bar = document.getElementById('filter');
  var shown = document.getElementById('shown');
  var runs = Array.prototype.slice.call(document.querySelectorAll('details.run'));
  var keys = ['rule', 'device', 'status'];
  bar.hidden = false;
  function hash() { return location.hash.slice(1); }
  function state() {
    var s = {};
    if (hash().indexOf('=') < 0) return s;
    hash().split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0) s[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    return s;
  }
  function apply() {
    var s = state(), n = 0;
    keys.forEach(function (k) { bar.elements[k].value = s[k] || ''; });
    runs.forEach(function (r) {
      var d = r.dataset;
      var ok = (!s.rule || (' ' + d.rules + ' ').indexOf(' ' + s.rule + ' ') >= 0) &&
        (!s.device || d.device === s.device) && (!s.status || d.status === s.status);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + runs.length + ' runs shown';
    var id = hash().indexOf('=') < 0 ? decodeURIComponent(hash()) : '';
    var target = id && document.getElementById(id);
    if (target) {
      var run = target.closest('details');
      if (run) run.open = true;
      target.scrollIntoView();
    }
  }
  bar.addEventListener('change', function () {
    var parts = [];
    keys.forEach(function (k) {
      var v = bar.elements[k].value;
      if (v) parts.push(k + '=' + encodeURIComponent(v));
    });
    location.hash = parts.join('&');
  });
  window.addEventListener('hashchange', apply);
  apply();
})();
