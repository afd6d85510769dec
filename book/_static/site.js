// The book's own behaviour on top of sphinx-book-theme (no dependencies, nothing fetched):
// 1. figures shown much smaller than they were laid out (a phone) get an "Enlarge figure"
//    button that shows them at full size in a sideways-scrolling frame;
// 2. the "Colab" button of a locally built site (no site address configured) gets the page's
//    own address for the notebook it opens.
(function () {
  "use strict";

  var SHRUNK = 0.8; // offer to enlarge below this share of the figure's laid-out width

  function cssWidth(img) {
    var attribute = parseFloat(img.getAttribute("width"));
    if (attribute) return attribute;
    var styled = parseFloat(img.style.width);
    if (styled) return styled;
    return img.naturalWidth || 0;
  }

  function frameFor(img) {
    var parent = img.parentElement;
    if (parent.classList.contains("explorable-frame")) {
      parent.classList.add("figure-frame");
      return parent;
    }
    var frame = document.createElement("div");
    frame.className = "figure-frame";
    parent.insertBefore(frame, img);
    frame.appendChild(img);
    return frame;
  }

  function setUpEnlarging(img, number) {
    var frame = frameFor(img);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "figure-enlarge";
    button.setAttribute("aria-pressed", "false");
    button.textContent = "Enlarge figure";
    frame.insertAdjacentElement("afterend", button);
    frame.id = frame.id || "figure-frame-" + number;
    button.setAttribute("aria-controls", frame.id);

    function enlarged() {
      return frame.classList.contains("figure-enlarged");
    }
    function refresh() {
      var width = cssWidth(img);
      var shown = frame.getBoundingClientRect().width;
      var needed = enlarged() || (width > 0 && shown < SHRUNK * width);
      button.classList.toggle("figure-enlarge-needed", needed);
    }
    button.addEventListener("click", function () {
      var on = !enlarged();
      frame.classList.toggle("figure-enlarged", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Fit figure to the page" : "Enlarge figure";
      if (on) {
        img.style.width = cssWidth(img) + "px";
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label", "Enlarged figure, scroll sideways");
      } else {
        img.style.width = img.dataset.styleWidth || "";
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
      }
    });
    img.dataset.styleWidth = img.style.width;
    window.addEventListener("resize", refresh);
    if (img.complete) refresh();
    else img.addEventListener("load", refresh, { once: true });
  }

  function completeColabLinks() {
    document.querySelectorAll("a.btn-colab").forEach(function (link) {
      var marker = "#fileId=";
      var at = link.href.indexOf(marker);
      if (at < 0) return;
      var target = decodeURIComponent(link.getAttribute("href").slice(
        link.getAttribute("href").indexOf(marker) + marker.length));
      if (/^https?:/.test(target)) return;
      var absolute = new URL(target, window.location.href).href;
      link.href = link.href.slice(0, at) + marker + encodeURIComponent(absolute);
    });
  }

  // Formulas are no tab stops, except a displayed formula wider than the page (on a phone): the
  // reader scrolls it sideways, so a keyboard must be able to reach it.
  function focusableWideFormulas() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (formula) {
      var wide = formula.scrollWidth > formula.clientWidth + 1;
      if (wide) {
        formula.setAttribute("tabindex", "0");
        formula.dataset.wide = "true";
      } else if (formula.dataset.wide) {
        formula.setAttribute("tabindex", "-1");
        delete formula.dataset.wide;
      }
    });
  }

  window.addEventListener("load", function () {
    var mathjax = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
    (mathjax || Promise.resolve()).then(focusableWideFormulas);
  });
  var resizing;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(focusableWideFormulas, 200);
  });

  function start() {
    var images = document.querySelectorAll(
      ".bd-article figure img, .bd-article .cell_output img"
    );
    images.forEach(function (img, i) {
      setUpEnlarging(img, i);
    });
    completeColabLinks();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
