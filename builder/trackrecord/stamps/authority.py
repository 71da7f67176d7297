"""Ask an RFC 3161 timestamp authority for a token over HTTP: the network half of `foretell
stamp` (the build never calls it). The request carries a nonce and asks for the authority's
certificates (certReq), and a reply is accepted only when it is a granted token for exactly
this claim and nonce: anything else raises AuthorityError, and nothing is kept.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request

from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    decode_timestamp_response,
)

from builder.trackrecord.stamps.token import der_sorted

TIMEOUT = 30  # seconds: public authorities answer in well under one
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY = 1 << 20  # a token with its certificates is a few kilobytes


class AuthorityError(Exception):
    """The authority could not be reached, or did not give a good token: why, in one line."""


def request_token(url: str, claim: bytes, timeout: float = TIMEOUT) -> bytes:
    """A token for `claim` from the authority at `url`: the reply's bytes, as received."""
    request = (
        TimestampRequestBuilder()
        .data(claim)
        .hash_algorithm(HashAlgorithm.SHA256)
        .cert_request(cert_request=True)
        .nonce(nonce=True)
        .build()
    )
    reply = _post(url, request.as_bytes(), timeout)
    try:
        response = decode_timestamp_response(reply)
    except ValueError:  # certificates out of DER order, say: kept sorted (token.der_sorted)
        reply = der_sorted(reply)
    try:
        response = decode_timestamp_response(reply)
    except ValueError as exc:
        raise AuthorityError(
            f"the reply is not a timestamp token rfc3161-client can read ({exc})"
        ) from None
    if PKIStatus(response.status) != PKIStatus.GRANTED:
        said = "; ".join(response.status_string) or f"status {response.status}"
        raise AuthorityError(f"the authority refused the request ({said})")
    info = response.tst_info
    if info.message_imprint.message != hashlib.sha256(claim).digest():
        raise AuthorityError("the token stamps another hash than the claim's")
    if info.nonce != request.nonce:
        raise AuthorityError("the token answers another request (its nonce differs)")
    if not response.signed_data.certificates:
        raise AuthorityError("the token carries no certificate, though the request asked for it")
    return reply


def _post(url: str, body: bytes, timeout: float) -> bytes:
    headers = {"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE, "User-Agent": "foretell"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # http(s) only: weburl.py
            reply = answer.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise AuthorityError(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AuthorityError(f"cannot reach it ({reason})") from None
    if len(reply) > MAX_REPLY:
        raise AuthorityError("the reply is larger than any token")
    return reply
