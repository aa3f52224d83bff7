# benchmarks/http_client_peers.py
"""One client library fetching N pages with C requests at once: run by benchmarks/http_client.py.

    python -m benchmarks.http_client_peers LIB URL N C

Prints one JSON line: ``{"lib": ..., "seconds": ..., "pages": N, "bytes": ...}``. Each client
runs its C workers against one URL prefix (``URL`` + ``/page/<i>``) with a pool of C keep-alive
connections, reads every body in full, and checks each status is 200. ``seconds`` counts from
the first request to the last body, not the interpreter's start or the imports.
"""

import json
import sys
import time


def genlet_client(url, count, concurrency):
    import genlet
    import genlet.http

    state = {"next": 0, "bytes": 0}

    def worker(client):
        while state["next"] < count:
            i = state["next"]
            state["next"] = i + 1
            r = yield from client.get("%s/page/%d" % (url, i))
            if r.status != 200:
                raise RuntimeError("status %d" % r.status)
            state["bytes"] += len(r.body)

    def main():
        with genlet.http.Client(max_per_host=concurrency, max_connections=concurrency) as client:
            began = time.perf_counter()
            tasks = [genlet.spawn(worker, client) for _ in range(concurrency)]
            for task in tasks:
                yield from task.join()
            return time.perf_counter() - began

    return genlet.run(main), state["bytes"]


def httpx_client(url, count, concurrency):
    import asyncio

    import httpx

    return asyncio.run(_httpx(httpx, url, count, concurrency))


async def _httpx(httpx, url, count, concurrency):
    import asyncio

    state = {"next": 0, "bytes": 0}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:

        async def worker():
            while state["next"] < count:
                i = state["next"]
                state["next"] = i + 1
                r = await client.get("%s/page/%d" % (url, i))
                if r.status_code != 200:
                    raise RuntimeError("status %d" % r.status_code)
                state["bytes"] += len(r.content)

        began = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        return time.perf_counter() - began, state["bytes"]


def aiohttp_client(url, count, concurrency):
    import asyncio

    return asyncio.run(_aiohttp(url, count, concurrency))


async def _aiohttp(url, count, concurrency):
    import asyncio

    import aiohttp

    state = {"next": 0, "bytes": 0}
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker():
            while state["next"] < count:
                i = state["next"]
                state["next"] = i + 1
                async with session.get("%s/page/%d" % (url, i)) as r:
                    body = await r.read()
                    if r.status != 200:
                        raise RuntimeError("status %d" % r.status)
                state["bytes"] += len(body)

        began = time.perf_counter()
        await asyncio.gather(*[worker() for _ in range(concurrency)])
        return time.perf_counter() - began, state["bytes"]


def _requests_workers(url, count, concurrency, start):
    """C workers, each with its own requests.Session, started by ``start(fn)``; the join."""
    import itertools
    import threading

    import requests

    counter = itertools.count()  # next() on it is atomic under the GIL
    totals = []
    lock = threading.Lock()

    def worker():
        session = requests.Session()
        got = 0
        while True:
            i = next(counter)
            if i >= count:
                break
            r = session.get("%s/page/%d" % (url, i))
            if r.status_code != 200:
                raise RuntimeError("status %d" % r.status_code)
            got += len(r.content)
        session.close()
        with lock:
            totals.append(got)

    began = time.perf_counter()
    start(worker)
    return time.perf_counter() - began, sum(totals)


def requests_threads(url, count, concurrency):
    from concurrent.futures import ThreadPoolExecutor

    def start(worker):
        with ThreadPoolExecutor(concurrency) as pool:
            for future in [pool.submit(worker) for _ in range(concurrency)]:
                future.result()

    return _requests_workers(url, count, concurrency, start)


def requests_gevent(url, count, concurrency):
    # (monkey-patched in main(), before requests or anything else is imported)
    import gevent

    def start(worker):
        gevent.joinall([gevent.spawn(worker) for _ in range(concurrency)], raise_error=True)

    return _requests_workers(url, count, concurrency, start)


CLIENTS = {
    "genlet": genlet_client,
    "httpx": httpx_client,
    "aiohttp": aiohttp_client,
    "requests-threads": requests_threads,
    "requests-gevent": requests_gevent,
}


def main(argv):
    lib, url, count, concurrency = argv[0], argv[1], int(argv[2]), int(argv[3])
    if lib == "requests-gevent":
        from gevent import monkey

        monkey.patch_all()
    seconds, size = CLIENTS[lib](url, count, concurrency)
    print(json.dumps({"lib": lib, "seconds": seconds, "pages": count, "bytes": size}))


if __name__ == "__main__":
    main(sys.argv[1:])
