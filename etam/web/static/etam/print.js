/* A "Print" button (issue 15): shown and wired only when scripts run; without them the
   page says to use the browser's own print command. No inline script (CSP, ADR 0078). */
(function (d) {
  'use strict';
  function start() {
    Array.prototype.forEach.call(d.querySelectorAll('[data-print]'), function (b) {
      b.hidden = false;
      b.addEventListener('click', function () { window.print(); });
    });
    Array.prototype.forEach.call(d.querySelectorAll('[data-print-hint]'), function (p) { p.hidden = true; });
  }
  if (d.readyState === 'loading') d.addEventListener('DOMContentLoaded', start); else start();
})(document);
