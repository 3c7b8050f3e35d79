import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { chromiumArgs, chromiumPath } from "./chromium";

// The server under test: a binary on a free port and a fresh database, all chosen by
// scripts/e2e.sh.
const port = process.env.E2E_PORT ?? "3999";
const baseURL = process.env.BASE_URL ?? `http://127.0.0.1:${port}`;
const server = process.env.E2E_SERVER_BIN ?? "../target/release/boptone";

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    // Demo accounts (an operator among them) on the fresh database, then the server.
    command: `sh -c '"${server}" seed-demo && exec "${server}" serve'`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    // The first seed makes the demo Bops' clips and processes them.
    timeout: 180_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? `sqlite://${join(tmpdir(), `boptone-e2e-${Date.now()}.db`)}`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? "../target/site",
      PUBLIC_URL: baseURL,
      STORAGE_URL: process.env.E2E_STORAGE_URL ?? join(tmpdir(), `boptone-e2e-media-${Date.now()}`),
      RUST_LOG: "warn",
      // Set for a server that serves a site built separately (the test build).
      LEPTOS_HASH_FILES: process.env.LEPTOS_HASH_FILES ?? "",
      // Made once, kept between runs.
      DEMO_CLIPS_DIR: join(__dirname, "..", "target", "demo-clips"),
      // The tests read their email (verification, reset links) in the in-app mailbox.
      DEV_MAILBOX: "true",
    },
  },
});
