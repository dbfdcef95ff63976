// Starts Swagger UI on /docs (see hotlist/server/web/api_docs.py): a file, not an inline
// script, so the page keeps the server's Content-Security-Policy. No request leaves the server:
// the validator badge (validator.swagger.io) is off.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
