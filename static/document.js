// One document's page: local times, and a reload every 2 seconds while it is still being processed.
"use strict";

(function () {
  for (const time of document.querySelectorAll("time[datetime]")) {
    time.textContent = new Date(time.getAttribute("datetime")).toLocaleString();
  }
  const page = document.getElementById("document");
  if (page && page.dataset.inFlight === "true") {
    window.setTimeout(() => window.location.reload(), 2000);
  }
})();
