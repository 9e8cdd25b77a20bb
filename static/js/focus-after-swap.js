"use strict";
// After htmx swaps in the answer to a form (the item page's forms replace #item-live), the
// form that had the focus is gone and the browser drops the focus to the top of the document.
// Move it to the answer's message instead (marked data-swap-focus, with tabindex="-1"), or,
// when the answer shows errors, to the first of them, so a keyboard or screen reader user
// goes on from what just happened. Swaps that a form did not ask for (polling) move nothing.
(function () {
  const MESSAGE = "[data-swap-focus], .alert-danger, .is-invalid";

  document.addEventListener("htmx:afterSettle", function (event) {
    const asker = event.detail.requestConfig && event.detail.requestConfig.elt;
    const region = event.target;
    if (!asker || asker.tagName !== "FORM" || !(region instanceof Element) || !region.isConnected) {
      return;
    }
    const message = region.matches(MESSAGE) ? region : region.querySelector(MESSAGE);
    if (!message) {
      return;
    }
    if (!message.matches("a[href], button, input, select, textarea, [tabindex]")) {
      message.setAttribute("tabindex", "-1");
    }
    message.focus();
  });
})();
