import { expect, test } from "./fixtures";
import { hydrated, open, uniqueEmail } from "./helpers";

/** Cents from an amount as the app shows it ("$1,234.56"). */
function dollars(text: string): number {
  return Math.round(Number(text.replace(/[$,]/g, "")) * 100);
}

/** An amount in cents as the app shows it. */
function money(cents: number): string {
  return `$${(cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

test("a fan tips an artist; the artist sees it live, in earnings, and pays it out", async ({ browser }) => {
  // Two browsers, a payment and a payout: past 30 s when the other worker is busy too.
  test.setTimeout(60_000);
  // The artist, signed in on their dashboard.
  const artistContext = await browser.newContext();
  const artist = await artistContext.newPage();
  await open(artist, "/signin");
  await artist.getByLabel("Email").fill("nova@demo.boptone.app");
  await artist.getByLabel("Password").fill("boptone-demo");
  await artist.getByRole("button", { name: "Sign in" }).click();
  await expect(artist).toHaveURL(/\/feed/);
  // What the demo history already made available (a few months of tips).
  await open(artist, "/dashboard/earnings");
  const before = dollars(await artist.getByTestId("available").innerText());
  await open(artist, "/dashboard");
  const side = artist.getByRole("navigation", { name: "Main" });
  await expect(side.getByRole("link", { name: "Notifications", exact: true })).toBeVisible();

  // A guest fan kicks in $20 and covers the processing cost.
  const fanContext = await browser.newContext();
  const fan = await fanContext.newPage();
  await open(fan, "/@nova_reyes");
  const kickIn = fan.getByRole("region", { name: "Kick In" });
  await kickIn.getByRole("button", { name: "$20" }).click();
  await expect(fan.getByTestId("tip-breakdown")).toContainText("Nova Reyes receives $20.00");
  await kickIn.getByLabel(/Message/).fill("That encore!");
  await kickIn.getByLabel("Your email, for the receipt").fill(uniqueEmail("tipper"));
  await kickIn.getByRole("button", { name: "Kick In" }).click();
  await expect(fan).toHaveURL(/\/sandbox\/checkout\//);
  await hydrated(fan);
  await fan.getByLabel("Card number").fill("4242 4242 4242 4242");
  await fan.getByLabel("Expiry (MM / YY)").fill("12 / 34");
  await fan.getByLabel("CVC").fill("123");
  await fan.getByRole("button", { name: "Pay" }).click();
  await expect(fan).toHaveURL(/\/@nova_reyes\?tip=cs_test_/);
  await expect(fan.getByText("Thank you! Your $20.00 tip reached Nova Reyes.", { exact: false })).toBeVisible();

  // The artist's bell updates without a reload.
  await expect(side.getByRole("link", { name: "Notifications, 1 unread" })).toBeVisible({ timeout: 15_000 });

  // Earnings: the tip with the breakdown of its dollar.
  await open(artist, "/dashboard/earnings");
  const recent = artist.getByRole("table");
  await expect(recent.getByRole("row").nth(1)).toContainText("Tips");
  await expect(recent.getByRole("row").nth(1)).toContainText("$20.00");
  const after = money(before + 2_000);
  await expect(artist.getByTestId("available")).toHaveText(after);

  // A standard payout of everything available, then its history.
  await open(artist, "/dashboard/payouts");
  await expect(artist.getByLabel("Amount, in dollars")).toHaveValue(after.slice(1).replace(/,/g, ""));
  await artist.getByRole("button", { name: "Request payout" }).click();
  await expect(artist.getByText("Payout requested.", { exact: false })).toBeVisible();
  const history = artist.getByRole("list", { name: "Payout history" });
  await expect(history.getByRole("listitem").first()).toContainText(after);
  await expect(async () => {
    await open(artist, "/dashboard/payouts");
    await expect(history.getByRole("listitem").first()).toContainText("Paid", { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(artist.getByTestId("available")).toHaveText("$0.00");

  await artistContext.close();
  await fanContext.close();
});
