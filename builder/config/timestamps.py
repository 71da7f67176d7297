"""`timestamps:` in site.yaml: the RFC 3161 timestamp authorities `foretell stamp` asks.

```yaml
timestamps:
  authorities: ["https://freetsa.org/tsr"]
```

Each authority is known in the repository by a name made from its host
(`freetsa.org`): its tokens are `content/stamps/<slug>.<hash>.<name>.tsr` and its pinned
certificates `content/stamps/authorities/<name>.pem`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from builder.config.fields import FieldReader

KEYS = ("authorities",)


@dataclass(frozen=True)
class Authority:
    url: str
    name: str  # from the host: file names in content/stamps/


@dataclass(frozen=True)
class TimestampSettings:
    authorities: tuple[Authority, ...] = ()


def authority_name(url: str) -> str:
    """The host, lower-case, with anything but letters, digits, '.' and '-' made '-'."""
    host = (urlsplit(url).hostname or "authority").lower()
    return re.sub(r"[^a-z0-9.-]", "-", host).strip(".") or "authority"


def read_timestamps(r: FieldReader) -> TimestampSettings:
    if r.mapping("timestamps") is None:
        return TimestampSettings()
    r.unknown_keys("timestamps", KEYS)
    found: dict[str, Authority] = {}
    for index, _ in enumerate(r.sequence("timestamps.authorities")):
        field = f"timestamps.authorities.{index}"
        url = r.url(field, required=True)
        if url is None:
            continue
        name = authority_name(url)
        if name in found:
            r.report(field, f"a second authority on the host {name} ({found[name].url}): "
                     "list one URL per host")  # fmt: skip
            continue
        found[name] = Authority(url, name)
    return TimestampSettings(tuple(found.values()))
