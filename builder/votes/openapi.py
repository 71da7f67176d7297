"""The OpenAPI 3.1 description of the vote endpoint, served at /v1/openapi.json.

Hand-written, because the API is small; tests check it against the real routes and validate
real responses against its schemas, so it cannot silently drift from the code.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from builder.content.crowd import CHOICES

from .store import VOTER_RE

MAX_BATCH_IDS = 100


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


_SLUG_PARAM = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The prediction's slug, as listed in the votes manifest.",
    "schema": {"type": "string"},
}

_VOTER_SCHEMA = {
    "type": "string",
    "pattern": f"^{VOTER_RE.pattern}$",
    "description": "An opaque random id the widget creates once and keeps in localStorage.",
}

_COUNTS = {
    "type": "object",
    "properties": {c: {"type": "integer", "minimum": 0} for c in CHOICES},
    "required": list(CHOICES),
    "additionalProperties": False,
}

_TALLY_PROPERTIES: dict[str, Any] = {
    "counts": _COUNTS,
    "total": {"type": "integer", "minimum": 0},
    "open": {
        "type": "boolean",
        "description": "Voting is open through the target date (UTC), and only while unresolved.",
    },
    "target_date": {"type": "string", "format": "date"},
}

_RATE_LIMITED = {
    "description": "Too many votes from this client; retry after the given seconds.",
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": _ref("Error")}},
}


_UNAVAILABLE = {
    "description": "The vote database is unavailable (e.g. restarting); retry after the given "
    "seconds. Safe to retry.",
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": _ref("Error")}},
}


_PREDICTION_VOTES = {
    "type": "object",
    "properties": {
        "slug": {"type": "string"},
        **_TALLY_PROPERTIES,
        "your_choice": {
            "enum": [*CHOICES, None],
            "description": "Present when `voter` was given: that voter's choice, or null.",
        },
    },
    "required": ["slug", "counts", "total", "open", "target_date"],
    "additionalProperties": False,
}

_MANY_VOTES = {
    "type": "object",
    "properties": {
        "votes": {
            "type": "object",
            "description": "Keyed by slug.",
            "additionalProperties": {
                "type": "object",
                "properties": _TALLY_PROPERTIES,
                "required": list(_TALLY_PROPERTIES),
                "additionalProperties": False,
            },
        },
        "unknown": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Requested slugs that are not in the manifest.",
        },
    },
    "required": ["votes", "unknown"],
    "additionalProperties": False,
}

_SCHEMAS = {
    "Vote": {
        "type": "object",
        "properties": {"choice": {"enum": list(CHOICES)}, "voter": _VOTER_SCHEMA},
        "required": ["choice", "voter"],
        "additionalProperties": False,
    },
    "PredictionVotes": _PREDICTION_VOTES,
    "ManyVotes": _MANY_VOTES,
    "Health": {
        "type": "object",
        "properties": {
            "status": {"enum": ["ok", "error"]},
            "error": {"type": "string", "description": "What is wrong (503 only)."},
            "predictions": {"type": "integer", "minimum": 0},
        },
        "required": ["status", "predictions"],
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "properties": {"error": {"type": "string"}},
        "required": ["error"],
    },
}

_HEALTH = {
    "get": {
        "summary": "Health check: up, and able to store votes",
        "operationId": "health",
        "responses": {
            "200": _json(_ref("Health"), "The endpoint is up and can store votes."),
            "503": _json(_ref("Health"), "The vote database is not accepting writes."),
        },
    }
}

_PREDICTION_VOTES_PATH = {
    "parameters": [_SLUG_PARAM],
    "get": {
        "summary": "Vote counts of one prediction",
        "operationId": "getVotes",
        "parameters": [
            {
                "name": "voter",
                "in": "query",
                "required": False,
                "description": "Also report this voter's choice as `your_choice`.",
                "schema": _VOTER_SCHEMA,
            }
        ],
        "responses": {
            "200": _json(_ref("PredictionVotes"), "Current counts."),
            "400": _error("Invalid voter id."),
            "404": _error("No such prediction in the manifest."),
            "503": _UNAVAILABLE,
        },
    },
    "post": {
        "summary": "Vote on a prediction (or change one's vote)",
        "operationId": "castVote",
        "requestBody": {
            "required": True,
            "description": "At most 1024 bytes.",
            "content": {"application/json": {"schema": _ref("Vote")}},
        },
        "responses": {
            "200": _json(_ref("PredictionVotes"), "The vote is stored on disk; counts include it."),
            "400": _error("Malformed JSON, unknown field, bad choice or voter."),
            "404": _error("No such prediction in the manifest."),
            "409": _error("Voting has closed: target date passed, or resolved."),
            "413": _error("Request body larger than 1024 bytes."),
            "415": _error("Content-Type is not application/json."),
            "429": _RATE_LIMITED,
            "503": _UNAVAILABLE,
        },
    },
}

_MANY_VOTES_PATH = {
    "get": {
        "summary": "Vote counts of several predictions",
        "operationId": "getManyVotes",
        "parameters": [
            {
                "name": "ids",
                "in": "query",
                "required": True,
                "description": f"Comma-separated slugs, at most {MAX_BATCH_IDS}.",
                "schema": {"type": "string"},
            }
        ],
        "responses": {
            "200": _json(_ref("ManyVotes"), "Counts of each known prediction."),
            "400": _error(f"No ids, an empty id, or more than {MAX_BATCH_IDS}."),
            "503": _UNAVAILABLE,
        },
    },
}

_OPENAPI_PATH = {
    "get": {
        "summary": "This document",
        "operationId": "openapi",
        "responses": {"200": {"description": "The OpenAPI document."}},
    }
}

# The whole document: nothing in it depends on the request or the manifest. Private, and
# never handed out itself (see openapi_document).
_DOCUMENT: Final[dict[str, Any]] = {
    "openapi": "3.1.0",
    "info": {
        "title": "foretell votes",
        "version": "1",
        "description": (
            "Reader votes on predictions: will happen, won't happen, maybe. One vote per "
            "voter per prediction; voting again replaces the earlier choice."
        ),
    },
    "paths": {
        "/healthz": _HEALTH,
        "/v1/predictions/{slug}/votes": _PREDICTION_VOTES_PATH,
        "/v1/votes": _MANY_VOTES_PATH,
        "/v1/openapi.json": _OPENAPI_PATH,
    },
    "components": {"schemas": _SCHEMAS},
}


def openapi_document() -> dict[str, Any]:
    """The document, as a copy of its own: a caller that changes it changes no later one."""
    return copy.deepcopy(_DOCUMENT)
