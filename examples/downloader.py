"""A concurrent downloader: fetch many pages over HTTP, at most N at a time.

    python examples/downloader.py [-n N] URL ...          (http:// URLs; N defaults to 4)

Each page is fetched by its own task; a `Pool` of N slots bounds how many run at once, so a
thousand URLs never mean a thousand open connections. `pool.map` returns the results in the
order of the URLs. One page that fails (refused, timed out, a bad answer) is reported on its
line and does not stop the others.
"""

import sys

import genlet
import genlet.io
from genlet import Pool

TIMEOUT = 10  # seconds for one page, from connecting to the last byte


def split_url(url):
    """``http://host:port/path`` -> (host, port, path)."""
    if not url.startswith("http://"):
        raise ValueError("only http:// URLs, got %r" % (url,))
    rest = url[len("http://"):]
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port or 80), "/" + path


def fetch(url):
    """One page: (url, status, body), or (url, the error, b"")."""
    try:
        with genlet.fail_after(TIMEOUT):
            host, port, path = split_url(url)
            stream = yield from genlet.io.open_connection(host, port)
            with stream:
                request = "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)
                yield from stream.write(request.encode())
                status_line = yield from stream.readline()
                status = int(status_line.split()[1])
                length = None
                while True:  # the headers, up to the blank line
                    line = yield from stream.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                body = yield from (stream.read() if length is None else stream.read_exactly(length))
        return url, status, body
    except (OSError, EOFError, ValueError, IndexError) as exc:  # TimeoutError is an OSError
        return url, "%s: %s" % (type(exc).__name__, exc), b""


def main(urls, concurrency):
    pool = Pool(concurrency)
    results = yield from pool.map(fetch, urls)
    for url, status, body in results:
        print("%s %s %d bytes" % (url, status, len(body)))


if __name__ == "__main__":
    args = sys.argv[1:]
    concurrency = 4
    if args[:1] == ["-n"]:
        concurrency, args = int(args[1]), args[2:]
    genlet.run(main, args, concurrency)
