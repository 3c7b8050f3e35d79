import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "./fixtures";
import { open } from "./helpers";

test.describe("on a phone", () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test("the bottom tab bar leads to every section", async ({ page }) => {
    await open(page, "/");
    const tabs = page.getByRole("navigation", { name: "Tabs" });
    await expect(tabs).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    for (const name of ["Feed", "Music", "Shop", "Me"]) {
      await expect(tabs.getByRole("link", { name })).toBeVisible();
    }
    await tabs.getByRole("link", { name: "Music" }).click();
    await expect(page).toHaveURL(/\/music$/);
    await expect(tabs.getByRole("link", { name: "Music" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByRole("heading", { level: 1, name: "Music" })).toBeVisible();

    // Nothing is wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

test.describe("on a desktop", () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test("the side bar replaces the tab bar", async ({ page }) => {
    await open(page, "/");
    const side = page.getByRole("navigation", { name: "Main" });
    await expect(side).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Tabs" })).toBeHidden();
    await side.getByRole("link", { name: "Shop" }).click();
    await expect(page).toHaveURL(/\/shop$/);
    await expect(page.getByRole("heading", { name: "No products yet" })).toBeVisible();
  });
});

test("the landing page offers artist and fan sign-up", async ({ page }) => {
  await open(page, "/");
  await page.getByRole("link", { name: "Start as an artist" }).click();
  await expect(page).toHaveURL(/\/artist\/signup$/);
  await expect(page.getByRole("heading", { level: 1, name: "Run your music business from one place" })).toBeVisible();
  await open(page, "/");
  await page.getByRole("link", { name: "Join as a fan" }).click();
  await expect(page).toHaveURL(/\/signup/);
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
});

test("an unknown path answers 404 with a way home", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page took a wrong turn" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go home" })).toBeVisible();
});

for (const path of ["/", "/signin", "/signup", "/forgot-password", "/music", "/feed", "/shop", "/me", "/artist/signup", "/@nova_reyes"]) {
  test(`${path} has no accessibility violations`, async ({ page }) => {
    await open(page, path);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
}
