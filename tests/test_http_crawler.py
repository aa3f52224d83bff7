"""examples/crawler.py against a generated site served by genlet's own server."""

import importlib.util
import io
import os
import pathlib
import random
import socket
import struct
import subprocess
import sys
import threading

import genlet
import genlet.http
from genlet.http import Response

ROOT = pathlib.Path(__file__).resolve().parent.parent
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def load_crawler():
    spec = importlib.util.spec_from_file_location("crawler", ROOT / "examples" / "crawler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Site:
    """``pages`` linked pages (and some never linked), 404s, redirects, a slow page, a page that
    resets its connection, a robots.txt that forbids /private/."""

    def __init__(self, pages=300, slow=2.0):
        self.count = pages
        self.slow = slow
        rng = random.Random(17)
        self.links = {}
        for i in range(pages):
            # Discussion: pages from pages-20 up are linked from nowhere: the crawler must not find them.
            targets = ["/p/%d" % rng.randrange(pages - 20) for _ in range(3)]
            if i % 25 == 0:
                targets.append("/missing/%d" % i)
            if i % 40 == 3:
                targets.append("/r/%d" % rng.randrange(pages - 20))
            if i % 60 == 7:
                targets += ["/private/%d" % i, "http://elsewhere.invalid/x", "mailto:a@b.c", "#top", "/p/%d#frag" % i]
            self.links["/p/%d" % i] = targets
        self.links["/"] = ["/p/0", "/p/1", "/slow", "/reset", "/r/2"]

    def page(self, path):
        return "<html><body>%s</body></html>" % "".join('<a href="%s">x</a>' % href for href in self.links[path])

    def handler(self, request):
        path = request.path
        yield from genlet.sleep(0)
        if path == "/robots.txt":
            return Response(200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /private/\n")
        if path in self.links:
            return Response(200, [("Content-Type", "text/html; charset=utf-8")], self.page(path).encode())
        if path.startswith("/r/"):
            return Response(301, [("Location", "/p/" + path[3:])])
        if path == "/slow":
            yield from genlet.sleep(self.slow)
            return Response(200, [("Content-Type", "text/html")], b"<a href='/never'>late</a>")
        if path == "/reset":
            sock = request._reader.sock  # (a test reaching in: reset the connection under the server)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
            yield from genlet.sleep(3600)  # the server's close() cancels it
        return Response(404, [("Content-Type", "text/html")], b"<a href='/never'>gone</a>")

    def expected(self):
        """What a crawl from / must find: {path: status or error kind}."""
        found = {}
        frontier = ["/"]
        while frontier:
            path = frontier.pop(0)
            if path in found:
                continue
            if path.startswith("/private/"):
                continue
            if path in self.links:
                found[path] = 200
                frontier += [href.partition("#")[0] for href in self.links[path] if href.startswith("/")]
            elif path.startswith("/r/"):
                found[path] = 301
                frontier.append("/p/" + path[3:])
            else:
                found[path] = {"/slow": "TimeoutError", "/reset": "ConnectionResetError"}.get(path, 404)
        return found


def test_the_crawler_finds_exactly_the_reachable_pages_and_reports_every_error():
    crawler = load_crawler()
    site = Site()
    progress = io.StringIO()  # (what a terminal would show)

    def main():
        server = genlet.http.Server(("127.0.0.1", 0), site.handler)
        serving = genlet.spawn(server.serve_forever)
        base = "http://127.0.0.1:%d" % server.address[1]
        crawl = crawler.Crawl(base + "/", depth=100, concurrency=8, max_pages=10000, timeout=0.3, progress=progress)
        yield from crawl.run()
        server.close(grace=0)
        yield from serving.join()
        return base, crawl

    base, crawl = genlet.run(main)
    got = {url[len(base):]: status for url, (status, _, _) in crawl.pages.items()}
    got.update({url[len(base):]: message.split(":")[0] for url, message in crawl.errors.items()})
    expected = site.expected()
    assert got == expected
    assert len(got) > 250  # a few hundred pages
    assert sorted(url[len(base):] for url in crawl.robots_skipped) == sorted(
        {"/private/%d" % i for i in range(site.count) if "/p/%d" % i in expected and i % 60 == 7}
    )
    last = progress.getvalue().rstrip("\n").rsplit("\r", 1)[1]
    assert last.startswith("%d pages, 2 errors, " % (len(got) - 2)) and last.strip().endswith("pages/s")
    summary = "\n".join(crawl.summary())
    assert "errors by kind: ConnectionResetError: 1, TimeoutError: 1" in summary
    assert "pages by status: 200: " in summary and "301: " in summary and "404: " in summary


def test_the_crawler_on_the_command_line_bounds_depth_and_pages():
    site = Site(pages=60, slow=0.05)
    ready = threading.Event()
    box = {}

    def serve():
        def main():
            server = genlet.http.Server(("127.0.0.1", 0), site.handler)
            box["server"], box["kernel"] = server, genlet.kernel.current_kernel()
            ready.set()
            yield from server.serve_forever()

        genlet.run(main)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    url = "http://127.0.0.1:%d/" % box["server"].address[1]
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "crawler.py"), url, "--depth", "1", "--concurrency", "4", "--timeout", "5"],
            capture_output=True, text=True, timeout=60, env=ENV,
        )
        limited = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "crawler.py"), url, "--max-pages", "7"],
            capture_output=True, text=True, timeout=60, env=ENV,
        )
        bad = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "crawler.py"), "ftp://x/"], capture_output=True, text=True, timeout=60, env=ENV
        )
    finally:
        box["kernel"].call_from_thread(box["server"].close, 0)
        thread.join(10)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # depth 1: the start page and its five links; /slow answers in time, /reset fails
    assert lines[0].startswith("5 pages, 1 errors, "), lines
    assert lines[1] == "pages by status: 200: 4, 301: 1", lines
    assert lines[3] == "errors by kind: ConnectionResetError: 1"
    assert limited.stdout.startswith("6 pages, 1 errors"), limited.stdout  # 7 fetched, nearest first
    assert bad.returncode == 2 and "must start with http://" in bad.stderr
