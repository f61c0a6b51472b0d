// The docs page (/api/docs): Swagger UI renders the description the page names, then marks itself rendered,
// which is what the browser test waits for.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.description,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    // Try-it-out calls go to this origin with the session cookie, as the pages' own calls do.
    withCredentials: true,
    onComplete: () => {
      root.dataset.rendered = "true";
    },
  });
});
