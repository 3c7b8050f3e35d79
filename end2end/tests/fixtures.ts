import { test as base, expect } from "@playwright/test";

/**
 * Every test fails if the WebAssembly app panics in the page (a hydration mismatch
 * shows up as a panic and freezes the page's handlers). A failed test prints where its
 * page ended and the messages it showed, so a failure far away (CI) explains itself.
 */
export const test = base.extend<{ noPanics: void }>({
  noPanics: [
    async ({ page }, use, testInfo) => {
      const panics: string[] = [];
      page.on("console", (msg) => {
        if (msg.type() === "error" && msg.text().includes("panicked")) panics.push(msg.text().split("\n")[0]);
      });
      page.on("pageerror", (err) => {
        if (err.message.includes("unreachable") || err.message.includes("panicked")) panics.push(err.message);
      });
      await use();
      if (testInfo.status !== testInfo.expectedStatus && !page.isClosed()) {
        const alerts = await page
          .getByRole("alert")
          .allInnerTexts()
          .catch(() => []);
        console.log(`page at ${page.url()}; messages shown: ${JSON.stringify(alerts)}`);
      }
      expect(panics, "the app panicked in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
