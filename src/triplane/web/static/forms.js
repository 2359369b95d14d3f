/* Forms that keep what you typed (web/forms.py): a refused form (422 and other 4xx) comes back
   from the server as the page; HTMX swaps only the form (hx-select) and focus goes to the first
   field that needs fixing. Without JS the whole page comes back, with the same content. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (evt) {
    // the form that asked (detail.elt is the swap's target, which may be a region around it)
    var elt = evt.detail.requestConfig ? evt.detail.requestConfig.elt : evt.detail.elt;
    var status = evt.detail.xhr.status;
    if (elt && elt.matches && elt.matches("form[data-keep]") && status >= 400 && status < 500 &&
        status !== 401 && status !== 403) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var id = evt.detail.requestConfig && evt.detail.requestConfig.elt && evt.detail.requestConfig.elt.id;
    var form = id ? document.getElementById(id) : null;
    var scope = form || (evt.detail.target && document.getElementById(evt.detail.target.id));
    if (!scope) return;
    var first = scope.querySelector('[aria-invalid="true"]') || scope.querySelector(".form-error");
    if (first) {
      if (!first.matches("input, select, textarea")) first.setAttribute("tabindex", "-1");
      first.focus();
    }
  });
})();
