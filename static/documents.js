// "My documents": upload files straight to S3 (presigned POST), hand them to processing, and while a document
// shown is in flight, ask the server for what changed since its last answer and update those rows in place.
// The page itself (its rows, paging and status filter) is rendered by the server.
"use strict";

(function () {
  const POLL_MILLISECONDS = 2000;
  // The most changes one poll reads, a page of the API's largest at a time; beyond them the page is reloaded.
  const POLL_LIMIT = 200;
  const MAX_POLL_PAGES = 5;

  const zone = document.getElementById("drop-zone");
  const input = document.getElementById("file-input");
  const uploads = document.getElementById("uploads");
  const table = document.getElementById("documents");
  const rows = table.querySelector("tbody");
  const empty = document.getElementById("empty");
  const listState = document.getElementById("list-state");
  const IN_FLIGHT = new Set(table.dataset.inFlight.split(","));
  const statusFilter = table.dataset.status ? table.dataset.status.split(",") : null;
  const newestPage = table.dataset.newest === "true";
  let updatedSince = table.dataset.updatedSince;

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

  function timeElement(iso) {
    const time = document.createElement("time");
    if (iso) {
      time.dateTime = iso;
    }
    time.textContent = formatTime(iso);
    return time;
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
    tr.dataset.name = documentJson.name;
    tr.dataset.createdAt = documentJson.createdAt;
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
      cell("Updated", timeElement(documentJson.updatedAt), "time"),
    );
    return tr;
  }

  function shownRows() {
    return Array.from(rows.querySelectorAll("tr[data-name]"));
  }

  function anythingInFlight() {
    return shownRows().some((row) => IN_FLIGHT.has(row.querySelector(".status").textContent));
  }

  // A document this page does not show yet belongs at its top only on the newest page, when it is newer than
  // every row there (one just uploaded) and passes the status filter.
  function belongsAtTheTop(documentJson) {
    if (!newestPage || (statusFilter && !statusFilter.includes(documentJson.status))) {
      return false;
    }
    const first = rows.querySelector("tr[data-name]");
    return !first || Date.parse(documentJson.createdAt) >= Date.parse(first.dataset.createdAt);
  }

  function apply(changed) {
    const shown = new Map(shownRows().map((row) => [row.dataset.name, row]));
    // Oldest first, so that each new one goes above the last.
    for (const documentJson of changed.slice().reverse()) {
      const row = shown.get(documentJson.name);
      if (row) {
        row.replaceWith(documentRow(documentJson));
      } else if (belongsAtTheTop(documentJson)) {
        rows.prepend(documentRow(documentJson));
      }
    }
    const any = shownRows().length > 0;
    table.hidden = !any;
    empty.hidden = any;
  }

  function showCounts(counts, total) {
    for (const element of document.querySelectorAll("[data-count]")) {
      const name = element.dataset.count;
      const count = name === "all" ? total : counts[name] || 0;
      element.textContent = String(count);
      if (name !== "all") {
        element.parentElement.classList.toggle("none", count === 0);
      }
    }
  }

  // What changed since the last answer: GET /api/documents?updatedSince=, every page of it.
  async function pollChanges() {
    const changed = [];
    let cursor = null;
    let next = null;
    let last = null;
    for (let page = 0; page < MAX_POLL_PAGES; page += 1) {
      const query = new URLSearchParams({ updatedSince, limit: String(POLL_LIMIT) });
      if (cursor) {
        query.set("cursor", cursor);
      }
      last = await callApi("GET", "/api/documents?" + query.toString());
      next = next || last.nextUpdatedSince;
      changed.push(...last.documents);
      cursor = last.nextCursor;
      if (!cursor) {
        break;
      }
    }
    if (cursor) {
      window.location.reload(); // more changed than is worth patching in
      return;
    }
    updatedSince = next;
    apply(changed);
    showCounts(last.counts, last.total);
  }

  function sayUpToDate() {
    listState.textContent = "Up to date as of " + new Date().toLocaleTimeString() + ".";
  }

  function sayFollowing() {
    listState.textContent = "Refreshing every 2 seconds while documents are being processed.";
  }

  async function refresh() {
    window.clearTimeout(pollTimer);
    let again = false;
    try {
      await pollChanges();
      again = anythingInFlight();
      if (again) {
        sayFollowing();
      } else {
        sayUpToDate();
      }
    } catch (error) {
      if (error instanceof SignedOut) {
        return;
      }
      again = true;
      listState.textContent = "Could not refresh the list (" + error.message + "); trying again.";
    }
    if (again || activeUploads > 0) {
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
  // Files chosen from now on are uploaded: the deferred script may run after the form is shown.
  zone.dataset.ready = "true";

  for (const time of rows.querySelectorAll("time[datetime]")) {
    time.textContent = formatTime(time.dateTime);
  }
  if (anythingInFlight()) {
    sayFollowing();
    pollTimer = window.setTimeout(refresh, POLL_MILLISECONDS);
  } else {
    sayUpToDate();
  }
})();
