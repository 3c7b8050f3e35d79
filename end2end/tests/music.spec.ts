import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures";
import { hydrated, open } from "./helpers";

const ARTWORK = join(__dirname, "..", "fixtures", "photo.png");

/** A twenty-second MP3, made by ffmpeg's own sources. */
function song(): string {
  const file = join(mkdtempSync(join(tmpdir(), "track-")), "river-song.mp3");
  execFileSync("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=330:duration=20"],
    ...["-c:a", "libmp3lame", "-b:a", "64k", file],
  ]);
  return file;
}

test("an artist publishes a single; a visitor plays it across pages", async ({ page, browser }) => {
  test.setTimeout(90_000);
  await open(page, "/signin");
  await page.getByLabel("Email").fill("mira@demo.boptone.app");
  await page.getByLabel("Password").fill("boptone-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/feed/);

  await open(page, "/dashboard");
  await page.getByRole("navigation", { name: "Quick start" }).getByRole("link", { name: /Release music/ }).click();
  await expect(page).toHaveURL(/\/dashboard\/music$/);
  await hydrated(page);
  await page.getByLabel("Title").fill("River Song");
  await page.getByLabel("Audio file").setInputFiles(song());
  await page.getByRole("button", { name: "Upload track" }).click();
  const track = page.getByRole("list", { name: "Your tracks" }).getByRole("listitem").filter({ hasText: "River Song" });
  await expect(track.getByText(/^Ready · 0:20/)).toBeVisible({ timeout: 30_000 });

  // A single with that track: a wrong ISRC is refused beside its field, then fixed.
  await page.getByRole("link", { name: "New release" }).click();
  await expect(page).toHaveURL(/\/dashboard\/music\/releases\/new$/);
  await hydrated(page);
  await expect(page.getByRole("radio", { name: "Single" })).toBeChecked();
  await page.getByLabel("Title", { exact: true }).fill("River Song");
  await page.getByLabel("Genre").fill("Folk");
  await page.getByRole("button", { name: "Add “River Song”" }).click();
  await page.getByLabel("Track 1 ISRC (optional)").fill("US-12");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByText(/An ISRC has 12 characters/)).toBeVisible();
  await page.getByLabel("Track 1 ISRC (optional)").fill("us-rc1-76-07839");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page).toHaveURL(/\/dashboard\/music\/releases\/\d+\?saved=1$/);
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByLabel("Track 1 ISRC (optional)")).toHaveValue("US-RC1-76-07839");

  // Publishing needs artwork.
  await page.getByRole("button", { name: "Publish release" }).click();
  await expect(page.getByText("Add artwork before you publish.")).toBeVisible();
  await page.getByLabel("Artwork image").setInputFiles(ARTWORK);
  await expect(page.getByRole("img", { name: "Artwork" })).toHaveAttribute("src", /\/media\/releases\/.+\.jpg$/);
  await page.getByRole("button", { name: "Publish release" }).click();
  await expect(page.getByText("Published. Fans can find it on your profile.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Post a Bop about it" })).toHaveAttribute("href", "/dashboard/bops/new");

  // Its page, as link previews and search engines read it, and as fans see it.
  const pageLink = page.getByRole("link", { name: "View the release page" });
  const address = (await pageLink.getAttribute("href"))!;
  expect(address).toMatch(/^\/@mira_sol\/releases\/river-song(-\d+)?$/);
  const served = await (await page.request.get(address)).text();
  expect(served).toContain(`<meta property="og:type" content="music.song">`);
  expect(served).toMatch(/<meta property="og:image" content="http:\/\/[^"]+\/media\/releases\/[^"]+\.jpg">/);
  const ld = served.match(/<script[^>]*type="application\/ld\+json"[^>]*>(.*?)<\/script>/s);
  expect(ld, "JSON-LD in the page").not.toBeNull();
  const album = JSON.parse(ld![1]);
  expect(album["@type"]).toBe("MusicAlbum");
  expect(album.track[0]).toMatchObject({ "@type": "MusicRecording", name: "River Song", isrcCode: "USRC17607839" });
  await pageLink.click();
  await expect(page.getByRole("heading", { name: "River Song", level: 1 })).toBeVisible();

  // A visitor plays it, then moves around the app: the music never stops.
  const visitorContext = await browser.newContext();
  const fan = await visitorContext.newPage();
  await open(fan, address);
  await fan.getByRole("button", { name: "Play", exact: true }).click();
  const bar = fan.getByRole("region", { name: "Player" });
  await expect(bar.getByTestId("now-playing")).toHaveText("River Song");
  const audio = fan.getByTestId("player-audio");
  const time = () => audio.evaluate((a: HTMLAudioElement) => a.currentTime);
  await expect.poll(time).toBeGreaterThan(0.5);
  const side = fan.getByRole("navigation", { name: "Main" });
  for (const tab of ["Music", "Shop", "Me"]) {
    const before = await time();
    await side.getByRole("link", { name: tab, exact: true }).click();
    await expect(fan).toHaveURL(new RegExp(`/${tab.toLowerCase()}$`));
    await expect.poll(time).toBeGreaterThan(before + 0.3);
    if (tab === "Music") {
      await expect(fan.getByRole("list", { name: "New releases" }).getByRole("link", { name: /River Song/ })).toBeVisible();
    }
  }
  expect(await audio.evaluate((a: HTMLAudioElement) => a.paused)).toBe(false);
  // The lock screen knows what plays.
  expect(await fan.evaluate(() => navigator.mediaSession.metadata?.title)).toBe("River Song");
  expect(await fan.evaluate(() => navigator.mediaSession.metadata?.artist)).toBe("Mira Sol");

  // The queue: the track again at the end, moved up, taken off.
  await fan.goBack();
  await fan.goBack();
  await fan.goBack();
  await expect(fan).toHaveURL(new RegExp(`${address}$`));
  await fan.getByRole("button", { name: "Add River Song to the queue" }).click();
  await bar.getByRole("button", { name: "Open the player" }).click();
  const queue = fan.getByRole("list", { name: "Queue" }).getByTestId("queue-item");
  await expect(queue).toHaveCount(2);
  await expect(queue.first()).toHaveAttribute("aria-current", "true");
  await queue.nth(1).getByRole("button", { name: "Move River Song up" }).click();
  await expect(queue.nth(1)).toHaveAttribute("aria-current", "true");
  await queue.first().getByRole("button", { name: "Remove River Song from the queue" }).click();
  await expect(queue).toHaveCount(1);
  const full = fan.getByRole("dialog", { name: "Now playing" });
  await full.getByRole("button", { name: "Pause" }).click();
  await expect(full.getByRole("button", { name: "Play", exact: true })).toBeVisible();
  // The artist's profile lists it.
  await open(fan, "/@mira_sol");
  await expect(fan.getByRole("list", { name: "Releases" }).getByRole("link", { name: /River Song/ })).toBeVisible();
  await visitorContext.close();

  await open(page, "/dashboard/music");
  const release = page.getByRole("list", { name: "Your releases" }).getByRole("listitem").filter({ hasText: "River Song" });
  await expect(release.getByText(/^Out since/)).toBeVisible();
});
