// A file rather than an inline script, so the page runs under a CSP without 'unsafe-inline'.
window.ui = SwaggerUIBundle({
  // Relative to the page (/rest/docs), so it reaches /rest/openapi.json wherever Janus is mounted.
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // The default sends the document to validator.swagger.io: the page must not leave the server.
  validatorUrl: null,
});
