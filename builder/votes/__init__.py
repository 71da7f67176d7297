"""Reader votes on predictions: the manifest the build writes and the HTTP endpoint.

Kept import-light on purpose: the static build imports `builder.votes.manifest` and should
not pay for Starlette or uvicorn.
"""
