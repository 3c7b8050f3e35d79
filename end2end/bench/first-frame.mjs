// How soon a first visit to the feed shows moving video: opens /feed in a fresh browser
// context (empty cache) on a phone-sized screen, and reads, with the Performance API,
// the time from navigation start until the first Bop's first video frame is painted
// (`requestVideoFrameCallback`), and until the page hydrated.
// Usage: node bench/first-frame.mjs BASE_URL RUNS   Prints JSON.
import { chromium } from "@playwright/test";

import launch from "../chromium.js";

const { chromiumArgs, chromiumPath } = launch;

const [base, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? "10");
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
const samples = [];
for (let i = 0; i < runs; i += 1) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  // Installed before any page script: notes when the first video paints a frame.
  await page.addInitScript(() => {
    window.__firstFrame = new Promise((resolve) => {
      const watch = (video) =>
        video.requestVideoFrameCallback(() => resolve(performance.now()));
      const observer = new MutationObserver(() => {
        const video = document.querySelector("[data-testid=bop] video");
        if (video) {
          observer.disconnect();
          watch(video);
        }
      });
      document.addEventListener("DOMContentLoaded", () => {
        const video = document.querySelector("[data-testid=bop] video");
        if (video) watch(video);
        else observer.observe(document.body, { childList: true, subtree: true });
      });
    });
  });
  await page.goto(`${base}/feed`);
  const firstFrame = await page.evaluate(() =>
    Promise.race([window.__firstFrame, new Promise((_, fail) => setTimeout(() => fail(new Error("no frame in 20 s")), 20_000))]),
  );
  await page.waitForSelector("html[data-hydrated=true]");
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    return { html_ms: nav.responseEnd, dom_ms: nav.domContentLoadedEventEnd };
  });
  samples.push({ first_frame_ms: Math.round(firstFrame), ...timing });
  await context.close();
}
await browser.close();
const sorted = samples.map((s) => s.first_frame_ms).sort((a, b) => a - b);
const at = (q) => sorted[Math.round((sorted.length - 1) * q)];
console.log(JSON.stringify({ runs, p50_ms: at(0.5), p90_ms: at(0.9), max_ms: sorted.at(-1), samples }, null, 2));
