"""Is the output already up to date? Answered from file stats alone, before anything heavy is
loaded: a build with nothing to do should cost little more than starting Python.

The check is also where "today" is resolved, once per build, at the edge (the command line
or serve's rebuild call it first): `--now`, or the real date in the site's time zone.
Everything after it takes `Freshness.today`, and nothing below reads the clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from builder.incremental import cache
from builder.incremental.cache import Manifest
from builder.options import BuildOptions, Report
from builder.system import clock
from builder.system.files import Stat, StatsProbe, inputs_digest, output_stats, scan, stat_files
from builder.system.git import git_head
from builder.system.pickles import VERSION

if TYPE_CHECKING:
    from builder.config.siteconfig import ConfigResult


@dataclass
class Freshness:
    root: Path
    today: dt.date  # --now, or today in the site's time zone: resolved here, once
    head: str | None  # git HEAD: pages show history, so a commit changes them
    inputs: dict[str, Stat | None]  # every input file's stat, also handed to the loader
    inputs_key: str  # digest of every input's stat, the options and foretell's version
    manifest: Manifest  # what the last build into this output folder wrote
    out: Path
    probe: StatsProbe | None = None  # are its files as it wrote them? (being found out)
    read: ConfigResult | None = None  # site.yaml, if the check had to read it
    url: str | None = None  # --url, which replaces site.yaml's url
    owned: set[str] | None = None  # the output's record, as ownership.claim read it

    @property
    def config(self) -> ConfigResult:
        """site.yaml, read once for the check and the build; a no-op need not read it."""
        if self.read is None:
            self.read = _read_config(self.root, self.url)
        return self.read

    @cached_property
    def current(self) -> dict[str, Stat]:
        """What the output folder holds of what the last build wrote. The files it wrote are
        stat-ed by name (a walk of 10,000 folders costs four times more); without a manifest,
        the whole folder is what there is. Only when asked: a build whose inputs changed
        may not need it (shortcut.py)."""
        outputs = self.manifest.outputs
        return stat_files(self.out, outputs) if outputs else output_stats(self.out)

    @cached_property
    def up_to_date(self) -> bool:
        if self.manifest.inputs_key != self.inputs_key:
            if self.probe is not None:
                self.probe.discard()
            return False
        if self.probe is not None:
            return self.probe.same()
        return self.current == {}  # no manifest: only an empty output is what it says


def check(options: BuildOptions, *, output: bool = True) -> Freshness:
    """Stats and digests of the inputs, and, with `output`, what the last build wrote (serve,
    which writes nothing, passes False)."""
    if options.clean:
        cache.clear(options.root)
    manifest = cache.load_manifest(options.root) if output else Manifest()
    if manifest.output_dir not in options.out_names:
        manifest = Manifest()  # it describes another output folder
    probe = None
    if manifest.outputs:  # the outputs are stat-ed on the other core while the inputs are
        recorded = {path: stat for path, (_, stat) in manifest.outputs.items()}
        probe = StatsProbe(options.out, recorded)
    head = git_head(options.root)
    inputs = scan(options.root)
    today, read = (options.now, None) if options.now else _today(options, manifest, inputs)
    inputs_key = inputs_key_of(inputs, head, today, options)
    root, out, url = options.root, options.out, options.url
    return Freshness(root, today, head, inputs, inputs_key, manifest, out, probe, read, url)


def inputs_key_of(
    inputs: Mapping[str, Stat | None], head: str | None, today: dt.date, options: BuildOptions
) -> str:
    """What the up-to-date check compares (the shortcut uses it for all but the articles)."""
    context = f"{VERSION} / git {head} / url {options.url}"
    return inputs_digest(inputs, context, today, options.drafts, options.out_key)


def _today(
    options: BuildOptions, manifest: Manifest, inputs: dict[str, Stat | None]
) -> tuple[dt.date, ConfigResult | None]:
    """Today in the site's time zone, and site.yaml if it had to be read for it: while the
    file is as the last build saw it, that build's time zone is still right. A site.yaml
    that cannot be read fails the build before today matters: UTC stands in for its zone."""
    if manifest.timezone and manifest.config_stat == inputs.get("site.yaml"):
        return clock.today(manifest.timezone), None
    read = _read_config(options.root, options.url)
    return clock.today(read[0].timezone if read[0] else "UTC"), read


def _read_config(root: Path, url: str | None) -> ConfigResult:
    """site.yaml, its url replaced by `url` (--url, already checked) when given: a deploy
    to another address than the one site.yaml names."""
    from builder.config.siteconfig import load_config  # YAML and all: a tenth of a no-op

    config, problems = load_config(root)
    if config is not None and url is not None:
        config = dataclasses.replace(config, url=url)
    return config, problems


def no_op_report(fresh: Freshness) -> Report:
    outputs = fresh.manifest.outputs
    pages_count = len([path for path in outputs if path.endswith(".html")])
    warnings, drafts = fresh.manifest.warnings, fresh.manifest.drafts
    return Report(pages_count, len(outputs), 0, 0, warnings, way="up to date", drafts=drafts)
