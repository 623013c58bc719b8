// Call page: click a transcript line or the waveform to seek; follow playback; pick channels.
(function () {
  "use strict";
  const player = document.getElementById("player");
  const lines = Array.from(document.querySelectorAll("#transcript .turn"));
  const wave = document.querySelector("#wave svg");
  const head = wave ? wave.querySelector(".playhead") : null;

  function seek(seconds, play) {
    if (!player) return;
    player.currentTime = seconds;
    if (play) player.play().catch(function () { /* autoplay refused: the user presses play */ });
  }

  lines.forEach(function (li) {
    const go = function () { seek(parseFloat(li.dataset.start) || 0, true); };
    li.addEventListener("click", go);
    li.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); } });
  });

  if (wave && player) {
    wave.addEventListener("click", function (e) {
      const box = wave.getBoundingClientRect();
      const duration = player.duration || parseFloat(wave.dataset.duration) || 0;
      seek(duration * (e.clientX - box.left) / box.width, true);
    });
  }

  function follow() {
    if (!player) return;
    const t = player.currentTime;
    let current = null;
    lines.forEach(function (li) {
      if (parseFloat(li.dataset.start) <= t + 0.05) current = li;
    });
    lines.forEach(function (li) { li.classList.toggle("playing", li === current); });
    if (head) {
      const width = wave.viewBox.baseVal.width;
      const duration = player.duration || parseFloat(wave.dataset.duration) || 1;
      const x = Math.min(width, width * t / duration);
      head.setAttribute("x1", x); head.setAttribute("x2", x);
    }
  }
  if (player) {
    player.addEventListener("timeupdate", follow);
    player.addEventListener("seeked", follow);
  }

  // Channel choice: caller is the left channel, bot the right. The WebAudio graph is built on
  // the first choice (a user gesture), so plain playback never depends on an AudioContext.
  let graph = null;
  function build() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    const ac = new Ctx();
    const source = ac.createMediaElementSource(player);
    const split = ac.createChannelSplitter(2);
    const merge = ac.createChannelMerger(2);
    source.connect(split);
    merge.connect(ac.destination);
    return { ac: ac, split: split, merge: merge };
  }
  function mix(which) {
    if (!player) return;
    if (!graph) graph = build();
    graph.ac.resume();
    graph.split.disconnect();
    const map = { both: [[0, 0], [1, 1]], caller: [[0, 0], [0, 1]], bot: [[1, 0], [1, 1]] }[which];
    map.forEach(function (pair) { graph.split.connect(graph.merge, pair[0], pair[1]); });
    document.querySelectorAll(".channels button").forEach(function (b) {
      b.classList.toggle("on", b.dataset.mix === which);
    });
  }
  document.querySelectorAll(".channels button").forEach(function (b) {
    b.addEventListener("click", function () { mix(b.dataset.mix); });
  });
})();
