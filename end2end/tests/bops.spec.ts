import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures";
import { hydrated, newAccount, open, signUp } from "./helpers";

/** A two-second vertical clip with sound, made by ffmpeg's own sources. */
function clip(): string {
  const file = join(mkdtempSync(join(tmpdir(), "bop-")), "soundcheck.mp4");
  execFileSync("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=180x320:rate=15"],
    ...["-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", "-c:v", "libx264", "-preset", "ultrafast"],
    ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", file],
  ]);
  return file;
}

test("an artist posts a Bop and sees it become ready", async ({ page }) => {
  const video = clip();
  await open(page, "/signin");
  await page.getByLabel("Email").fill("nova@demo.boptone.app");
  await page.getByLabel("Password").fill("boptone-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/feed/);

  await open(page, "/dashboard");
  await page.getByRole("navigation", { name: "Quick start" }).getByRole("link", { name: /Post a Bop/ }).click();
  await expect(page).toHaveURL(/\/dashboard\/bops\/new$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Post a Bop" })).toBeVisible();
  await page.getByLabel("Video").setInputFiles(video);
  await page.getByLabel("Caption").fill("Soundcheck before the show #live");
  await page.getByRole("button", { name: "Post Bop" }).click();

  await expect(page).toHaveURL(/\/dashboard\/bops$/);
  const bop = page
    .getByRole("list", { name: "Your Bops" })
    .getByRole("listitem")
    .filter({ hasText: "Soundcheck before the show #live" });
  await expect(bop.getByText(/^Ready/)).toBeVisible({ timeout: 30_000 });
  // The poster was made and loads.
  const poster = bop.locator("img");
  await expect(poster).toHaveAttribute("src", /\/media\/bops\/.+\/poster\.webp$/);
  await expect.poll(() => poster.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  // The caption can be changed, and the Bop deleted (after a confirmation).
  await bop.getByText("Edit caption").click();
  await bop.getByLabel("Caption").fill("Soundcheck, take two #live");
  await bop.getByRole("button", { name: "Save caption" }).click();
  const edited = page.getByRole("listitem").filter({ hasText: "Soundcheck, take two #live" });
  await expect(edited).toBeVisible();
  await edited.getByRole("button", { name: "Delete" }).click();
  await edited.getByRole("button", { name: "Delete Bop" }).click();
  await expect(page.getByText("Soundcheck, take two #live")).toHaveCount(0);
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test("a fan watches the feed, likes, comments, follows and kicks in from a Bop", async ({ page }) => {
    // A whole journey: signing up, watching, five actions and a payment.
    test.setTimeout(60_000);
    await signUp(page, newAccount("watcher"));
    await open(page, "/feed");
    const feed = page.getByTestId("feed");
    const first = feed.getByTestId("bop").first();
    await expect(first).toBeVisible();

    // The first Bop plays on its own, muted: its time moves on.
    const video = first.locator("video");
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(0.5);
    expect(await video.evaluate((v: HTMLVideoElement) => v.muted)).toBe(true);
    await first.getByRole("button", { name: /Tap to unmute/ }).click();
    expect(await video.evaluate((v: HTMLVideoElement) => v.muted)).toBe(false);

    // Swipe on to the first Bop by The Low Tides (the money tests use Nova Reyes, whose
    // Bops come first); it plays when it comes into view.
    const artist = "The Low Tides";
    const theirs = feed.getByTestId("bop").filter({ has: page.getByRole("link", { name: `${artist}'s profile` }) }).first();
    await expect(async () => {
      await feed.evaluate((el) => el.scrollBy(0, el.clientHeight));
      await expect(theirs).toBeInViewport({ ratio: 0.9, timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    const bop = theirs;
    await expect
      .poll(() => bop.locator("video").evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 })
      .toBeGreaterThan(0.3);

    // Like: the heart fills at once and the count goes up.
    const like = bop.getByRole("button", { name: /^Like \d+ likes$/ });
    const before = Number((await like.innerText()).match(/\d+/)![0]);
    await like.click();
    await expect(like).toHaveAttribute("aria-pressed", "true");
    await expect(like).toHaveAccessibleName(`Like ${before + 1} likes`);

    // Comment.
    await bop.getByRole("button", { name: /^Comments/ }).click();
    const sheet = page.getByRole("dialog", { name: /Comments/ });
    await sheet.getByLabel("Add a comment").fill("This one is my favourite");
    await sheet.getByRole("button", { name: "Post" }).click();
    await expect(sheet.getByTestId("comment").filter({ hasText: "This one is my favourite" })).toBeVisible();
    await sheet.getByRole("button", { name: "Close" }).click();
    await expect(sheet).toBeHidden();

    // Follow the artist.
    await bop.getByRole("button", { name: "Follow", exact: true }).click();
    await expect(bop.getByRole("button", { name: "Following" })).toBeVisible();

    // A shared link opens that Bop itself, with its preview tags for other apps; the
    // like is still there.
    const id = await bop.getAttribute("data-bop-id");
    // Link previews read the page as served (no script runs): its Open Graph tags.
    const served = await (await page.request.get(`/bops/${id}`)).text();
    expect(served).toMatch(/<meta property="og:video" content="http:\/\/[^"]+\/media\/bops\/[^"]+\/video\.mp4">/);
    expect(served).toContain(`<meta property="og:video:type" content="video/mp4">`);
    expect(served).toMatch(/<meta property="og:image" content="http:\/\/[^"]+\/poster\.webp">/);
    await open(page, `/bops/${id}`);
    const shared = page.getByTestId("bop").first();
    await expect(shared).toHaveAttribute("data-bop-id", id!);
    await expect(shared.getByRole("button", { name: /^Like/ })).toHaveAttribute("aria-pressed", "true");

    // Kick In from the Bop: the tip flow, paid in the sandbox.
    await shared.getByRole("button", { name: `Kick In: tip ${artist}` }).click();
    const kickIn = page.getByRole("dialog", { name: `Kick In for ${artist}` });
    await kickIn.getByRole("button", { name: "$5" }).click();
    await kickIn.getByRole("button", { name: "Kick In" }).click();
    await expect(page).toHaveURL(/\/sandbox\/checkout\//);
    await hydrated(page);
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
    await page.getByLabel("CVC").fill("123");
    await page.getByRole("button", { name: "Pay" }).click();
    await expect(page.getByText(`reached ${artist}`, { exact: false })).toBeVisible();

    await open(page, "/me");
    await expect(page.getByRole("list", { name: "Artists you follow" })).toContainText(artist);
  });
});
