# benchmarks/echo.py
"""echo: a TCP echo server on loopback; 100 connections × 1,000 round trips of 64 bytes.

Each function here is only the server: it binds 127.0.0.1 on a free port, tells the driver the
port (``announce``), and serves until the driver ends the process. The load comes from one
client, ``echo_client.py``, the same program for every server, run by the driver in its own
process (pinned to another CPU); the figure is the round trips per second it measured.
asyncio and uvloop are measured twice: with streams (the usual way) and with a Protocol.
"""

from .harness import Workload, aio_run, need

W = Workload(
    "echo", "TCP echo, 100 connections × 1,000 round trips of 64 bytes", "round trips/s",
    full=dict(connections=100, rounds=1000, size=64), quick=dict(connections=4, rounds=20, size=64),
    server=True,
)  # fmt: skip

HOST = "127.0.0.1"
CHUNK = 65536


@W.impl("genlet")
def genlet_echo(lib, announce):
    import genlet
    import genlet.io

    tcp_server = need(genlet.io, "tcp_server")

    def handler(stream, address):
        while True:
            data = yield from stream.read(CHUNK)
            if not data:
                break
            yield from stream.write(data)

    def main():
        server = tcp_server(HOST, 0, handler)
        announce(server.address[1])
        yield from server.serve_forever()

    genlet.run(main)


@W.impl("asyncio", "uvloop")
def asyncio_streams_echo(lib, announce):
    import asyncio

    async def handler(reader, writer):
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    async def main():
        server = await asyncio.start_server(handler, HOST, 0)
        announce(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    aio_run(lib, main)


@W.impl("asyncio-protocol", "uvloop-protocol")
def asyncio_protocol_echo(lib, announce):
    import asyncio

    class Echo(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport

        def data_received(self, data):
            self.transport.write(data)

    async def main():
        server = await asyncio.get_running_loop().create_server(Echo, HOST, 0)
        announce(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    aio_run(lib, main)


@W.impl("trio")
def trio_echo(lib, announce):
    import trio

    async def handler(stream):
        try:
            while True:
                data = await stream.receive_some(CHUNK)
                if not data:
                    break
                await stream.send_all(data)
        except trio.BrokenResourceError:
            pass

    async def main():
        listeners = await trio.open_tcp_listeners(0, host=HOST)
        announce(listeners[0].socket.getsockname()[1])
        await trio.serve_listeners(handler, listeners)

    trio.run(main)


@W.impl("curio")
def curio_echo(lib, announce):
    import curio
    import curio.network

    async def handler(client, address):
        while True:
            data = await client.recv(CHUNK)
            if not data:
                break
            await client.sendall(data)

    async def main():
        sock = curio.network.tcp_server_socket(HOST, 0)
        announce(sock.getsockname()[1])
        await curio.network.run_server(sock, handler)

    curio.run(main)


@W.impl("gevent", "eventlet")
def greenlet_echo(lib, announce):
    def handler(sock, address):
        while True:
            data = sock.recv(CHUNK)
            if not data:
                break
            sock.sendall(data)
        sock.close()

    if lib == "gevent":
        from gevent.server import StreamServer

        server = StreamServer((HOST, 0), handler, backlog=128)
        server.start()
        announce(server.server_port)
        server.serve_forever()
    else:
        import eventlet

        listener = eventlet.listen((HOST, 0), backlog=128)
        announce(listener.getsockname()[1])
        eventlet.serve(listener, handler)


W.lacks("it has no sockets", "tinyio")
