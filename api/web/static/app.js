// Comptoir: what every page does — the offline banner and disabled actions, the service
// worker, and the CSRF token for scripts. No inline script anywhere (CSP script-src 'self').
"use strict";
(function () {
  const OFFLINE_HINT = "Les actions sont désactivées jusqu'au retour du réseau.";

  function generatedAt() {
    const when = new Date(document.body.dataset.generated || "");
    if (Number.isNaN(when.getTime())) {
      return "";
    }
    return when.toLocaleString("fr-FR", { dateStyle: "short", timeStyle: "short" });
  }

  function setOffline(offline) {
    const banner = document.getElementById("hors-ligne");
    if (banner) {
      banner.hidden = !offline;
      banner.textContent = offline ? "Hors ligne — données du " + generatedAt() + ". " + OFFLINE_HINT : "";
    }
    document.querySelectorAll("[data-needs-network], form button, form input, form textarea").forEach((el) => {
      if (el.type === "hidden") {
        return;
      }
      el.disabled = offline;
      if (offline) {
        el.setAttribute("aria-describedby", "hors-ligne");
      } else {
        el.removeAttribute("aria-describedby");
      }
    });
  }

  // « Plus » (a <details> in the phone's bar) opens and closes without script; Escape and a
  // tap elsewhere close it too, as a menu would.
  function closeMoreOnEscapeOrOutside() {
    const more = document.querySelector("nav.main details.more");
    if (!more) {
      return;
    }
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && more.open) {
        more.open = false;
        more.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (more.open && !more.contains(event.target)) {
        more.open = false;
      }
    });
  }

  function offline() {
    return !navigator.onLine || document.body.dataset.fromCache === "1";
  }

  window.Comptoir = {
    csrf() {
      const meta = document.querySelector('meta[name="csrf-token"]');
      return meta ? meta.content : "";
    },
    offline,
  };

  document.addEventListener("DOMContentLoaded", () => {
    setOffline(offline());
    closeMoreOnEscapeOrOutside();
    window.addEventListener("online", () => setOffline(offline()));
    window.addEventListener("offline", () => setOffline(true));
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
      // Signed out: the pages kept for offline reading go with the session.
      if (location.pathname.startsWith("/connexion") && "caches" in window) {
        caches.delete("comptoir-pages");
      }
    }
  });
})();
