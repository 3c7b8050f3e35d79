// Boptone service worker: keeps the app shell and static assets for offline use and
// shows the offline page when a navigation cannot reach the network. Data requests
// (/api) always go to the network.
const VERSION = "boptone-shell-v4";
const SHELL = [
  "/offline.html",
  "/manifest.webmanifest",
  "/icons/favicon.svg",
  "/icons/icon-192.png",
];

// The app's code: its file names carry content hashes, so they are read from the start
// page rather than listed here. Best effort: what is missed is cached when fetched.
async function appCode() {
  try {
    const html = await (await fetch("/", { credentials: "omit" })).text();
    return [...new Set(html.match(/\/pkg\/[\w.-]+\.(?:js|wasm|css)/g) ?? [])];
  } catch (err) {
    return [];
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(VERSION)
      .then(async (cache) => {
        await cache.addAll(SHELL);
        await cache.addAll(await appCode()).catch(() => {});
      })
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The app's code (/pkg): the network first, so the JS and WebAssembly always match the
// server-rendered HTML after a deploy; the cached copy only when offline.
function isAppCode(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/pkg/");
}

// Images and the manifest change rarely: served from the cache, refreshed behind.
function isStaticAsset(url) {
  return (
    url.origin === self.location.origin &&
    (url.pathname.startsWith("/icons/") ||
      url.pathname.startsWith("/demo/") ||
      url.pathname === "/manifest.webmanifest")
  );
}

// A new build's code replaces the last one's: one cached file per name, the part before
// the content hash (`boptone`, `chunk_12`, `split_fan_pages` without the number the
// build gives a group) and its kind.
function codeName(url) {
  const file = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
  const base = file.slice(0, file.indexOf(".")).replace(/^(split_.+)_\d+$/, "$1");
  return base + file.slice(file.lastIndexOf("."));
}

async function forgetOlderCode(cache, url) {
  const name = codeName(url);
  for (const old of await cache.keys()) {
    const oldUrl = new URL(old.url);
    if (isAppCode(oldUrl) && oldUrl.pathname !== url.pathname && codeName(oldUrl) === name) {
      await cache.delete(old);
    }
  }
}

async function networkFirst(request) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(request, response.clone());
      await forgetOlderCode(cache, new URL(request.url));
    }
    return response;
  } catch (err) {
    return (await cache.match(request)) || Response.error();
  }
}

// Static assets: answer from the cache at once and refresh it in the background.
async function staleWhileRevalidate(request) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(request);
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached);
  return cached || fresh;
}

// Pages: the network first; without it, the offline page.
async function networkFirstPage(request) {
  try {
    return await fetch(request);
  } catch (err) {
    const cache = await caches.open(VERSION);
    return (await cache.match("/offline.html")) || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (isAppCode(url)) {
    event.respondWith(networkFirst(request));
  } else if (isStaticAsset(url)) {
    event.respondWith(staleWhileRevalidate(request));
  }
});
