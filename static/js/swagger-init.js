// Starts Swagger UI on /api/docs (app/templates/swagger_ui.html): an external file, so the page
// passes a Content-Security-Policy without 'unsafe-inline'.
(function () {
  var box = document.getElementById("swagger-ui-container");
  var config = { url: box.dataset.specUrl, dom_id: "#swagger-ui-container" };
  var extra = JSON.parse(box.dataset.config || "{}");
  for (var name in extra) config[name] = extra[name];
  window.ui = window.SwaggerUIBundle(config);
})();
