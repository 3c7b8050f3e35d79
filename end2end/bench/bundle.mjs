// What a first visit downloads before the page works: opens each page in a fresh
// browser context (empty cache), waits until the app has hydrated, and sums the
// compressed bytes of the WebAssembly and JavaScript it fetched on the way.
// Usage: node bench/bundle.mjs BASE_URL PATH...   Prints JSON, one object per page.
import { chromium } from "@playwright/test";

import launch from "../chromium.js";

const { chromiumArgs, chromiumPath } = launch;

const [base, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
const results = [];
for (const path of paths) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const fetched = [];
  page.on("requestfinished", async (request) => {
    const url = new URL(request.url());
    if (!/\.(wasm|js)$/.test(url.pathname)) return;
    const sizes = await request.sizes();
    const response = await request.response();
    fetched.push({
      file: url.pathname,
      encoding: (await response?.headerValue("content-encoding")) ?? "identity",
      transferred: sizes.responseBodySize,
    });
  });
  const started = Date.now();
  await page.goto(base + path);
  await page.waitForSelector("html[data-hydrated=true]", { timeout: 60_000 });
  const hydratedMs = Date.now() - started;
  await page.waitForLoadState("networkidle");
  const sum = (ext) =>
    fetched.filter((f) => f.file.endsWith(ext)).reduce((n, f) => n + f.transferred, 0);
  results.push({
    path,
    hydrated_ms: hydratedMs,
    wasm_bytes: sum(".wasm"),
    js_bytes: sum(".js"),
    files: fetched,
  });
  await context.close();
}
await browser.close();
console.log(JSON.stringify(results, null, 2));
