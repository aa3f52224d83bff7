"""A client for the echo server: sends each message as a line, prints what comes back.

    python examples/echo_client.py PORT [MESSAGE ...]

Three connections run at once, each in its own task; each prints its echoes in order.
"""

import sys

import genlet
import genlet.io


def client(number, port, messages):
    stream = yield from genlet.io.open_connection("127.0.0.1", port, timeout=5)
    with stream:
        for message in messages:
            yield from stream.write(message.encode() + b"\n")
            with genlet.fail_after(5):  # a server that stops answering is an error, not a hang
                reply = yield from stream.readline()
            print("client %d got %r" % (number, reply.decode().rstrip("\n")))


def main(port, messages):
    tasks = [genlet.spawn(client, number, port, messages) for number in range(3)]
    for task in tasks:
        yield from task.join()


if __name__ == "__main__":
    genlet.run(main, int(sys.argv[1]), sys.argv[2:] or ["hello", "world"])
