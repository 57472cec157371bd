/* optlearn: replaces pydata-sphinx-theme 0.17.1's scripts/fontawesome.js (1.49 MB, which
   turns <i class="fa-..."> into inline SVG). The theme's stylesheet already draws the same
   Font Awesome 6 icons from its bundled webfonts (_static/vendor/fontawesome), so every
   page saves about 540 kB (gzip) and still shows its eight or so icons. Sphinx copies
   html_static_path after the theme's static files, so this file wins.
   tests/browser/test_site.py::test_icons_drawn_from_webfonts checks the icons. */
