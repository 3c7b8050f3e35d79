import { expect, test } from "./fixtures";
import { open, signIn } from "./helpers";

const DEMO_PASSWORD = "boptone-demo";

test("an operator sees the queue and the schedules", async ({ page }) => {
  await signIn(page, "admin@demo.boptone.app", DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/feed$/);
  await open(page, "/me");
  await page.getByRole("link", { name: "Background jobs" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Background jobs" })).toBeVisible();
  const schedules = page.getByRole("region", { name: "Schedules" });
  await expect(schedules.getByRole("cell", { name: "accounts.purge_expired" })).toBeVisible();
  await expect(schedules.getByRole("cell", { name: "*/10 * * * *" })).toBeVisible();
});

test("a fan is told the jobs page is for operators", async ({ page }) => {
  await signIn(page, "ana@demo.boptone.app", DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/feed$/);
  await open(page, "/admin/jobs");
  await expect(page.getByRole("alert")).toContainText("for Boptone operators");
});
