/* The demo shop page (templates/chat/demo.html): single-page navigation with
 * history.pushState, so the widget's page reporting can be seen in the console. */
(function () {
  "use strict";

  var baseTitle = document.title;
  // The site's widget colour (CSSOM: no inline style for the Content-Security-Policy).
  if (document.body.dataset.brand) {
    document.documentElement.style.setProperty("--brand", document.body.dataset.brand);
  }
  var viewLabel = document.getElementById("demo-view");
  var buttons = document.querySelectorAll(".js-spa");

  function show(view, title) {
    viewLabel.textContent = title || "Home";
    document.title = title ? title + " — " + baseTitle : baseTitle;
    Array.prototype.forEach.call(buttons, function (button) {
      if (button.dataset.view === view) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    });
  }

  function viewFromUrl() {
    var view = new URLSearchParams(location.search).get("view");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].dataset.view === view) return buttons[i];
    }
    return null;
  }

  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener("click", function () {
      var params = new URLSearchParams(location.search);
      params.set("view", button.dataset.view);
      history.pushState({ view: button.dataset.view }, "", "?" + params.toString());
      show(button.dataset.view, button.dataset.title);
    });
  });

  window.addEventListener("popstate", function () {
    var button = viewFromUrl();
    show(button && button.dataset.view, button && button.dataset.title);
  });

  var initial = viewFromUrl();
  if (initial) show(initial.dataset.view, initial.dataset.title);

  var cart = document.getElementById("demo-cart");
  Array.prototype.forEach.call(document.querySelectorAll(".js-add"), function (button) {
    button.addEventListener("click", function () {
      cart.textContent = String(Number(cart.textContent) + 1);
    });
  });

  var copy = document.getElementById("demo-copy");
  if (copy) {
    copy.addEventListener("click", function () {
      var text = document.getElementById("demo-snippet").textContent;
      var done = function () {
        var label = copy.textContent;
        copy.textContent = copy.dataset.copied;
        setTimeout(function () { copy.textContent = label; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { selectSnippet(); });
      } else {
        selectSnippet();
      }
    });
  }

  function selectSnippet() {
    var range = document.createRange();
    range.selectNodeContents(document.getElementById("demo-snippet"));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
})();
