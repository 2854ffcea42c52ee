// Optional: light up every piece of the quote a link points to (the page reads the same without it).
(function () {
  function light() {
    document.querySelectorAll("mark.quote.active").forEach(function (m) { m.classList.remove("active"); });
    var id = decodeURIComponent(location.hash.slice(1));
    if (id.indexOf("q-") !== 0) { return; }
    document.querySelectorAll("mark.quote").forEach(function (m) {
      if ((m.getAttribute("data-claims") || "").split(" ").indexOf(id.slice(2)) >= 0) { m.classList.add("active"); }
    });
  }
  window.addEventListener("hashchange", light);
  light();
})();
