"""A polite web crawler: every page of one site, breadth-first, many at a time.

    python examples/crawler.py URL [--depth N] [--concurrency C] [--max-pages M] [--timeout S]

Starts at URL and follows the links (``<a href>``, found with the standard library's
``html.parser``) that stay on the same site (scheme, host and port), nearest pages first. At
most C requests run at once (a ``genlet.Pool``), each bounded by S seconds; pages deeper than N
links from the start, and pages beyond the first M, are left out. ``robots.txt`` is honoured
(``urllib.robotparser``). No URL is fetched twice: a redirect is not followed by the client,
its Location is queued like a link, so a page two URLs redirect to is fetched once.

On a terminal a progress line shows pages, errors and pages per second; at the end a summary
gives the pages by status, the bytes, the slowest pages and the errors by kind.
"""

import argparse
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import genlet
import genlet.http

AGENT = "genlet-crawler"


class Links(HTMLParser):
    """The ``href`` of every ``<a>`` in a page."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.found.append(value)


def links_of(base, html):
    parser = Links()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # a page so broken html.parser gives up: keep what it found
        pass
    return [urldefrag(urljoin(base, href))[0] for href in parser.found]


class Crawl:
    """One crawl: the frontier, what was seen, and what happened to each page."""

    def __init__(self, start, depth=3, concurrency=10, max_pages=1000, timeout=10.0, progress=None):
        self.start = urldefrag(start)[0]
        self.site = urlsplit(self.start)[:2]  # (scheme, netloc): the site we stay on
        self.max_depth = depth
        self.max_pages = max_pages
        self.timeout = timeout
        self.concurrency = concurrency
        self.progress = progress  # a file to draw the progress line on, or None
        self.seen = {self.start}
        self.frontier = [(self.start, 0)]  # FIFO: breadth-first
        self.pages = {}  # url -> (status, bytes, seconds)
        self.errors = {}  # url -> "Kind: message"
        self.robots_skipped = []
        self.started = 0
        self.robots = None
        self.began = 0.0

    def run(self):
        """``yield from crawl.run()``: crawl until the frontier is empty or the bounds are hit."""
        self.began = time.monotonic()
        client = genlet.http.Client(max_per_host=self.concurrency, timeout=self.timeout, follow_redirects=False)
        with client:
            yield from self.read_robots(client)
            pool = genlet.Pool(self.concurrency)
            changed = genlet.Event()
            while True:
                changed.clear()
                while self.frontier and self.started < self.max_pages:
                    url, depth = self.frontier.pop(0)
                    if self.robots is not None and not self.robots.can_fetch(AGENT, url):
                        self.robots_skipped.append(url)
                        continue
                    self.started += 1
                    yield from pool.spawn(self.fetch, client, url, depth, changed)
                if not len(pool):
                    break
                yield from changed.wait()  # a page finished: maybe new links
        if self.progress is not None:
            self.progress.write("\n")
        return self

    def read_robots(self, client):
        root = "%s://%s/robots.txt" % self.site
        try:
            response = yield from client.get(root)
        except (OSError, genlet.http.ProtocolError):
            return  # no robots.txt to be had: everything is allowed
        if response.status == 200:
            self.robots = RobotFileParser(root)
            self.robots.parse(response.text().splitlines())

    def fetch(self, client, url, depth, changed):
        """Fetch one page; queue its links (or its redirect's target) one level deeper."""
        began = time.monotonic()
        try:
            response = yield from client.get(url)
        except Exception as exc:  # each failure is reported, none stops the crawl
            self.errors[url] = "%s: %s" % (type(exc).__name__, exc)
        else:
            self.pages[url] = (response.status, len(response.body), time.monotonic() - began)
            if depth < self.max_depth:
                if response.status in (301, 302, 303, 307, 308):
                    self.queue([urljoin(url, response.headers.get("location", ""))], depth + 1)
                elif response.status == 200 and "html" in (response.headers.get("content-type") or ""):
                    self.queue(links_of(url, response.text()), depth + 1)
        self.draw()
        changed.set()

    def queue(self, urls, depth):
        for url in urls:
            parts = urlsplit(url)
            if parts[:2] == self.site and url not in self.seen:
                self.seen.add(url)
                self.frontier.append((url, depth))

    def draw(self):
        if self.progress is None:
            return
        done = len(self.pages) + len(self.errors)
        rate = done / max(time.monotonic() - self.began, 1e-6)
        self.progress.write("\r%d pages, %d errors, %.1f pages/s " % (len(self.pages), len(self.errors), rate))
        self.progress.flush()

    def summary(self):
        """The end report, as lines of text."""
        by_status = {}
        for status, _, _ in self.pages.values():
            by_status[status] = by_status.get(status, 0) + 1
        kinds = {}
        for message in self.errors.values():
            kind = message.split(":", 1)[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        total = sum(size for _, size, _ in self.pages.values())
        seconds = time.monotonic() - self.began
        lines = ["%d pages, %d errors, %d bytes in %.1f s" % (len(self.pages), len(self.errors), total, seconds)]
        lines.append("pages by status: " + (", ".join("%d: %d" % item for item in sorted(by_status.items())) or "none"))
        slowest = sorted(self.pages.items(), key=lambda item: -item[1][2])[:5]
        lines.append("slowest: " + (", ".join("%s (%.3f s)" % (url, info[2]) for url, info in slowest) or "none"))
        lines.append("errors by kind: " + (", ".join("%s: %d" % item for item in sorted(kinds.items())) or "none"))
        for url, message in sorted(self.errors.items()):
            lines.append("  %s: %s" % (url, message))
        if self.robots_skipped:
            lines.append("left out by robots.txt: %d" % len(self.robots_skipped))
        return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="where to start: http://host[:port]/path (or https)")
    parser.add_argument("--depth", type=int, default=3, help="links to follow from the start (3)")
    parser.add_argument("--concurrency", type=int, default=10, help="requests at once (10)")
    parser.add_argument("--max-pages", type=int, default=1000, help="pages to fetch at most (1000)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds for one page (10)")
    args = parser.parse_args(argv)
    if urlsplit(args.url).scheme not in ("http", "https"):
        parser.error("the URL must start with http:// or https://, not %r" % args.url)
    progress = sys.stderr if sys.stderr.isatty() else None
    crawl = Crawl(args.url, args.depth, args.concurrency, args.max_pages, args.timeout, progress)
    genlet.run(crawl.run)
    print("\n".join(crawl.summary()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
