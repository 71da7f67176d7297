"""RFC 3161 timestamps: proof, from a third party, that a prediction's claim existed at a
time (content/claim.py says which bytes are stamped).

- token: check one token against the authority's pinned certificates (pure: bytes in);
- verdict: what a prediction's tokens vouch for (its stamps, and what is wrong);
- store: where tokens live in the repository, and the build's cached checks of them;
- authority: ask an authority for a token over HTTP (the only network code, with verify);
- stamp, verify: the `foretell stamp` and `foretell verify` commands.
"""
