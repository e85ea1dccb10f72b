// Swagger UI over /openapi.json (a file, not an inline script: the Content-Security-Policy forbids those).
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
