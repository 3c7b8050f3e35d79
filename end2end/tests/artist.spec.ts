import path from "node:path";

import AxeBuilder from "@axe-core/playwright";

import { expect, test } from "./fixtures";
import { hydrated, open, uniqueEmail } from "./helpers";
import type { Page } from "@playwright/test";

const PHOTO = path.join(__dirname, "..", "fixtures", "photo.png");
const NOT_A_PHOTO = path.join(__dirname, "..", "fixtures", "not-a-photo.jpg");

interface Artist {
  name: string;
  email: string;
  password: string;
  handle: string;
}

function newArtist(): Artist {
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  return {
    name: "Juniper Vale",
    email: uniqueEmail("artist"),
    password: "correct horse battery",
    handle: `juniper_${suffix}`,
  };
}

/** Picks a plan and fills the account fields, then goes to the sandbox checkout. */
async function startSignup(page: Page, artist: Artist, plan: "starter" | "pro" | "label") {
  await open(page, "/artist/signup");
  await page.locator(`label[for="plan-${plan}"]`).click();
  await expect(page.locator(`#plan-${plan}`)).toBeChecked();
  await page.getByLabel("Artist or band name").fill(artist.name);
  await page.getByLabel("Email").fill(artist.email);
  await page.getByLabel("Password").fill(artist.password);
  await page.getByRole("button", { name: "Continue to payment" }).click();
  await expect(page).toHaveURL(/\/sandbox\/checkout\/cs_test_/);
  await hydrated(page);
}

async function payWith(page: Page, card: string) {
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Subscribe" }).click();
}

async function setUpProfile(page: Page, artist: Artist) {
  await expect(page).toHaveURL(/\/artist\/setup/);
  await hydrated(page);
  // A renamed non-image is refused by the server, whatever its name says.
  await page.locator("#field-photo").setInputFiles(NOT_A_PHOTO);
  await expect(page.getByText("That file isn't a photo we can use. Choose a JPEG, PNG or WebP image.")).toBeVisible();
  await page.locator("#field-photo").setInputFiles(PHOTO);
  await expect(page.getByRole("img", { name: "Your profile photo" })).toBeVisible();
  await page.getByLabel("Stage name").fill(artist.name);
  await page.getByLabel("Handle").fill(artist.handle);
  await page.getByLabel("Bio").fill("Folk songs about rivers, night trains and the people who wait up.");
  await page.getByLabel(/Location/).fill("Portland, OR");
  await page.locator(".genre-chip", { hasText: /^Folk$/ }).click();
  await page.locator(".genre-chip", { hasText: "Singer-Songwriter" }).click();
  await page.getByLabel("Link 1").fill("instagram.com/junipervale");
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page).toHaveURL(/\/artist\/payout/);
  await hydrated(page);
}

async function setUpPayouts(page: Page, artist: Artist) {
  await page.getByRole("button", { name: "Set up payouts" }).click();
  await expect(page).toHaveURL(/\/sandbox\/connect\/acct_sbx_/);
  await hydrated(page);
  await page.getByLabel("Legal name").fill(artist.name);
  await page.getByLabel("Date of birth").fill("1992-05-17");
  await page.getByLabel("Routing number").fill("110000000");
  await page.getByLabel("Account number").fill("000123456789");
  await page.getByRole("button", { name: "Agree and submit" }).click();
  await expect(page).toHaveURL(/\/artist\/payout\?return=1/);
  await expect(page.getByRole("heading", { name: "Payouts are on" })).toBeVisible();
}

test("a new artist goes from sign-up to a dashboard with every step done", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const artist = newArtist();
  await startSignup(page, artist, "pro");
  await expect(page.getByText("$29.00")).toBeVisible();
  await payWith(page, "4242 4242 4242 4242");
  await setUpProfile(page, artist);
  await setUpPayouts(page, artist);

  await page.getByRole("link", { name: "Go to your dashboard" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await hydrated(page);
  await page.getByRole("button", { name: "Turn on Kick In" }).click();
  await expect(page.getByText("On: fans can tip you from your profile.")).toBeVisible();
  await page.getByRole("button", { name: "Copy link" }).click();
  await expect(page.getByText("5 of 5 done")).toBeVisible();
  for (const step of ["plan", "profile", "payouts", "tips", "share"]) {
    await expect(page.locator(`[data-step="${step}"]`)).toHaveAttribute("data-done", "true");
  }
  await expect(page.getByRole("img", { name: "QR code for your profile link" })).toBeVisible();
  const quickStart = page.getByRole("navigation", { name: "Quick start" });
  await expect(quickStart.getByRole("link")).toHaveCount(7);
  await expect(quickStart.getByRole("link", { name: /Release music/ })).toHaveAttribute("href", "/dashboard/music");
  await expect(quickStart.getByRole("link", { name: /Post a Bop/ })).toHaveAttribute("href", "/dashboard/bops/new");
  await expect(quickStart.getByRole("link", { name: /Payouts/ })).toHaveAttribute("href", "/dashboard/payouts");
  await expect(page.getByTestId("plan-status")).toHaveText("Active");
  await expect(page.getByText(/Pro · \$29\/month/)).toBeVisible();
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => n.html).join(" | ")}`)).toEqual([]);

  // The public profile at /@handle.
  await open(page, `/@${artist.handle}`);
  await expect(page.getByRole("heading", { level: 1, name: artist.name })).toBeVisible();
  await expect(page.getByRole("link", { name: "Instagram" })).toHaveAttribute("href", "https://instagram.com/junipervale");
  await expect(page.getByRole("list", { name: "Genres" })).toContainText("Folk");
});

test("a declined card shows its message and creates nothing", async ({ page }) => {
  const artist = newArtist();
  await startSignup(page, artist, "starter");
  await payWith(page, "4000 0000 0000 0002");
  await expect(page.getByRole("alert")).toHaveText("Your card was declined.");
  await expect(page).toHaveURL(/\/sandbox\/checkout\//);

  // No account exists: signing in fails.
  await open(page, "/signin");
  await page.getByLabel("Email").fill(artist.email);
  await page.getByLabel("Password").fill(artist.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("That email and password don't match.", { exact: false })).toBeVisible();

  // The sign-up waits, resumable, in this browser.
  await open(page, "/artist/signup");
  await expect(page.getByRole("heading", { name: "Finish your Starter checkout" })).toBeVisible();
  await page.getByRole("button", { name: "Continue to checkout" }).click();
  await expect(page).toHaveURL(/\/sandbox\/checkout\/cs_test_/);
});

test("an artist without payouts who tries a revenue action lands on payout setup", async ({ page }) => {
  const artist = newArtist();
  await startSignup(page, artist, "starter");
  // A card that asks for 3-D Secure confirms in a dialog first.
  await payWith(page, "4000 0025 0000 3155");
  const dialog = page.getByRole("dialog", { name: "3-D Secure authentication" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Complete authentication" }).click();
  await setUpProfile(page, artist);

  await open(page, "/dashboard");
  await expect(page.getByRole("heading", { name: "Next: set up payouts" })).toBeVisible();
  await page.getByRole("button", { name: "Turn on Kick In" }).click();
  await expect(page).toHaveURL(/\/artist\/payout\?from=gate$/);
  await expect(page.getByText("Set up payouts first: money from fans needs somewhere to go.")).toBeVisible();
});
