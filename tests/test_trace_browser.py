"""The trace viewer in a real browser: headless Chromium loads the page with no console
error, the lanes of the named tasks are in the rendered DOM, and a screenshot is saved (its
path is printed, for a person to look at).

Slow (a browser start per test): marked ``integration``, run once in CI's main run. Skipped
with the reason when no Chromium is installed (Debian: ``apt-get install -y chromium``).
"""

import contextlib
import io
import os
import re
import shutil
import subprocess
import tempfile

import pytest

import genlet
from genlet.trace import Recorder, to_data, to_html

pytestmark = pytest.mark.integration

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None)
needs_browser = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium to load the trace viewer in (Debian: apt-get install -y chromium)"
)
SHOTS = os.path.join(tempfile.gettempdir(), "genlet-trace-screenshots")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PICTURE = os.path.join(ROOT, "docs", "debugging-trace.png")


def browser(page, *args, size="1200,500"):
    """Run headless Chromium on ``page``: (stdout, the console's lines)."""
    command = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--enable-logging=stderr", "--v=0", "--window-size=" + size, *args, "file://" + page]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def check_page(path, names, shot, size="1200,500"):
    """The page renders without an error; every name in ``names`` labels a lane; a PNG."""
    dom, console = browser(path, "--dump-dom")
    assert not console, console
    assert 'data-viewer="ready"' in dom and "data-viewer-error" not in dom, dom[:500]
    labels = re.findall(r'<div class="lane-label[^"]*" data-task="\d+" title="[^"]*">(.*?)</div>', dom)
    shown = {re.sub(r"<[^>]+>", "", label).lstrip("#0123456789") for label in labels}
    assert set(names) <= shown, (names, sorted(shown)[:20])
    os.makedirs(SHOTS, exist_ok=True)
    png = os.path.join(SHOTS, shot)
    _, console = browser(path, "--screenshot=" + png, size=size)
    assert not console, console
    with open(png, "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"
    print("screenshot of %s: %s" % (os.path.basename(path), png))
    return dom


def pipeline(tasks):
    """A small program: a producer, ``tasks`` workers sharing a channel and a lock, main."""

    def producer(ch, n):
        for i in range(n):
            yield from genlet.sleep(0.01)
            yield from ch.send(i)
        ch.close()

    def worker(ch, lock):
        while True:
            try:
                item = yield from ch.recv()
            except genlet.ChannelClosed:
                return
            yield from lock.acquire()
            try:
                yield from genlet.sleep(0.02 if item % 2 else 0.005)
            finally:
                lock.release()

    def main():
        ch, lock = genlet.Channel(), genlet.Lock()
        genlet.spawn(producer, ch, 3 * tasks, name="producer")
        workers = [genlet.spawn(worker, ch, lock, name="worker-%d" % i) for i in range(tasks)]
        yield from genlet.joinall(workers)

    return main


@needs_browser
def test_a_run_of_named_tasks_in_the_viewer(tmp_path):
    path = str(tmp_path / "pipeline.html")
    genlet.run(pipeline(4), clock=genlet.VirtualClock(), trace=path)
    check_page(path, ["producer", "worker-0", "worker-3"], "pipeline.png")


@needs_browser
def test_ten_thousand_tasks_are_paged(tmp_path):
    def nap(i):
        yield from genlet.sleep(i % 7 * 0.001)

    def main():
        yield from genlet.joinall([genlet.spawn(nap, i, name="nap-%d" % i) for i in range(10_000)])

    recorder = Recorder()
    genlet.run(main, clock=genlet.VirtualClock(), trace=recorder)
    path = recorder.write(str(tmp_path / "many.html"))
    dom = check_page(path, ["nap-0", "nap-198"], "many.png")
    assert dom.count('class="lane-label') == 200  # one page of lanes in the DOM
    assert re.search(r"lanes 1\u2013200 of 1000[12]<", dom)  # main, 10,000 naps (and the kernel)


def test_the_docs_picture_is_checked_in():
    with open(PICTURE, "rb") as file:
        assert file.read(8) == b"\x89PNG\r\n\x1a\n"


@needs_browser
def test_the_docs_example_in_the_viewer():
    """docs/debugging.md's trace example, run and shown; ``GENLET_UPDATE_PICTURES=1`` makes
    its screenshot the docs' picture (docs/debugging-trace.png)."""
    text = open(os.path.join(ROOT, "docs", "debugging.md"), encoding="utf-8").read()
    example = [block for block in re.findall(r"```python\n(.*?)```", text, re.S) if "trace=path" in block]
    assert len(example) == 1
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(example[0], "debugging.md", "exec"), {"__name__": "__doc_example__"})
    path = os.path.join(tempfile.gettempdir(), "pipeline.html")
    check_page(path, ["producer", "worker-0", "worker-2"], "docs-example.png", size="1200,250")
    if os.environ.get("GENLET_UPDATE_PICTURES") == "1":
        shutil.copyfile(os.path.join(SHOTS, "docs-example.png"), PICTURE)
        print("updated %s" % PICTURE)


# Played in the page once it has loaded: hover a slice, zoom with the wheel, drag to pan; the
# tooltip's text and the time window shown (the canvas's data-window) end up in the DOM.
PLAY = """<script>
(function () {
  const canvas = document.getElementById("lanes"), box = canvas.getBoundingClientRect();
  const x = box.left + box.width * %(fraction)f, y = box.top + %(row)d * 22 + 11;
  const at = (type, dx, extra) => Object.assign({ clientX: x + (dx || 0), clientY: y, bubbles: true }, extra || {});
  canvas.dispatchEvent(new MouseEvent("mousemove", at("mousemove")));
  document.body.dataset.tip = document.getElementById("tooltip").textContent;
  document.body.dataset.before = canvas.dataset.window;
  canvas.dispatchEvent(new WheelEvent("wheel", at("wheel", 0, { deltaY: -400, cancelable: true })));
  document.body.dataset.zoomed = canvas.dataset.window;
  canvas.dispatchEvent(new MouseEvent("mousedown", at("mousedown")));
  window.dispatchEvent(new MouseEvent("mousemove", at("mousemove", -100)));
  window.dispatchEvent(new MouseEvent("mouseup", at("mouseup", -100)));
  document.body.dataset.panned = canvas.dataset.window;
})();
</script>
</body>"""


@needs_browser
def test_hover_zoom_and_pan_in_the_viewer(tmp_path):
    recorder = Recorder()
    genlet.run(pipeline(2), clock=genlet.VirtualClock(), trace=recorder)
    data = to_data(recorder)
    row, lane = next((i, lane) for i, lane in enumerate(data["lanes"]) if lane["name"] == "worker-1")
    wait = max((s for s in lane["s"] if s[0] == 2), key=lambda s: s[2] - s[1])  # its longest wait
    fraction = (wait[1] + wait[2]) / 2 / data["span"]
    path = str(tmp_path / "play.html")
    with open(path, "w", encoding="utf-8") as file:
        file.write(to_html(recorder).replace("</body>", PLAY % dict(fraction=fraction, row=row), 1))
    dom, console = browser(path, "--dump-dom")
    assert not console, console
    found = dict(re.findall(r'data-(tip|before|zoomed|panned)="([^"]*)"', dom))
    tip = found["tip"].replace("&#10;", "\n")
    assert tip.startswith("worker-1  (task %d)" % lane["id"]) and "waiting for " in tip, tip
    assert data["strings"][wait[3]].split(" at ")[0] in tip.replace("&#39;", "'"), tip
    window = {key: [float(v) for v in found[key].split()] for key in ("before", "zoomed", "panned")}
    assert window["zoomed"][1] - window["zoomed"][0] < window["before"][1] - window["before"][0]  # zoomed in
    assert window["panned"][0] > window["zoomed"][0]  # dragged left: later times come into view
