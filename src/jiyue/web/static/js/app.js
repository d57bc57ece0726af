// Small progressive enhancements; every page works without them.
document.addEventListener("change", (e) => {
  const el = e.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
});
document.addEventListener("click", (e) => {
  const a = e.target.closest ? e.target.closest("[data-back]") : null;
  if (a) { e.preventDefault(); history.back(); }
  const c = e.target.closest ? e.target.closest("[data-confirm]") : null;
  if (c && !window.confirm(c.getAttribute("data-confirm"))) e.preventDefault();
});
// show the role-specific enterprise field only for enterprise users (admin page)
for (const sel of document.querySelectorAll("select[data-role-select]")) {
  const box = document.getElementById(sel.getAttribute("data-role-select"));
  const sync = () => { if (box) box.style.display = sel.value === "enterprise" ? "" : "none"; };
  sel.addEventListener("change", sync); sync();
}
