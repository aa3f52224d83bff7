// genlet.trace viewer: draws a run's timeline on a canvas, one lane per task.
//
// The data (see genlet/trace/export.py, to_data) is inlined in the page as JSON:
//   lanes:   [{id, name, parent, outcome, s: [[state, start, end, info], ...], m: [[t, mark]]}]
//   flows:   [[source lane, start, target lane, end, label]]   (arrows: hand-offs, spawns)
//   strings: the texts that slices, marks and flows point to by index
// Times are microseconds from the first event. Only what is visible is drawn: the lanes of
// the current page that are scrolled into view, and in each lane the slices inside the time
// window (found by binary search; slices narrower than a pixel are merged), so that a run of
// 10,000 tasks stays smooth. Lane labels are DOM elements (one page at a time).
"use strict";
window.addEventListener("error", (e) => {       // a failure shows on the page (and to tests)
  document.documentElement.dataset.viewerError = String(e.message);
});
(function () {
  const data = JSON.parse(document.getElementById("trace-data").textContent);
  const STATES = data.states;                 // ["running", "ready", "waiting", "idle"]
  const css = getComputedStyle(document.documentElement);
  const COLOURS = STATES.map((s) => css.getPropertyValue("--" + s).trim() || "#999");
  const FLOW = css.getPropertyValue("--flow").trim() || "#8e44ad";
  // A waiting slice's shade says on what: a lock (or semaphore), a sleep, anything else.
  const WAIT_SHADES = { lock: css.getPropertyValue("--waiting-lock").trim() || "#c48f8f",
    sleep: css.getPropertyValue("--waiting-sleep").trim() || "#bccadb" };
  const shadeOf = data.strings.map((text) =>
    /\b(Lock|RLock|Semaphore|BoundedSemaphore)#/.test(text) ? WAIT_SHADES.lock
      : /^sleep\b/.test(text) ? WAIT_SHADES.sleep : null);
  const LANE = parseInt(css.getPropertyValue("--lane"), 10) || 22;
  const PAGE = 200;                           // lanes per page
  const $ = (id) => document.getElementById(id);
  const canvas = $("lanes"), ruler = $("ruler"), view = $("view"), labels = $("labels"), tip = $("tooltip");
  const ctx = canvas.getContext("2d"), rctx = ruler.getContext("2d");

  // -- what is shown: the filtered lanes, a page of them, a time window -------------------
  let shown = data.lanes;                     // the lanes that match the filter
  let page = 0;
  let t0 = 0, t1 = Math.max(data.span, 1);    // the visible time window (microseconds)
  let pageFlows = [];                         // the flows with an end on this page
  const laneIndex = new Map(data.lanes.map((lane, i) => [i, lane]));

  function pageLanes() { return shown.slice(page * PAGE, (page + 1) * PAGE); }

  function setPage(p) {
    const pages = Math.max(1, Math.ceil(shown.length / PAGE));
    page = Math.min(Math.max(p, 0), pages - 1);
    const lanes = pageLanes();
    const row = new Map(lanes.map((lane, i) => [lane, i]));
    pageFlows = [];
    for (const f of data.flows) {
      const a = row.get(laneIndex.get(f[0])), b = row.get(laneIndex.get(f[2]));
      if (a !== undefined || b !== undefined) pageFlows.push([a, f[1], b, f[3], f[4]]);
    }
    $("page").textContent = "lanes " + (shown.length ? page * PAGE + 1 : 0) + "\u2013" +
      (page * PAGE + lanes.length) + " of " + shown.length;
    $("prev").disabled = page === 0;
    $("next").disabled = page >= pages - 1;
    renderLabels(lanes);
    view.scrollTop = 0;
    resize();
  }

  function renderLabels(lanes) {
    labels.textContent = "";
    for (const lane of lanes) {
      const div = document.createElement("div");
      const outcome = (lane.outcome || "").split(":")[0];
      div.className = "lane-label" + (outcome ? " " + outcome : "");
      div.dataset.task = lane.id;
      div.title = lane.name + (lane.outcome ? " (" + lane.outcome + ")" : "");
      const id = document.createElement("span");
      id.className = "id";
      id.textContent = lane.id ? "#" + lane.id : "";
      div.append(id, lane.name);
      labels.append(div);
    }
    $("plot").style.height = lanes.length * LANE + "px";
  }

  // -- drawing --------------------------------------------------------------------------
  let width = 0, height = 0, dpr = 1, pending = false;

  function resize() {
    dpr = window.devicePixelRatio || 1;
    width = canvas.clientWidth;
    height = Math.min(view.clientHeight, pageLanes().length * LANE) || LANE;
    for (const [c, h] of [[canvas, height], [ruler, 24]]) {
      c.width = Math.max(1, Math.round(c.clientWidth * dpr));
      c.height = Math.round(h * dpr);
      c.style.height = h + "px";
    }
    draw();
  }

  function draw() {                           // at most once per frame
    canvas.dataset.window = t0.toFixed(3) + " " + t1.toFixed(3);   // the time shown, for tests
    if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; paint(); }); }
  }

  const x = (t) => (t - t0) / (t1 - t0) * width;
  const timeAt = (px) => t0 + px / width * (t1 - t0);

  function paint() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const lanes = pageLanes(), top = view.scrollTop;
    const first = Math.floor(top / LANE), last = Math.min(lanes.length, Math.ceil((top + height) / LANE));
    for (let i = first; i < last; i++) paintLane(lanes[i], i * LANE - top);
    paintFlows(top, first, last);
    paintRuler();
  }

  // The first slice that ends at or after t (slices are sorted and do not overlap).
  function firstEnding(slices, t) {
    let lo = 0, hi = slices.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (slices[mid][2] < t) lo = mid + 1; else hi = mid; }
    return lo;
  }

  function paintLane(lane, y) {
    const s = lane.s, from = firstEnding(s, t0);
    // Two passes: the states, then the steps on top (at least 2 px wide, so a short step
    // among long waits stays visible).
    for (const steps of [false, true]) {
      let drawnTo = -1;                       // the pixel column drawn last: merge what is narrower
      for (let i = from; i < s.length && s[i][1] <= t1; i++) {
        if ((s[i][0] === 0) !== steps) continue;
        const a = Math.max(0, x(s[i][1])), b = Math.min(width, x(s[i][2]));
        if (b - a < 1 && a < drawnTo) continue; // sub-pixel, and this pixel is painted already
        const w = steps ? Math.max(2, b - a) : Math.max(1, b - a);
        const h = steps ? LANE - 6 : LANE - 12;   // a step stands out: taller
        ctx.fillStyle = (s[i][0] === 2 && shadeOf[s[i][3]]) || COLOURS[s[i][0]];
        ctx.fillRect(a, y + (LANE - h) / 2, w, h);
        drawnTo = Math.max(drawnTo, a + w);
      }
    }
    ctx.fillStyle = "#1f2933";
    for (const [t, m] of lane.m) {           // marks: spawned, cancelled, and how it ended
      if (t < t0 || t > t1) continue;
      const text = data.strings[m];
      ctx.fillStyle = text === "failed" ? "#c0392b" : text === "cancelled" ? "#a05a00" : "#1f2933";
      ctx.fillRect(x(t) - 1, y + 2, 2, LANE - 4);
    }
    ctx.fillStyle = "#f0f2f4";
    ctx.fillRect(0, y + LANE - 1, width, 1);
  }

  function paintFlows(top, first, last) {
    const mid = (row) => row * LANE - top + LANE / 2;
    ctx.lineWidth = 1.2;
    for (const [a, ta, b, tb, label] of pageFlows) {
      if ((ta < t0 && tb < t0) || (ta > t1 && tb > t1)) continue;
      if (a === undefined || b === undefined) continue;          // the other end is on another page
      if ((a < first && b < first) || (a >= last && b >= last)) continue;
      // A hand-off (a message, a lock, a join) is the story: strong; a spawn is faint.
      const spawn = data.strings[label] === "spawn";
      ctx.strokeStyle = ctx.fillStyle = spawn ? "rgba(82, 96, 109, 0.25)" : FLOW;
      const xa = x(ta), ya = mid(a), xb = x(tb), yb = mid(b);
      ctx.beginPath(); ctx.moveTo(xa, ya); ctx.lineTo(xb, yb); ctx.stroke();
      const angle = Math.atan2(yb - ya, xb - xa);               // the arrowhead
      ctx.beginPath(); ctx.moveTo(xb, yb);
      ctx.lineTo(xb - 7 * Math.cos(angle - 0.4), yb - 7 * Math.sin(angle - 0.4));
      ctx.lineTo(xb - 7 * Math.cos(angle + 0.4), yb - 7 * Math.sin(angle + 0.4));
      ctx.closePath(); ctx.fill();
    }
  }

  function paintRuler() {
    const w = ruler.clientWidth;
    rctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    rctx.clearRect(0, 0, w, 24);
    const step = niceStep((t1 - t0) / Math.max(1, w / 90));
    rctx.fillStyle = "#52606d"; rctx.font = "11px system-ui, sans-serif";
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const px = x(t);
      rctx.fillRect(px, 16, 1, 8);
      rctx.fillText(formatTime(t), px + 3, 12);
    }
  }

  function niceStep(raw) {                    // 1, 2 or 5 times a power of ten
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-3))));
    return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
  }

  function formatTime(us) {
    const a = Math.abs(us);
    if (a >= 1e6) return +(us / 1e6).toFixed(3) + " s";
    if (a >= 1e3) return +(us / 1e3).toFixed(3) + " ms";
    return +us.toFixed(3) + " \u00b5s";
  }

  // -- zoom, pan, tooltip ---------------------------------------------------------------
  function zoom(factor, px) {
    const at = timeAt(px), span = Math.min(Math.max((t1 - t0) * factor, 1e-3), Math.max(data.span, 1) * 4);
    t0 = at - (px / width) * span; t1 = t0 + span;
    draw();
  }

  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {          // sideways: pan
      const dt = (e.deltaX || e.deltaY) / width * (t1 - t0);
      t0 += dt; t1 += dt; draw();
    } else {
      zoom(Math.exp(e.deltaY * 0.002), e.offsetX);
    }
  }, { passive: false });

  let drag = null;
  canvas.addEventListener("mousedown", (e) => {
    drag = { x: e.clientX, y: e.clientY, t0, t1, top: view.scrollTop };
    canvas.classList.add("dragging");
  });
  window.addEventListener("mouseup", () => { drag = null; canvas.classList.remove("dragging"); });
  window.addEventListener("mousemove", (e) => {
    if (drag) {
      const dt = (e.clientX - drag.x) / width * (drag.t1 - drag.t0);
      t0 = drag.t0 - dt; t1 = drag.t1 - dt;
      view.scrollTop = drag.top - (e.clientY - drag.y);
      tip.hidden = true;
      draw();
    } else if (e.target === canvas) {
      showTip(e);
    } else {
      tip.hidden = true;
    }
  });
  canvas.addEventListener("mouseleave", () => { tip.hidden = true; });

  function sliceAt(lane, t, slop) {
    const s = lane.s;
    for (let i = Math.max(0, firstEnding(s, t - slop) - 1); i < s.length && s[i][1] <= t + slop; i++) {
      if (s[i][1] - slop <= t && t <= s[i][2] + slop) return s[i];
    }
    return null;
  }

  function showTip(e) {
    const rect = canvas.getBoundingClientRect();
    const row = Math.floor((e.clientY - rect.top + view.scrollTop) / LANE);
    const lane = pageLanes()[row];
    const t = timeAt(e.clientX - rect.left), slop = 2 / width * (t1 - t0);
    const s = lane && sliceAt(lane, t, slop);
    if (!s) { tip.hidden = true; return; }
    const lines = [lane.name + (lane.id ? "  (task " + lane.id + ")" : ""),
      STATES[s[0]] + " for " + formatTime(s[2] - s[1]) + ", from " + formatTime(s[1])];
    if (data.strings[s[3]]) lines.push(data.strings[s[3]]);
    if (lane.outcome) lines.push("ended: " + lane.outcome);
    tip.textContent = lines.join("\n");
    tip.hidden = false;
    tip.style.left = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 4) + "px";
    tip.style.top = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 4) + "px";
  }

  function fit() { t0 = 0; t1 = Math.max(data.span, 1); draw(); }

  $("fit").addEventListener("click", fit);
  $("prev").addEventListener("click", () => setPage(page - 1));
  $("next").addEventListener("click", () => setPage(page + 1));
  $("filter").addEventListener("input", (e) => {
    const needle = e.target.value.toLowerCase();
    shown = needle ? data.lanes.filter((lane) => lane.name.toLowerCase().includes(needle)) : data.lanes;
    setPage(0);
  });
  window.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT") return;
    if (e.key === "0") fit();
    else if (e.key === "+" || e.key === "=") zoom(0.5, width / 2);
    else if (e.key === "-") zoom(2, width / 2);
  });
  view.addEventListener("scroll", draw);
  window.addEventListener("resize", resize);

  const tasks = data.lanes.filter((lane) => lane.id).length;
  $("summary").textContent = tasks + (tasks === 1 ? " task, " : " tasks, ") + data.events + " events, " +
    formatTime(data.span) + (data.virtual ? " (virtual clock: real time plus time jumped)" : "");
  setPage(0);
  document.documentElement.dataset.viewer = "ready";  // drawn without an error
})();
