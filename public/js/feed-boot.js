// Starts the first Bop of a server-rendered feed page before the app's WebAssembly has
// arrived: hls.js (loaded just before this, deferred) plays the first video, muted, as
// soon as the page is parsed. The app adopts this player when it hydrates
// (`components/player.rs`), so there is only ever one. Does nothing after hydration
// (a page reached by navigating inside the app) or where hls.js is not supported.
(function () {
  "use strict";
  if (document.documentElement.dataset.hydrated || !window.Hls || !window.Hls.isSupported()) {
    return;
  }
  var video = document.querySelector("[data-testid=bop] video[data-src]");
  if (!video) {
    return;
  }
  var hls = new window.Hls({
    capLevelToPlayerSize: true,
    startLevel: -1,
    enableWorker: false,
    maxBufferLength: 20,
    maxMaxBufferLength: 40,
  });
  hls.loadSource(video.dataset.src);
  hls.attachMedia(video);
  video.muted = true;
  var started = video.play();
  if (started && started.catch) {
    started.catch(function () {});
  }
  window.__bopBoot = { video: video, hls: hls };
})();
