"""Check one timestamp token (an RFC 3161 TimeStampResp, as `openssl ts -reply` writes it)
against the certificates pinned for its authority: the signature, the certificate chain and
that the signer is the pinned certificate. A pure function of bytes: no network, no clock
(certificates need only be valid at the time the token was signed).

What it stamps (the message imprint) and when are returned for the caller to compare with
the claim as it reads now (verdict.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from rfc3161_client import (
    PKIStatus,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

SHA256 = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")


@dataclass(frozen=True)
class TokenCheck:
    """What one token proves: `error` None means the pinned authority signed `imprint` (the
    SHA-256 of a claim, hex) at `time` (UTC)."""

    imprint: str | None
    time: dt.datetime | None
    error: str | None = None


def pinned_chain(pem: bytes) -> list[x509.Certificate]:
    """The pinned certificates, the authority's own (the signer's) first; ValueError when
    the file holds none."""
    certificates = x509.load_pem_x509_certificates(pem)
    if not certificates:
        raise ValueError("holds no certificate")
    return certificates


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate, as `openssl x509 -fingerprint -sha256` shows it."""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def decode(token: bytes) -> TimeStampResponse:
    """The token parsed; ValueError when it is not one. rfc3161-client reads only DER, where
    a SET OF certificates is sorted, and `openssl ts -reply -chain` (among others) writes the
    signer's first: such a token is read in sorted order (`der_sorted`)."""
    try:
        return decode_timestamp_response(token)
    except ValueError as exc:
        if "InvalidSetOrdering" not in str(exc):
            raise
    return decode_timestamp_response(der_sorted(token))


def der_sorted(token: bytes) -> bytes:
    """The token with its certificates in DER order. They are outside what the authority
    signed, so the signature still holds (asn1crypto does the ASN.1)."""
    try:
        response = tsp.TimeStampResp.load(token)
        content = response["time_stamp_token"]["content"]
        certificates = sorted(content["certificates"], key=lambda c: c.dump())
        content["certificates"] = certificates
        return response.dump(force=True)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"cannot be read as a timestamp token ({exc})") from None


def check_token(token: bytes, pinned: bytes) -> TokenCheck:
    try:
        response = decode(token)
    except ValueError:
        return TokenCheck(None, None, "is not a readable timestamp token (damaged or altered)")
    if PKIStatus(response.status) != PKIStatus.GRANTED:
        return TokenCheck(None, None, "holds no timestamp: the authority refused the request")
    info = response.tst_info
    imprint = info.message_imprint.message.hex()
    time = info.gen_time.astimezone(dt.UTC)
    if info.message_imprint.hash_algorithm != SHA256:
        return TokenCheck(imprint, time, "stamps another hash than SHA-256")
    try:
        chain = pinned_chain(pinned)
    except ValueError as exc:
        return TokenCheck(imprint, time, f"the pinned certificate file cannot be read ({exc})")
    return TokenCheck(imprint, time, _signature_error(response, chain))


def _signature_error(response: TimeStampResponse, chain: list[x509.Certificate]) -> str | None:
    leaf = chain[0]
    roots = [c for c in chain if c.issuer == c.subject]
    if not roots:
        return "has no root to trust: the pinned certificates hold no self-signed one"
    between = [c for c in chain[1:] if c not in roots]
    verifier = VerifierBuilder(tsa_certificate=leaf, roots=roots, intermediates=between).build()
    try:
        verifier.verify(response, response.tst_info.message_imprint.message)
    except VerificationError as exc:
        signer = _signer(response)
        if signer is not None and signer != leaf:
            return (
                f"is signed by {signer.subject.rfc4514_string()}, not by the pinned authority "
                f"{leaf.subject.rfc4514_string()}"
            )
        return _reason(str(exc))
    return None


def _reason(error: str) -> str:
    """rfc3161-client's error (OpenSSL's, often), in one short line."""
    if "signature failure" in error or "digest failure" in error:
        return "does not match its signature: its bytes were altered"
    if any(why in error for why in ("unable to get local issuer", "self-signed certificate in")):
        return "is signed by a certificate that does not chain to the pinned root"
    found = re.search(r'Verify error: ([^"]+)"', error)
    detail = found.group(1) if found else error.splitlines()[0][:160]
    return f"does not verify against the pinned certificates ({detail})"


def _signer(response: TimeStampResponse) -> x509.Certificate | None:
    """The certificate the token names as its signer, if it carries it."""
    infos = list(response.signed_data.signer_infos)
    if len(infos) != 1:
        return None
    for der in response.signed_data.certificates:
        certificate = x509.load_der_x509_certificate(der)
        if (
            certificate.issuer == infos[0].issuer
            and certificate.serial_number == infos[0].serial_number
        ):
            return certificate
    return None


def carried_chain(token: bytes) -> bytes:
    """The certificates a token carries (it does when asked with certReq), as PEM, the
    signer's first: what `foretell stamp` pins from an authority's first token."""
    response = decode(token)
    signer = _signer(response)
    if signer is None:
        raise ValueError("the token does not carry its signer's certificate")
    others = sorted(
        (x509.load_der_x509_certificate(der) for der in response.signed_data.certificates),
        key=lambda c: c.public_bytes(serialization.Encoding.DER),
    )
    chain = [signer, *(c for c in others if c != signer)]
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)


def has_signer(pem: bytes) -> bool:
    """Whether pinned certificates hold an authority's own certificate, not only roots."""
    try:
        return any(c.issuer != c.subject for c in x509.load_pem_x509_certificates(pem))
    except ValueError:  # empty, or not PEM
        return False


def with_roots(chain: bytes, roots: bytes) -> bytes:
    """`chain` (PEM) followed by the certificates of `roots` it does not hold already."""
    if not roots.strip():
        return chain
    held = {c.public_bytes(serialization.Encoding.DER) for c in pinned_chain(chain)}
    extra = [
        c for c in pinned_chain(roots) if c.public_bytes(serialization.Encoding.DER) not in held
    ]
    return chain + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in extra)
