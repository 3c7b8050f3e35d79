import { expect, test } from "./fixtures";
import { hydrated, mailedLink, newAccount, open, signIn, signOut, signUp, submitSignUp } from "./helpers";

test("sign up, confirm through the emailed link, sign out and sign in again", async ({ page }) => {
  const account = newAccount();
  await submitSignUp(page, account);
  await expect(page.getByText(`We sent a link to ${account.email}`)).toBeVisible();

  // Opening the link only asks; the button confirms and signs in.
  const link = await mailedLink(page, account.email, "/verify-email");
  await page.goto(link);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Confirm your email" })).toBeVisible();
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByText(`${account.email} is confirmed`)).toBeVisible();
  await page.getByRole("link", { name: "Continue to Boptone" }).click();
  await expect(page).toHaveURL(/\/me\?welcome=1$/);
  await expect(page.getByText(`Welcome to Boptone, ${account.name}!`)).toBeVisible();
  await expect(page.getByText("Verified", { exact: true })).toBeVisible();

  await signOut(page);
  await open(page, "/me");
  await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();

  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(/\/feed$/);
  await open(page, "/me");
  await expect(page.getByRole("heading", { level: 1, name: account.name })).toBeVisible();
});

test("a verification link works once", async ({ page }) => {
  const account = newAccount();
  const link = await signUp(page, account);
  await page.goto(link);
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByRole("alert")).toContainText("expired or was already used");
});

test("sign-up shows a message next to each bad field and creates nothing", async ({ page }) => {
  await open(page, "/signup");
  await page.getByLabel("Name").fill("Grace");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();

  const email = page.getByLabel("Email");
  const password = page.getByLabel("Password");
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveAccessibleDescription(/email address like name@example.com/);
  await expect(password).toHaveAccessibleDescription(/at least 8 characters for your password/);
  await expect(page).toHaveURL(/\/signup$/);

  // Nothing was written: the same name and a good email still sign up.
  await page.getByLabel("Email").fill("grace.fixed." + Date.now() + "@example.com");
  await page.getByLabel("Password").fill("long enough now");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
});

test("signing up with a taken email answers alike and tells the owner", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await signOut(page);
  await submitSignUp(page, { ...account, name: "Someone Else", email: account.email.toUpperCase() });
  await expect(page.getByText(`We sent a link to ${account.email}`)).toBeVisible();
  const link = await mailedLink(page, account.email, "/forgot-password");
  expect(link).toContain("/forgot-password");
});

test("a wrong password is refused with a message", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await signOut(page);
  await signIn(page, account.email, "not my password");
  await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/don't match/);
  await expect(page).toHaveURL(/\/signin/);
  await open(page, "/me");
  await expect(page.getByRole("link", { name: "Create an account" })).toBeVisible();
});

test("a forgotten password is reset through the emailed link", async ({ page }) => {
  const account = newAccount();
  await signUp(page, account);
  await signOut(page);

  await open(page, "/forgot-password");
  await page.getByLabel("Email").fill(account.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "reset link is on its way" })).toBeVisible();

  const link = await mailedLink(page, account.email, "/reset-password");
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("New password").fill("a brand new secret");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page).toHaveURL(/\/signin\?reset=done$/);
  await expect(page.getByText("Your password was changed")).toBeVisible();

  await signIn(page, account.email, account.password);
  await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/don't match/);

  await signIn(page, account.email, "a brand new secret");
  await expect(page).toHaveURL(/\/feed$/);

  // The link was single use.
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel("New password").fill("yet another secret");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "expired or was already used" })).toBeVisible();
});
