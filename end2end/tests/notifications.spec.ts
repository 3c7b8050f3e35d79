import { expect, test } from "./fixtures";
import { newAccount, open, signUp } from "./helpers";

test("a new account's welcome notification appears live and can be read", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);

  // Delivered by a background job and pushed over the WebSocket: no reload needed.
  const side = page.getByRole("navigation", { name: "Main" });
  await expect(side.getByRole("link", { name: "Notifications, 1 unread" })).toBeVisible();

  await side.getByRole("link", { name: "Notifications, 1 unread" }).click();
  await expect(page).toHaveURL(/\/notifications$/);
  const list = page.getByRole("list", { name: "Notifications" });
  await expect(list.getByText(`Welcome to Boptone, ${account.name}!`)).toBeVisible();
  await expect(list.getByText("Unread:")).toHaveCount(1);

  await page.getByRole("button", { name: "Mark all as read" }).click();
  await expect(side.getByRole("link", { name: "Notifications", exact: true })).toBeVisible();
  await expect(list.getByText("Unread:")).toHaveCount(0);
});

test("visitors are asked to sign in for notifications", async ({ page }) => {
  await open(page, "/notifications");
  await expect(page.getByRole("link", { name: "Sign in" }).last()).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Notifications/ })).toHaveCount(0);
});

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

test("dates show the viewer's own calendar day", async ({ browser }) => {
  // UTC+14 and UTC-11 are always on different calendar days: each viewer must see
  // their own, whatever the time of the test run.
  const shown: string[] = [];
  for (const timezoneId of ["Pacific/Kiritimati", "Pacific/Pago_Pago"]) {
    const context = await browser.newContext({ timezoneId });
    const page = await context.newPage();
    const panics: string[] = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" && msg.text().includes("panicked")) panics.push(msg.text());
    });
    await signUp(page, newAccount());
    await open(page, "/notifications");
    const when = page.getByRole("list", { name: "Notifications" }).locator("time").first();
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: timezoneId,
      day: "numeric",
      month: "numeric",
      year: "numeric",
    }).formatToParts(new Date());
    const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const expected = `${part("day")} ${MONTHS[part("month") - 1]} ${part("year")}`;
    await expect(when).toHaveText(expected);
    shown.push(expected);
    expect(panics, "hydration agreed").toEqual([]);
    await context.close();
  }
  expect(shown[0]).not.toEqual(shown[1]);
});
