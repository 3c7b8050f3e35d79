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
