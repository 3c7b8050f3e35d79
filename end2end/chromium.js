// How the tests (and the bundle benchmark) start Debian's Chromium: root needs
// --no-sandbox, and the closed network needs Chromium's background traffic switched
// off. Plain CommonJS, so Playwright's TypeScript and Node's own scripts share it.
exports.chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

exports.chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
