// Staff session time-out warning (WCAG 2.2.1 Timing Adjustable): 5 minutes
// before the 30-minute idle limit, go to the warning page, which offers to stay
// signed in. Progressive enhancement: without JavaScript the session still ends
// after 30 idle minutes and the next page asks to sign in again.
(() => {
  const after = Number(document.body.dataset.sessionWarningAfter);
  if (!Number.isFinite(after) || after <= 0) return;
  setTimeout(() => {
    window.location.assign("/staff/session-warning");
  }, after * 1000);
})();
