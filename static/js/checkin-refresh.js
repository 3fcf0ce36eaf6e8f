/* The trainer's check-in screen: reload when the code changes, so the room always sees a valid one. */
(() => {
  "use strict";
  const holder = document.getElementById("checkin-refresh");
  const seconds = holder ? Number(holder.dataset.refreshSeconds) : NaN;
  if (Number.isFinite(seconds) && seconds > 0) {
    window.setTimeout(() => window.location.reload(), seconds * 1000);
  }
})();
