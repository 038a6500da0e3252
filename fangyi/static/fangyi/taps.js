// Taps that must count once, for the person on screen (the CSP forbids inline scripts).
//
// 1. A form that changes something carries a form_key (fangyi.core.idempotency): it is
//    sent once. From the first submit until its answer, its buttons are disabled and a
//    second submit is dropped. (The server records a key once anyway; this spares the
//    second request and shows that the tap was taken.)
// 2. A form marked data-arrive-inert="MS" arrives with its buttons inert for MS ms. The
//    outreach attempt screen replaces the previous resident's with the same buttons in
//    the same places, so a second tap meant for the previous person (150–250 ms after the
//    first) would land on the next person's. Chosen over "the result stays on screen
//    with a Next button": that would cost a worker going down the queue one more tap for
//    every resident, while 600 ms is less than it takes to read the next name.
(function () {
  var MARK = "data-taps-disabled";

  function disable(form) {
    form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.setAttribute(MARK, "");
      }
    });
  }

  function enable(root) {
    root.querySelectorAll("[" + MARK + "]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute(MARK);
    });
  }

  function release(form) {
    form.removeAttribute("data-sending");
    if (!form.hasAttribute("data-arriving")) enable(form);
  }

  function arrive(root) {
    var forms = Array.prototype.slice.call(root.querySelectorAll("form[data-arrive-inert]"));
    if (root.matches && root.matches("form[data-arrive-inert]")) forms.push(root);
    forms.forEach(function (form) {
      var ms = parseInt(form.getAttribute("data-arrive-inert"), 10) || 0;
      form.setAttribute("data-arriving", "");
      disable(form);
      setTimeout(function () {
        form.removeAttribute("data-arriving");
        if (!form.hasAttribute("data-sending")) enable(form);
      }, ms);
    });
  }

  // Capture, before htmx's own listener on the form: a dropped submit never reaches it.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form.querySelector || !form.querySelector("input[name=form_key]")) return;
      if (form.hasAttribute("data-sending")) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      form.setAttribute("data-sending", "");
      // Disabled after this event: by then the browser (or htmx) has read the pressed
      // button's value, which a disabled button would leave out of the form's data.
      setTimeout(function () { disable(form); }, 0);
      // No answer at all (the network is gone): the form may be sent again, with the
      // same key, so it is still recorded once.
      setTimeout(function () { if (form.hasAttribute("data-sending")) release(form); }, 20000);
    },
    true
  );

  // An answer htmx did not put on the screen (an error): the form may be sent again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-sending")) release(form);
  });
  // New content (a boosted page, a fragment): arrive at once, in the task of the swap,
  // before the browser handles another tap.
  document.addEventListener("htmx:afterSwap", function (event) { arrive(event.target); });
  // htmx keeps a copy of the page for the Back button: never with disabled buttons.
  document.addEventListener("htmx:beforeHistorySave", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) { form.removeAttribute("data-sending"); });
    enable(document);
  });
  document.addEventListener("htmx:historyRestore", function () { arrive(document); });
  // The browser's own Back (page cache): the page comes back as it was left.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-sending]").forEach(release);
  });

  if (document.readyState !== "loading") arrive(document);
  else document.addEventListener("DOMContentLoaded", function () { arrive(document); });
})();
