/* optlearn site behaviour: small fixes on top of sphinx-book-theme 1.3.0 /
   pydata-sphinx-theme 0.17.1 (each tested in tests/browser/test_site.py). */
(function () {
  "use strict";

  /* 1. Sidebar buttons. pydata-sphinx-theme 0.17 renders its own (hidden) .primary-toggle
     in the top navbar before the book theme's visible one, and both themes bind only the
     first match of document.querySelector(".primary-toggle") (pydata-sphinx-theme issue
     #2451, sphinx-book-theme PR #991): the visible buttons did nothing. Forward a click on
     any other toggle to the bound one, which opens the drawer on a phone and collapses the
     sidebar on a desktop. A second tap on the button (the drawer leaves it uncovered, see
     custom.css) lands on the dialog's backdrop, which the theme closes. */
  function fixSidebarToggles() {
    ["primary", "secondary"].forEach(function (side) {
      var all = document.querySelectorAll("." + side + "-toggle");
      if (all.length < 2) return;
      var bound = all[0];
      Array.prototype.slice.call(all, 1).forEach(function (button) {
        if (!button.getAttribute("aria-label")) {
          button.setAttribute("aria-label", side === "primary" ? "Chapters" : "On this page");
        }
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          bound.click();
        });
      });
    });
  }

  /* 2. Figures: a tap opens the full-resolution image (stored at 2x) in the browser,
     where it can be zoomed. Animation frames are left alone. */
  function linkFigures() {
    document.querySelectorAll(".bd-content .cell_output img, .bd-content figure img").forEach(function (img) {
      if (img.closest("a, .animation, button")) return;
      var src = img.getAttribute("src");
      if (!src) return;
      var a = document.createElement("a");
      a.href = src;
      a.className = "optlearn-figure-link";
      a.setAttribute("aria-label", "Open the figure full size" +
                     (img.alt ? ": " + img.alt : ""));
      if (src.indexOf("data:") === 0) {
        a.addEventListener("click", function (event) {   // data: URLs cannot be navigated to
          event.preventDefault();
          var w = window.open();
          if (w) { w.document.write('<img src="' + src + '" alt="">'); w.document.close(); }
        });
      }
      img.parentNode.insertBefore(a, img);
      a.appendChild(img);
    });
  }

  /* 3. The whole book as a PDF in the download menu, when the build has one: the build
     marks each page with <meta name="optlearn:book-pdf"> (book/_ext/optlearn_sphinx.py). */
  function offerBookPdf() {
    var menu = document.querySelector(".dropdown-download-buttons ul");
    var meta = document.querySelector('meta[name="optlearn:book-pdf"]');
    if (!menu || !meta) return;
    var li = document.createElement("li");
    li.innerHTML = '<a href="' + meta.getAttribute("content") + '" class="btn btn-sm dropdown-item" download ' +
      'title="The whole book as one PDF" data-bs-placement="left" data-bs-toggle="tooltip">' +
      '<span class="btn__icon-container"><i class="fas fa-book"></i></span>' +
      '<span class="btn__text-container">Book (PDF)</span></a>';
    menu.appendChild(li);
  }

  /* 4. Search snippets: Sphinx's search shows the text of the page's main block, with
     raw LaTeX (\(G_t\)) and the text of buttons and navigation. Drop those. */
  function cleanSearchSnippets() {
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    var original = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".bd-header-article, .article-header-buttons, .prev-next-area, " +
                           ".headerlink, .bd-sidebar-secondary, .toctree-wrapper, .cell_input, " +
                           "script, style, .animation").forEach(function (e) { e.remove(); });
      doc.querySelectorAll(".math").forEach(function (e) {
        e.textContent = e.textContent.replace(/^\s*(\\\(|\\\[|\$\$?)/, "")
                                     .replace(/(\\\)|\\\]|\$\$?)\s*$/, "")
                                     .replace(/\\[a-zA-Z]+\s*/g, " ").replace(/[{}]/g, "");
      });
      return original(doc.documentElement.outerHTML, anchor);
    };
  }

  /* 5. Scroll cue: mark the equations, tables and outputs that are wider than their box
     (they scroll sideways inside it); custom.css draws a shadow on the side with more. */
  var SCROLLERS = ".bd-content div.math, .bd-content span.math, .bd-content .pst-scrollable-table-container, " +
                  ".bd-content .table-wrapper, .bd-content div.cell_output .output.text_html, " +
                  ".bd-content div.cell_output .output.text_markdown, .bd-content div.highlight pre";
  function markScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (e) {
      e.classList.toggle("optlearn-scrolls", e.scrollWidth > e.clientWidth + 2);
    });
  }
  function watchScrollers() {
    markScrollers();
    window.addEventListener("resize", markScrollers);
    document.addEventListener("click", function () { setTimeout(markScrollers, 50); });  // dropdowns
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(markScrollers);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(markScrollers);
    window.addEventListener("load", function () { setTimeout(markScrollers, 300); });
  }

  /* 6. Quiz maths when MathJax comes late. jupyterquiz typesets a quiz 500 ms after
     drawing it (during parsing), reading MathJax.version[0]; MathJax is deferred, and on a
     slow device or a cold cache it may not have run yet: window.MathJax is still the
     configuration, whose empty version (_config.yml: mathjax3_config) keeps that read
     harmless. Once MathJax is ready, and after jupyterquiz's own attempt, typeset the
     quizzes that still hold raw TeX, chained on MathJax.startup.promise as MathJax's
     documentation asks for typesetting calls. */
  function typesetLateQuizzes() {
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
    MathJax.startup.promise = MathJax.startup.promise
      .then(function () { return new Promise(function (r) { setTimeout(r, 600); }); })
      .then(function () {
        var raw = Array.prototype.filter.call(document.querySelectorAll("div[data-shuffleanswers]"), function (q) {
          var copy = q.cloneNode(true);
          copy.querySelectorAll("mjx-container, script, style").forEach(function (e) { e.remove(); });
          return /\\\(|\\\[|\$/.test(copy.textContent);
        });
        if (raw.length && MathJax.typesetPromise) return MathJax.typesetPromise(raw);
      });
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  cleanSearchSnippets();
  ready(fixSidebarToggles);
  ready(linkFigures);
  if (document.querySelector("div[data-shuffleanswers]")) ready(typesetLateQuizzes);
  ready(offerBookPdf);
  ready(watchScrollers);
})();
