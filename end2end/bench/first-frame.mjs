// How soon a first visit to the feed shows moving video: opens /feed in a fresh browser
// context (empty cache) on a phone-sized screen, and reads, with the Performance API,
// the time from navigation start until the first Bop's first video frame is presented
// for display (`requestVideoFrameCallback`'s `presentationTime`: the compositor shows
// video frames without waiting for the page's main thread), when that callback ran on
// the main thread, and when the page hydrated.
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
        video.requestVideoFrameCallback((now, frame) =>
          resolve({ presented: frame.presentationTime, callback: now }),
        );
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
  samples.push({
    first_frame_ms: Math.round(firstFrame.presented),
    callback_ms: Math.round(firstFrame.callback),
    ...timing,
  });
  await context.close();
}
await browser.close();
const quantiles = (key) => {
  const sorted = samples.map((s) => s[key]).sort((a, b) => a - b);
  const at = (q) => sorted[Math.round((sorted.length - 1) * q)];
  return { p50: at(0.5), p90: at(0.9), max: sorted.at(-1) };
};
const frame = quantiles("first_frame_ms");
const callback = quantiles("callback_ms");
const hydrated = quantiles("dom_ms");
console.log(
  JSON.stringify(
    { runs, p50_ms: frame.p50, p90_ms: frame.p90, max_ms: frame.max, callback, dom_content_loaded: hydrated, samples },
    null,
    2,
  ),
);
