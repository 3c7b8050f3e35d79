import { expect, type Page } from "@playwright/test";

/**
 * Waits until the WebAssembly app has hydrated the server-rendered page and the data
 * requests it starts right after (session, unread count) have settled.
 */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  await page.waitForLoadState("networkidle");
}

/** Goes to `path` and waits for hydration. */
export async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await hydrated(page);
}

let counter = 0;
/** An email address no other test uses. */
export function uniqueEmail(prefix = "fan"): string {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}.${process.pid}.${counter}@example.com`;
}

/**
 * Finds the newest emailed link to `path` for `email` in the in-app mailbox. Email is
 * delivered by a background job, so the mailbox is reloaded until it arrives.
 */
export async function mailedLink(page: Page, email: string, path: string): Promise<string> {
  const link = page.locator(`a[href*="${path}"]`).first();
  await expect(async () => {
    await open(page, `/dev/mailbox?to=${encodeURIComponent(email)}`);
    await expect(link).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  const href = await link.getAttribute("href");
  expect(href).toBeTruthy();
  return href as string;
}

export interface Account {
  name: string;
  email: string;
  password: string;
}

export function newAccount(prefix = "fan"): Account {
  return { name: "Ada Lovelace", email: uniqueEmail(prefix), password: "correct horse battery" };
}

/** Fills in and sends the sign-up form; the page then asks to check the inbox. */
export async function submitSignUp(page: Page, account: Account): Promise<void> {
  await open(page, "/signup");
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
}

/**
 * Signs up through the form, confirms the emailed link (which signs in) and waits for
 * the account page; returns the link.
 */
export async function signUp(page: Page, account: Account): Promise<string> {
  await submitSignUp(page, account);
  const link = await mailedLink(page, account.email, "/verify-email");
  await page.goto(link);
  await hydrated(page);
  await page.getByRole("button", { name: "Confirm my email" }).click();
  await expect(page.getByText(`${account.email} is confirmed`)).toBeVisible();
  await page.getByRole("link", { name: "Continue to Boptone" }).click();
  await expect(page).toHaveURL(/\/me\?welcome=1$/);
  await expect(page.getByRole("heading", { level: 1, name: account.name })).toBeVisible();
  return link;
}

/** Signs in through the form. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await open(page, "/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs out from the account page. */
export async function signOut(page: Page): Promise<void> {
  await open(page, "/me");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
}
