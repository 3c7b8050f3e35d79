import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "./fixtures";
import { hydrated, open } from "./helpers";

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
