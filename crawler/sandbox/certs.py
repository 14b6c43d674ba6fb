"""TLS for the sandbox web: a local CA, cached on disk, that signs a leaf per SNI host name.

Every https host of the sandbox (`doi.org`, `www.cambridge.org`...) gets a certificate for its
own name, so a client that trusts `CertStore.ca_path` verifies them all; the crawler turns
checks off while `--resolve` is in use and does not need it. A client that sends no SNI gets the
default leaf (SAN `localhost`, `127.0.0.1`); no wildcard is needed, as every name gets its own
leaf (and service_identity rejects one-label wildcards such as `*.localhost` anyway).
EC P-256 keys: fast to make.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import re
import ssl
import tempfile
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_NAMES = ("localhost", "127.0.0.1")
_HOSTNAME = re.compile(r"^[a-z0-9*]([a-z0-9.-]{0,251}[a-z0-9])?$")
_PEM = serialization.Encoding.PEM


def default_cache_dir() -> Path:
    """Per-user directory in the temp dir; the CA there is reused across runs."""
    path = Path(tempfile.gettempdir()) / f"coprod-sandbox-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(_PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def _write_once(path: Path, data: bytes) -> bool:
    """Write `path` atomically unless it exists (parallel test processes share the cache)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def _make_ca() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = _name("coprod sandbox CA (local tests only)")
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(_PEM) + _key_pem(key)


def _san(names: tuple[str, ...]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            out.append(x509.DNSName(name))
    return out


class CertStore:
    """The sandbox CA plus one cached `ssl.SSLContext` per SNI host name."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.ca_path = self.cache_dir / "sandbox-ca.pem"
        if not self.ca_path.exists():
            _write_once(self.ca_path, _make_ca())
        pem = self.ca_path.read_bytes()
        self._ca_cert = x509.load_pem_x509_certificate(pem)
        self._ca_key = serialization.load_pem_private_key(pem, password=None)
        self._ca_id = self._ca_cert.fingerprint(hashes.SHA256()).hex()[:16]
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self.default_context = self._context(DEFAULT_NAMES)
        self.default_context.sni_callback = self._on_sni

    def _leaf(self, names: tuple[str, ...]) -> Path:
        # the year in the name: a leaf (valid 397 days) is remade before it can expire
        stamp = (self._ca_id, str(dt.date.today().year), *names)
        digest = hashlib.sha256("|".join(stamp).encode()).hexdigest()[:24]
        path = self.cache_dir / f"leaf-{digest}.pem"
        if path.exists():
            return path
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        ca_ski = self._ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(self._ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=397))
            .add_extension(x509.SubjectAlternativeName(_san(names)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski.value),
                critical=False,
            )
            .sign(self._ca_key, hashes.SHA256())  # type: ignore[arg-type]
        )
        _write_once(path, cert.public_bytes(_PEM) + self._ca_cert.public_bytes(_PEM) + _key_pem(key))
        return path

    def _context(self, names: tuple[str, ...]) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self._leaf(names))
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def context_for(self, hostname: str | None) -> ssl.SSLContext:
        """The context whose certificate names `hostname` (the default one for None or junk)."""
        host = (hostname or "").lower().rstrip(".")
        if not host or host in DEFAULT_NAMES or not _HOSTNAME.match(host):
            return self.default_context
        with self._lock:
            ctx = self._contexts.get(host)
            if ctx is None:
                ctx = self._contexts[host] = self._context((host,))
            return ctx

    def _on_sni(self, sock: ssl.SSLObject | ssl.SSLSocket, hostname: str | None, _ctx) -> None:
        sock.context = self.context_for(hostname)
        sock.sandbox_sni = hostname  # type: ignore[union-attr]  # read back for the hit log
