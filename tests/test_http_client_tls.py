"""The client over HTTPS: a CA and a server certificate made here, SNI, hostname checks."""

import datetime
import ipaddress
import ssl

import pytest

import genlet
import genlet.http
from genlet.http import Client, Response

from .io_support import NoLeaks


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, and a certificate it signed for "localhost" and 127.0.0.1: (ca path, cert path, key path)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject, issuer, public_key, signing_key, ca, names=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=7))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if ca:
            usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
            builder = builder.add_extension(usage, critical=True)
            builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName(list(names)), critical=False)
            ca_id = x509.SubjectKeyIdentifier.from_public_key(signing_key.public_key())
            builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_id), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = build("genlet test CA", "genlet test CA", ca_key.public_key(), ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = build("localhost", "genlet test CA", key.public_key(), ca_key, False, names)
    folder = tmp_path_factory.mktemp("pki")
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return tuple(str(path) for path in paths)


def hello(request):
    yield from genlet.sleep(0)
    return Response(200, None, b"secret " + request.scheme.encode())


def fetch(pki, host, address="127.0.0.1", **options):
    """GET https://host:port/ against a TLS server on ``address``; the response or the error."""
    ca, cert, key = pki
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def main():
        server = genlet.http.Server((address, 0), hello, ssl=context)
        task = genlet.spawn(server.serve_forever)
        try:
            with Client(**options) as client:
                r = yield from client.get("https://%s:%d/" % (host, server.address[1]), timeout=5)
                return r.body, client.statistics()["opened"]
        except Exception as exc:
            return exc
        finally:
            server.close(grace=0)
            yield from task.join()

    with NoLeaks():
        return genlet.run(main)


def test_https_with_a_ca_file(pki):
    assert fetch(pki, "localhost", verify=pki[0]) == (b"secret https", 1)
    assert fetch(pki, "127.0.0.1", verify=pki[0]) == (b"secret https", 1)


def test_https_with_an_ssl_context(pki):
    context = ssl.create_default_context(cafile=pki[0])
    assert fetch(pki, "localhost", ssl=context)[0] == b"secret https"


def test_the_system_cas_do_not_trust_a_private_ca(pki):
    error = fetch(pki, "localhost")
    assert isinstance(error, ssl.SSLCertVerificationError)
    assert "certificate verify failed" in str(error)


def test_verify_false_skips_the_check(pki):
    assert fetch(pki, "localhost", verify=False)[0] == b"secret https"


def test_the_hostname_is_checked(pki):
    # 127.0.0.2 is loopback too, but the certificate names only localhost and 127.0.0.1.
    error = fetch(pki, "127.0.0.2", address="127.0.0.2", verify=pki[0])
    assert isinstance(error, ssl.SSLCertVerificationError)
    assert "127.0.0.2" in str(error)
