// The chat: sends a message (or a confirmation token) to /app/api/chat and shows the
// server-sent events as they come; uploads a document with its progress.
"use strict";
(function () {
  const log = document.getElementById("conversation");
  const composer = document.getElementById("composer");
  const input = document.getElementById("message");
  let conversationId = log.dataset.conversationId || null;

  function bubble(kind, text) {
    const div = document.createElement("div");
    div.className = "msg " + kind;
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function buttonsIn(target, specs) {
    const row = document.createElement("div");
    row.className = "actions";
    specs.forEach((spec) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = spec.label;
      b.className = spec.secondary ? "secondary" : "";
      b.dataset.needsNetwork = "";
      b.addEventListener("click", () => {
        row.querySelectorAll("button").forEach((x) => (x.disabled = true));
        spec.send();
      });
      row.appendChild(b);
    });
    target.appendChild(row);
  }

  function setBusy(busy) {
    composer.querySelector("button[type=submit]").disabled = busy || window.Comptoir.offline();
    log.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function parseBlock(block) {
    let name = "message";
    const data = [];
    block.split("\n").forEach((line) => {
      if (line.startsWith("event:")) {
        name = line.slice(6).trim();
      } else if (line.startsWith("data:")) {
        data.push(line.slice(5).trim());
      }
    });
    return data.length ? { name, data: JSON.parse(data.join("\n")) } : null;
  }

  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = parseBlock(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        if (event) {
          onEvent(event.data);
        }
      }
    }
  }

  function turnHandler(progress) {
    const state = { preview: null, last: null };
    return (event) => {
      if (event.type === "conversation") {
        conversationId = event.id;
        log.dataset.conversationId = event.id;
        history.replaceState(null, "", "/?conversation=" + encodeURIComponent(event.id));
      } else if (event.type === "progress") {
        progress.textContent = event.text;
      } else if (event.type === "confirmation") {
        state.preview = event.text;
        const shown = bubble("assistant preview", event.text);
        buttonsIn(shown, [
          { label: "Confirmer", send: () => send({ confirm: event.token }, "Confirmer") },
          { label: "Annuler", secondary: true, send: () => send({ cancel: event.token }, "Annuler") },
        ]);
        state.last = shown;
      } else if (event.type === "reply") {
        if (event.text !== state.preview) {
          state.last = bubble("assistant", event.text);
        }
      } else if (event.type === "done") {
        progress.remove();
        const asked = (event.calls || []).filter((c) => c.status === "ask_back" && c.options);
        if (asked.length && state.last) {
          buttonsIn(
            state.last,
            asked[asked.length - 1].options.map((option) => ({
              label: option,
              secondary: true,
              send: () => send({ message: option }, option),
            }))
          );
        }
      } else if (event.type === "error") {
        progress.remove();
        bubble("assistant error", event.message || "Une erreur est survenue.");
      }
    };
  }

  async function failure(response) {
    if (response.status === 401) {
      location.assign("/connexion");
      return "Session expirée : reconnectez-vous.";
    }
    try {
      const body = await response.json();
      return (body.error && body.error.message) || "Une erreur est survenue.";
    } catch (e) {
      return "Une erreur est survenue (" + response.status + ").";
    }
  }

  async function send(body, shown) {
    if (window.Comptoir.offline()) {
      bubble("assistant error", "Hors ligne : rien n'a été envoyé. Réessayez au retour du réseau.");
      return;
    }
    bubble("user", shown);
    if (conversationId) {
      body.conversation_id = conversationId;
    }
    const progress = bubble("progress", "…");
    setBusy(true);
    try {
      const response = await fetch("/app/api/chat", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "text/event-stream",
          "X-CSRF-Token": window.Comptoir.csrf(),
        },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        progress.remove();
        bubble("assistant error", await failure(response));
        return;
      }
      await readEvents(response, turnHandler(progress));
    } catch (e) {
      progress.remove();
      bubble("assistant error", "Connexion perdue : la réponse n'est pas arrivée. Vérifiez dans la conversation avant de recommencer.");
    } finally {
      setBusy(false);
    }
  }

  composer.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) {
      return;
    }
    input.value = "";
    send({ message: text }, text);
  });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });

  // Documents: by the button or dropped on the zone, with the upload's progress.
  const drop = document.getElementById("drop");
  if (!drop) {
    return;
  }
  const picker = document.getElementById("document");
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");

  function upload(file) {
    if (window.Comptoir.offline()) {
      status.textContent = "Hors ligne : le document n'a pas été envoyé.";
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/app/api/documents");
    xhr.setRequestHeader("X-CSRF-Token", window.Comptoir.csrf());
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Envoi de « " + file.name + " »…";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
      }
    });
    xhr.addEventListener("load", () => {
      bar.value = 100;
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = {};
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        status.textContent = "Document « " + body.title + " » ajouté et indexé.";
      } else {
        status.textContent = (body.error && body.error.message) || "Envoi refusé (" + xhr.status + ").";
      }
    });
    xhr.addEventListener("error", () => {
      status.textContent = "Connexion perdue : le document n'a pas été envoyé.";
    });
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  }

  picker.addEventListener("change", () => {
    if (picker.files.length) {
      upload(picker.files[0]);
      picker.value = "";
    }
  });
  ["dragenter", "dragover"].forEach((name) =>
    drop.addEventListener(name, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    })
  );
  ["dragleave", "drop"].forEach((name) =>
    drop.addEventListener(name, () => drop.classList.remove("over"))
  );
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) {
      upload(e.dataTransfer.files[0]);
    }
  });
})();
