// The language switch (book/_ext/optlearn_i18n.py) opens the same page of the other
// edition in the same tab: the theme's link buttons open a new one.
document.querySelectorAll("a.btn-language-switch").forEach((a) => {
  a.removeAttribute("target");
  a.setAttribute("hreflang", document.documentElement.lang === "en" ? "zh-CN" : "en");
});
