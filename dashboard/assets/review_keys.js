// Review page keys: s = Same, d = Different, u = Unsure (clicks the button, so the server decides as for a click).
// Not while typing in a field, and not with a modifier key held.
document.addEventListener("keydown", function (event) {
    if (window.location.pathname !== "/review" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var t = event.target, tag = t && t.tagName ? t.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (t && t.isContentEditable)) { return; }
    var button = {s: "review-same", d: "review-different", u: "review-unsure"}[event.key];
    var el = button && document.getElementById(button);
    if (el && !el.disabled) { event.preventDefault(); el.click(); }
});
