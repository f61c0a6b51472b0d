// "My documents": upload files straight to S3 (presigned POST), hand them to processing, list them live.
"use strict";

(function () {
  const POLL_MILLISECONDS = 2000;
  const IN_FLIGHT = new Set(["queued", "processing"]);

  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("file-input");
  const uploads = document.getElementById("uploads");
  const table = document.getElementById("documents");
  const rows = table.querySelector("tbody");
  const empty = document.getElementById("empty");
  const listState = document.getElementById("list-state");

  let activeUploads = 0;
  let pollTimer = null;

  class SignedOut extends Error {}

  async function callApi(method, path, body, headers) {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: Object.assign(
        { Accept: "application/json" },
        body === undefined ? {} : { "Content-Type": "application/json" },
        headers || {},
      ),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (ignored) {
      data = null;
    }
    if (response.status === 401) {
      window.location.assign("/sign-in?next=" + encodeURIComponent("/documents"));
      throw new SignedOut("signed out");
    }
    if (!response.ok) {
      throw new Error((data && data.error) || "the server answered " + response.status);
    }
    return data;
  }

  function idempotencyKey() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  }

  function storageError(xhr) {
    const text = xhr.responseText || "";
    const message = new DOMParser().parseFromString(text, "application/xml").querySelector("Message");
    return "storage refused the file" + (message ? ": " + message.textContent : " (" + xhr.status + ")");
  }

  function postToStorage(upload, file, onProgress) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(upload.fields)) {
        form.append(name, value);
      }
      form.append("file", file); // S3 ignores every field after the file
      const xhr = new XMLHttpRequest();
      xhr.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) {
          onProgress(event.loaded / event.total);
        }
      });
      xhr.addEventListener("load", () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve();
        } else {
          reject(new Error(storageError(xhr)));
        }
      });
      xhr.addEventListener("error", () => reject(new Error("the upload could not reach storage; try again")));
      xhr.open("POST", upload.url);
      xhr.send(form);
    });
  }

  function uploadRow(file) {
    const item = document.createElement("li");
    item.className = "upload";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name;
    const size = document.createElement("span");
    size.className = "muted small";
    size.textContent = formatBytes(file.size);
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Upload progress of " + file.name);
    const message = document.createElement("span");
    message.className = "message";
    message.setAttribute("role", "status");
    item.append(name, size, bar, message);
    uploads.prepend(item);
    return {
      say(text) {
        message.textContent = text;
      },
      progress(fraction) {
        bar.value = Math.round(fraction * 100);
      },
      done(text) {
        bar.value = 100;
        item.classList.add("done");
        message.textContent = text;
      },
      fail(text) {
        item.classList.add("failed");
        bar.remove();
        message.textContent = "Not uploaded: " + text;
      },
    };
  }

  async function uploadOne(file) {
    const row = uploadRow(file);
    activeUploads += 1;
    try {
      row.say("Preparing…");
      const { upload } = await callApi("POST", "/api/uploads", {
        documentName: file.name,
        contentType: file.type || "application/octet-stream",
        size: file.size,
      });
      row.say("Uploading…");
      await postToStorage(upload, file, (fraction) => row.progress(fraction));
      row.progress(1);
      row.say("Handing it to processing…");
      const handed = await callApi(
        "POST",
        "/api/route",
        { documentName: upload.documentName },
        { "Idempotency-Key": idempotencyKey() },
      );
      row.done(handed.status === "ok" ? "Uploaded; processing has been asked for." : "Uploaded; processing will be asked for shortly.");
    } catch (error) {
      if (!(error instanceof SignedOut)) {
        row.fail(error.message);
      }
    } finally {
      activeUploads -= 1;
      refresh();
    }
  }

  function uploadAll(files) {
    for (const file of files) {
      uploadOne(file);
    }
  }

  function formatBytes(bytes) {
    if (bytes === null || bytes === undefined) {
      return "—";
    }
    // Decimal units, as the server-rendered pages show them (Jinja's filesizeformat).
    const units = ["bytes", "kB", "MB", "GB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
  }

  function formatTime(iso) {
    return iso ? new Date(iso).toLocaleString() : "—";
  }

  function documentLink(name) {
    return "/documents/" + name.split("/").map(encodeURIComponent).join("/");
  }

  function cell(label, content, className) {
    const td = document.createElement("td");
    td.dataset.label = label;
    if (className) {
      td.className = className;
    }
    td.append(content);
    return td;
  }

  // OCR's pages read so far, as a bar and in words.
  function ocrProgress(progress) {
    const wrapper = document.createElement("span");
    wrapper.className = "ocr-progress";
    const bar = document.createElement("progress");
    bar.max = progress.pagesTotal;
    bar.value = progress.pagesDone;
    bar.setAttribute("aria-label", "Pages read by OCR");
    const words = document.createElement("span");
    words.className = "muted small";
    words.textContent = "OCR: " + progress.pagesDone + " of " + progress.pagesTotal + " pages";
    wrapper.append(bar, words);
    return wrapper;
  }

  function documentRow(documentJson) {
    const tr = document.createElement("tr");
    const nameCell = document.createElement("div");
    const link = document.createElement("a");
    link.href = documentLink(documentJson.name);
    link.textContent = documentJson.name;
    nameCell.append(link);
    if (documentJson.error) {
      const reason = document.createElement("span");
      reason.className = "reason";
      reason.textContent = documentJson.error;
      nameCell.append(reason);
    }
    const status = document.createElement("span");
    status.className = "status status-" + documentJson.status;
    status.textContent = documentJson.status;
    if (documentJson.delivery && documentJson.delivery.status !== "delivered") {
      status.title = "event " + documentJson.delivery.status;
    }
    const statusCell = document.createElement("div");
    statusCell.append(status);
    if (documentJson.progress) {
      statusCell.append(ocrProgress(documentJson.progress));
    }
    tr.append(
      cell("Name", nameCell, "name"),
      cell("Status", statusCell),
      cell("Size", formatBytes(documentJson.sizeBytes), "number"),
      cell("Chunks", String(documentJson.chunkCount), "number"),
      cell("Updated", formatTime(documentJson.updatedAt), "time"),
    );
    return tr;
  }

  async function refresh() {
    window.clearTimeout(pollTimer);
    let inFlight = false;
    try {
      const { documents } = await callApi("GET", "/api/documents");
      rows.replaceChildren(...documents.map(documentRow));
      table.hidden = documents.length === 0;
      empty.hidden = documents.length !== 0;
      inFlight = documents.some((documentJson) => IN_FLIGHT.has(documentJson.status));
      listState.textContent = inFlight
        ? "Refreshing every 2 seconds while documents are being processed."
        : "Up to date as of " + new Date().toLocaleTimeString() + ".";
    } catch (error) {
      if (error instanceof SignedOut) {
        return;
      }
      inFlight = true;
      listState.textContent = "Could not refresh the list (" + error.message + "); trying again.";
    }
    if (inFlight || activeUploads > 0) {
      pollTimer = window.setTimeout(refresh, POLL_MILLISECONDS);
    }
  }

  input.addEventListener("change", () => {
    uploadAll(Array.from(input.files));
    input.value = "";
  });
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) {
      zone.classList.remove("dragging");
    }
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    uploadAll(Array.from(event.dataTransfer.files));
  });
  // A file dropped beside the zone must not replace the page with the file.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());

  refresh();
})();
