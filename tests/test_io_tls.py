"""TLS: handshakes, reads and writes over non-blocking sockets, with a self-signed certificate."""

import datetime
import logging
import socket
import ssl

import pytest

import genlet
import genlet.io
from genlet.io import open_connection, tcp_server

from .io_support import NoLeaks, iorun


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for "localhost" and 127.0.0.1: (cert path, key path)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def contexts(certificate):
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=cert)
    return server, client


def echo(stream, address):
    while True:
        data = yield from stream.read(65536)
        if not data:
            return
        yield from stream.write(data)


def test_tls_echo(contexts):
    server_context, client_context = contexts

    def main():
        server = tcp_server("127.0.0.1", 0, echo, ssl=server_context)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection("localhost", server.address[1], ssl=client_context)
        with stream:
            assert isinstance(stream.transport, genlet.io.TLSSocket)
            assert stream.transport.ssl_object.version().startswith("TLS")
            assert repr(stream.transport).startswith("<TLSSocket fd=")
            yield from stream.write(b"secret\n")
            line = yield from stream.readline()
        server.close()
        yield from serving.join()
        return line

    with NoLeaks():
        assert iorun(main) == b"secret\n"


def test_tls_large_transfers_both_ways(contexts):
    server_context, client_context = contexts
    payload = bytes(range(256)) * 8192  # 2 MB: many records, full socket buffers both ways

    def reader(stream, size):
        return (yield from stream.read_exactly(size))

    def main():
        server = tcp_server("127.0.0.1", 0, echo, ssl=server_context)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection("127.0.0.1", server.address[1], ssl=client_context)
        with stream:
            back = genlet.spawn(reader, stream, len(payload))
            yield from stream.write(payload)
            got = yield from back.join()
            with pytest.raises(OSError, match="cannot be half-closed"):
                yield from stream.write_eof()
        server.close()
        yield from serving.join()
        return got

    with NoLeaks():
        assert iorun(main) == payload


def test_an_untrusted_certificate_fails_the_client_and_the_server_carries_on(contexts, caplog):
    server_context, client_context = contexts

    def main():
        server = tcp_server("127.0.0.1", 0, echo, ssl=server_context)
        serving = genlet.spawn(server.serve_forever)
        with pytest.raises(ssl.SSLCertVerificationError):
            yield from open_connection("localhost", server.address[1], ssl=True)  # default CAs
        with pytest.raises(ssl.SSLCertVerificationError):
            yield from open_connection("127.0.0.1", server.address[1], ssl=client_context, server_hostname="example.org")
        stream = yield from open_connection("localhost", server.address[1], ssl=client_context)
        with stream:
            yield from stream.write(b"fine")
            reply = yield from stream.read_exactly(4)
        server.close()
        yield from serving.join()
        return reply

    with caplog.at_level(logging.WARNING, logger="genlet"), NoLeaks():
        assert iorun(main) == b"fine"
    assert caplog.text.count("TLS handshake with 127.0.0.1:") == 2


def test_a_plain_client_on_a_tls_server(contexts, caplog):
    server_context, _ = contexts

    def main():
        server = tcp_server("127.0.0.1", 0, echo, ssl=server_context)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection(*server.address)
        with stream:
            yield from stream.write(b"GET / HTTP/1.0\r\n\r\n")
            try:
                reply = yield from stream.read()  # the server gives up on the handshake, hangs up
            except genlet.io.ConnectionResetError:  # ... leaving our request unread: a reset
                reply = b""
        server.close()
        yield from serving.join()
        return reply

    with caplog.at_level(logging.WARNING, logger="genlet"), NoLeaks():
        assert iorun(main) == b""
    assert "TLS handshake with" in caplog.text


def test_the_server_gives_up_on_a_client_that_never_says_hello(contexts, caplog):
    server_context, _ = contexts

    def main():
        server = tcp_server("127.0.0.1", 0, echo, ssl=server_context, handshake_timeout=10)
        serving = genlet.spawn(server.serve_forever)
        raw = genlet.io.Socket(socket.socket())
        with raw:
            yield from raw.connect(server.address)
            start = genlet.clock()
            end = yield from raw.recv(100)  # silence until the server closes
            waited = genlet.clock() - start
        server.close()
        yield from serving.join()
        return end, waited, server.statistics()["handshake_failures"]

    with caplog.at_level(logging.WARNING, logger="genlet"), NoLeaks():
        end, waited, failures = iorun(main)
    assert end == b"" and 10 <= waited < 10.5 and failures == 1
    assert "TLS handshake" in caplog.text and "Timeout" in caplog.text


def test_a_silent_tls_client_is_dropped_after_idle_timeout(contexts):
    server_context, client_context = contexts

    def main():
        server = tcp_server("127.0.0.1", 0, echo, ssl=server_context, idle_timeout=3)
        serving = genlet.spawn(server.serve_forever)
        stream = yield from open_connection("127.0.0.1", server.address[1], ssl=client_context)
        with stream:
            yield from stream.write(b"one\n")
            echoed = yield from stream.readline()
            start = genlet.clock()
            end = yield from stream.read()  # then silence, until the server hangs up
            waited = genlet.clock() - start
        server.close()
        yield from serving.join()
        return echoed, end, waited, server.statistics()["idle_timeouts"]

    with NoLeaks():
        echoed, end, waited, idle = iorun(main)
    assert echoed == b"one\n" and end == b"" and 3 <= waited < 3.5 and idle == 1


def test_wrap_checks_its_context():
    def main():
        a, b = socket.socketpair()
        sock = genlet.io.Socket(a)
        with pytest.raises(TypeError, match="SSLContext"):
            yield from genlet.io.tls.wrap(sock, "not a context")
        sock.close()
        b.close()

    iorun(main)
