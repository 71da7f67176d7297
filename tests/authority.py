"""A throwaway RFC 3161 timestamp authority for tests: a CA made on the spot, a TSA
certificate with the (critical) timeStamping extended key usage, and `openssl ts -reply`
behind a tiny HTTP handler on a loopback port. No test reaches the network.

The CA key is RSA and the TSA key EC, so the CA's certificate is the longer: `openssl ts
-reply -chain` writes the signer's certificate first, which is then also DER-sorted order,
the only order rfc3161-client reads in a SET OF certificates.
"""

from __future__ import annotations

import http.server
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from serving import http_server

OPENSSL = "/usr/bin/openssl"

CONFIG = """\
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = {dir}/serial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ tsa_ext ]
extendedKeyUsage = critical,timeStamping
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


class Authority:
    """One authority: its folder holds ca.pem (the root to trust), tsa.pem and the keys."""

    def __init__(self, folder: Path, name: str, *, der_order: bool = True) -> None:
        """`der_order` False swaps the key types: the TSA's certificate is then the longer,
        and the replies' certificates are not in DER order (as many real authorities')."""
        self.dir = folder
        folder.mkdir(parents=True)
        (folder / "tsa.cnf").write_text(CONFIG.format(dir=folder))
        (folder / "serial").write_text("01\n")
        rsa, ec = ("-newkey", "rsa:2048"), ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")
        ca_key, tsa_key = (rsa, ec) if der_order else (ec, rsa)
        ca = ("-subj", f"/CN={name} Root CA")
        _openssl("req", "-x509", *ca_key, "-nodes", "-keyout", "ca.key",
                 "-out", "ca.pem", "-days", "3650", *ca, cwd=folder)  # fmt: skip
        tsa = ("-subj", f"/CN={name} TSA")
        _openssl("req", *tsa_key, "-nodes",
                 "-keyout", "tsa.key", "-out", "tsa.csr", *tsa, cwd=folder)  # fmt: skip
        _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", "tsa.pem", "-days", "3650",
                 "-extfile", "tsa.cnf", "-extensions", "tsa_ext", cwd=folder)  # fmt: skip
        self.lock = threading.Lock()
        self.requests = 0
        self.fail_with: int | None = None  # answer this HTTP status instead of a token
        self.chain = True  # tokens carry the CA's certificate too (-chain), not only the TSA's

    @property
    def ca(self) -> Path:
        return self.dir / "ca.pem"

    def reply(self, query: bytes) -> bytes:
        """What `openssl ts -reply` answers to `query` (a DER TimeStampReq), now."""
        with self.lock, tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "q.tsq").write_bytes(query)
            chain = ("-chain", str(self.ca)) if self.chain else ()
            _openssl("ts", "-reply", "-config", str(self.dir / "tsa.cnf"), "-queryfile", "q.tsq",
                     *chain, "-out", "r.tsr", cwd=Path(tmp))  # fmt: skip
            return (Path(tmp) / "r.tsr").read_bytes()

    def stamp(self, data: bytes) -> bytes:
        """A token for `data`, asked as `openssl ts -query -cert` does."""
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "data").write_bytes(data)
            _openssl("ts", "-query", "-data", "data", "-sha256", "-cert", "-out", "q.tsq",
                     cwd=Path(tmp))  # fmt: skip
            return self.reply((Path(tmp) / "q.tsq").read_bytes())

    @contextmanager
    def serving(self) -> Iterator[str]:
        """The authority on a loopback port, answering tokens: its URL."""
        authority = self
        self.fail_with = None
        self.chain = True

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                query = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                authority.requests += 1
                if authority.fail_with is not None:
                    self.send_error(authority.fail_with)
                    return
                body = authority.reply(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        with http_server(Handler) as url:
            yield f"{url}tsr"
