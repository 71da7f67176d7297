"""Generate a synthetic foretell site with N prediction articles, for benchmarks and tests.

    python benchmarks/generate.py --count 10000 --out benchmarks/work/site --seed 1

The output follows the content contract of issue 3: a `site.yaml` and one
`content/predictions/<slug>.md` per prediction, each with full front matter and a body of
typical length (~7 KB: five `##` sections, lists, a table, sometimes a fenced code block,
emphasis, links and `[n]` citations that all point at existing references, every reference
cited at least once). The text is assembled from our own word lists and templates.

Determinism: every article is drawn from its own `random.Random(f"{seed}:{index}")`, so the
same seed gives byte-identical files, and the first 1,000 articles of a 10,000-article site
are the 1,000-article site. Stdlib only, so tests can import it from `benchmarks/`.
"""

import argparse
import json
import math
import random
import re
import shutil
import string
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_THEMES = REPO_ROOT / "themes"

SITE_URL = "https://bench.example.org"
FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 5, 31)  # the benchmarks build with --now 2026-06-01
LATEST_RESOLUTION = date(2026, 5, 20)
RESOLVED_SHARE = 0.3
CODE_BLOCK_SHARE = 0.35

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Author:
    key: str
    name: str
    bio: str


@dataclass(frozen=True)
class Reference:
    title: str
    url: str
    publisher: str
    published: date


@dataclass(frozen=True)
class Resolution:
    outcome: str  # yes | no | void
    resolved_on: date
    evidence: str


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    published: date
    author: str  # an Author.key
    category: str
    tags: tuple[str, ...]
    statement: str
    target_date: date
    confidence: float
    resolution: Resolution | None
    references: tuple[Reference, ...]
    body: str


@dataclass(frozen=True)
class Metric:
    phrase: str  # "annual inflation"
    low: float
    high: float
    unit: str  # "%", " GW", ...
    decimals: int = 1


@dataclass(frozen=True)
class Category:
    name: str
    tags: tuple[str, ...]
    metrics: tuple[Metric, ...]
    actors: tuple[str, ...]
    actions: tuple[str, ...]


# --------------------------------------------------------------------------- word lists

AUTHORS: tuple[Author, ...] = (
    Author(
        "mara-lindqvist",
        "Mara Lindqvist",
        "Covers central banks and labour markets; previously a statistician.",
    ),
    Author(
        "tomas-okafor",
        "Tomás Okafor",
        "Writes about energy systems, grids and the economics of storage.",
    ),
    Author(
        "ines-halloran",
        "Inès Halloran",
        "Science editor with a soft spot for base rates and replication studies.",
    ),
    Author(
        "devika-raman",
        "Devika Raman",
        "Follows elections, polling error and the institutions that count votes.",
    ),
    Author(
        "jonah-vespucci",
        "Jonah Vespucci",
        "Technology reporter tracking chips, software platforms and regulation.",
    ),
    Author(
        "aiko-brandt",
        "Aiko Brandt",
        "Climate and agriculture desk; keeps a spreadsheet of every heat record.",
    ),
    Author(
        "rafael-quintero",
        "Rafael Quintero",
        "Sports and culture forecaster who scores every call he makes.",
    ),
    Author(
        "helen-achterberg",
        "Helen Achterberg",
        "Public-health writer focused on hospitals, vaccines and transport safety.",
    ),
)


def _m(phrase: str, low: float, high: float, unit: str, decimals: int = 1) -> Metric:
    return Metric(phrase, low, high, unit, decimals)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "Politics",
        ("elections", "polling", "parliament", "referendums"),
        (
            _m("voter turnout", 41, 78, "%"),
            _m("the governing coalition's poll share", 22, 48, "%"),
            _m("the number of parties in parliament", 4, 11, "", 0),
        ),
        (
            "the electoral commission",
            "the opposition alliance",
            "the governing coalition",
            "the constitutional court",
        ),
        (
            "call an early election",
            "approve the new electoral map",
            "hold a referendum on reform",
            "form a minority government",
        ),
    ),
    Category(
        "Economy",
        ("inflation", "interest-rates", "jobs", "housing"),
        (
            _m("annual inflation", 0.8, 9.5, "%"),
            _m("the unemployment rate", 2.5, 12.0, "%"),
            _m("the policy interest rate", 0.25, 8.0, "%", 2),
            _m("median rent growth", -2, 11, "%"),
        ),
        (
            "the central bank",
            "the finance ministry",
            "the statistics office",
            "the largest mortgage lender",
        ),
        (
            "cut its policy rate twice",
            "publish a revised growth forecast",
            "end its bond-buying programme",
            "raise the minimum wage",
        ),
    ),
    Category(
        "Technology",
        ("ai", "semiconductors", "smartphones", "open-source"),
        (
            _m("the share of households with fibre broadband", 12, 88, "%"),
            _m("domestic chip output", 3, 60, " million wafers", 0),
            _m("the market share of the leading mobile platform", 35, 85, "%"),
        ),
        (
            "the competition authority",
            "the largest chipmaker",
            "the national AI institute",
            "a consortium of browser vendors",
        ),
        (
            "open a second fabrication plant",
            "fine a platform for self-preferencing",
            "release its model weights publicly",
            "ship a consumer device with on-device translation",
        ),
    ),
    Category(
        "Climate",
        ("heatwaves", "emissions", "drought", "glaciers"),
        (
            _m("annual CO₂ emissions", 18, 420, " Mt", 0),
            _m("the number of days above 35 °C", 2, 60, "", 0),
            _m("reservoir levels at the end of summer", 18, 95, "%"),
        ),
        (
            "the environment ministry",
            "the regional water authority",
            "the national weather service",
            "a coalition of coastal cities",
        ),
        (
            "declare a drought emergency",
            "adopt a binding carbon budget",
            "ban new gas boilers",
            "publish a heat-action plan",
        ),
    ),
    Category(
        "Energy",
        ("solar", "wind", "batteries", "nuclear"),
        (
            _m("installed solar capacity", 2, 95, " GW"),
            _m("grid battery capacity", 0.5, 40, " GWh"),
            _m("the share of electricity from wind", 4, 61, "%"),
            _m("the wholesale power price", 28, 190, " €/MWh", 0),
        ),
        (
            "the grid operator",
            "the energy regulator",
            "the state utility",
            "the nuclear safety agency",
        ),
        (
            "restart a mothballed reactor",
            "auction a new offshore wind zone",
            "approve a cross-border interconnector",
            "introduce time-of-use tariffs nationwide",
        ),
    ),
    Category(
        "Health",
        ("vaccines", "hospitals", "public-health", "drug-pricing"),
        (
            _m("childhood vaccination coverage", 71, 98, "%"),
            _m("the average emergency-room wait", 1.5, 9, " hours"),
            _m("the number of hospital beds per 1,000 people", 1.8, 8, ""),
        ),
        (
            "the health ministry",
            "the medicines agency",
            "the largest hospital network",
            "the public insurer",
        ),
        (
            "approve a new malaria vaccine",
            "cap insulin prices",
            "publish waiting-time data monthly",
            "open three new teaching hospitals",
        ),
    ),
    Category(
        "Science",
        ("space", "physics", "genetics", "research-funding"),
        (
            _m("the research budget as a share of GDP", 0.6, 4.2, "%", 2),
            _m("the number of successful orbital launches", 1, 40, "", 0),
            _m("the number of approved gene therapies", 2, 30, "", 0),
        ),
        (
            "the space agency",
            "the national research council",
            "a university consortium",
            "the particle-physics laboratory",
        ),
        (
            "land a probe on the far side of the Moon",
            "publish a full genome atlas",
            "double funding for basic research",
            "commission a new telescope",
        ),
    ),
    Category(
        "Sports",
        ("football", "olympics", "cycling", "athletics"),
        (
            _m("average league attendance", 8000, 52000, "", 0),
            _m("the national team's FIFA ranking", 1, 80, "", 0),
            _m("the number of Olympic medals", 3, 70, "", 0),
        ),
        (
            "the football federation",
            "the national Olympic committee",
            "the top-division club",
            "the cycling union",
        ),
        (
            "host a major tournament final",
            "reach the World Cup quarter-finals",
            "introduce a salary cap",
            "win the continental championship",
        ),
    ),
    Category(
        "Culture",
        ("film", "books", "music", "museums"),
        (
            _m("cinema admissions", 4, 190, " million"),
            _m("museum visits", 1.2, 38, " million"),
            _m("the share of streaming in music revenue", 40, 92, "%"),
        ),
        (
            "the national film board",
            "the largest publisher",
            "the culture ministry",
            "the public broadcaster",
        ),
        (
            "win the top prize at a major festival",
            "reopen the national museum",
            "introduce a streaming levy",
            "digitise its full archive",
        ),
    ),
    Category(
        "Transport",
        ("rail", "electric-vehicles", "aviation", "urban-mobility"),
        (
            _m("the electric share of new-car sales", 3, 85, "%"),
            _m("annual rail ridership", 40, 900, " million", 0),
            _m("the average commute time", 18, 62, " minutes", 0),
        ),
        (
            "the rail operator",
            "the transport ministry",
            "the airport authority",
            "the city council",
        ),
        (
            "open the new high-speed line",
            "ban combustion cars from the centre",
            "introduce a flat-rate transit pass",
            "approve a third runway",
        ),
    ),
)

ALL_TAGS: tuple[str, ...] = tuple(tag for cat in CATEGORIES for tag in cat.tags)

REGIONS = (
    "Québec",
    "São Paulo",
    "Zürich",
    "Kraków",
    "Malmö",
    "Bogotá",
    "Nuevo León",
    "Île-de-France",
    "Baden-Württemberg",
    "Yucatán",
    "Ontario",
    "Kenya",
    "Chile",
    "Vietnam",
    "Scotland",
    "Texas",
    "Bavaria",
    "Queensland",
    "Morocco",
    "Poland",
    "the Philippines",
    "Norway",
    "Colombia",
    "Ghana",
    "Portugal",
    "Indonesia",
    "Peru",
    "Finland",
    "New Zealand",
    "South Korea",
)

FIRST_NAMES = (
    "Amara",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farid",
    "Greta",
    "Hiro",
    "Ingrid",
    "Joaquín",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Talia",
)
LAST_NAMES = (
    "Abara",
    "Berglund",
    "Castellanos",
    "Dufour",
    "Eriksen",
    "Fontaine",
    "Gallo",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalczyk",
    "Mbeki",
    "Nakamura",
    "Ortega",
    "Petrov",
    "Sato",
)

PUBLISHERS: tuple[tuple[str, str], ...] = (
    ("The Northwind Ledger", "northwind-ledger.example"),
    ("Harbour Street Journal", "harbourstreet.example"),
    ("Meridian Data Office", "meridian-data.example"),
    ("The Quarterly Gauge", "quarterlygauge.example"),
    ("Riverside Policy Institute", "riverside-policy.example"),
    ("Open Ledger Statistics", "openledger-stats.example"),
    ("The Evening Almanac", "evening-almanac.example"),
    ("Cobalt Research Group", "cobalt-research.example"),
    ("Atlas Wire", "atlaswire.example"),
    ("Civic Numbers Project", "civicnumbers.example"),
    ("The Lantern Review", "lantern-review.example"),
    ("Granite Economics", "granite-econ.example"),
)

OPENING_HEADINGS = ("Background", "Where things stand", "The starting point", "Context")
MIDDLE_HEADINGS = (
    "What the numbers say",
    "The case for",
    "The case against",
    "Signals to watch",
    "Base rates",
    "What could change our mind",
    "Key players",
    "Timeline",
    "Risks",
    "Competing forecasts",
)
CLOSING_HEADINGS = (
    "How this resolves",
    "Resolution criteria",
    "Bottom line",
    "How we will score it",
)

ADVERBS = ("steadily", "sharply", "unevenly", "quietly", "repeatedly", "modestly", "abruptly")
TRENDS = ("risen", "fallen", "stalled", "recovered", "drifted lower", "climbed", "wobbled")
HEDGES = (
    "on balance",
    "for now",
    "with some caveats",
    "if the trend holds",
    "barring a shock",
    "in most scenarios we modelled",
    "more likely than not",
)
QUARTERS = ("first", "second", "third", "fourth")

SENTENCES = (
    "Over the past {span} years {metric} in {region} has {trend} {adverb}, and the latest release "
    "did little to change that picture",
    "{actor_cap} said in {month} that it expects the pattern to continue {hedge}",
    "The most recent figure, published in the {quarter} quarter of {prev_year}, came in at "
    "**{value}**",
    "Analysts at {publisher} put the odds of a reversal at roughly {small_pct}% within two years",
    "{analyst}, who has tracked the series since {old_year}, calls the current level "
    "*unusual but not unprecedented*",
    "A similar episode in {old_year} ended with {metric} back near its long-run average within "
    "{small_n} quarters",
    "That matters because {actor} has tied its next decision to the data rather than to a fixed "
    "calendar",
    "Local officials in {region} have been more cautious, pointing to revisions that regularly "
    "move the first estimate by a full point",
    "Our own model, which weights recent releases more heavily, lands close to the consensus "
    "{hedge}",
    "None of this is certain: the series is noisy, and a single bad month can swing the headline",
    "The strongest argument against our view is that {actor} has surprised markets twice since "
    "{old_year}",
    "Seen over a decade, the movement is *smaller than the headlines suggest*",
    "Budget documents show spending plans that assume {metric} stays near **{value}** through "
    "{year}",
    "Comparable places such as {region2} moved in the same direction about a year earlier",
    "Survey respondents in {region} were split almost evenly, with {small_pct}% expecting no "
    "change at all",
    "The decision by {actor} to {action} would be the clearest signal yet that the trend is "
    "durable",
    "We give that scenario a probability of about {small_pct}%, and we will say so if it changes",
    "Historical base rates suggest that forecasts of this kind resolve *yes* a little less than "
    "half the time",
    "An internal review quoted by {publisher} described the plan as ambitious but achievable",
    "The timetable leaves little slack: any delay past {month} {year} would make the target hard "
    "to reach",
    "Critics argue that the headline number hides large differences between urban and rural areas",
    "Even so, the direction of travel has been consistent for {small_n} consecutive releases",
    "Revisions in {prev_year} were unusually large, which is one reason we keep our confidence "
    "below certainty",
    "If {actor} does {action}, we expect the effect on {metric} to show up within two quarters",
    "A leaked draft seen by {publisher} suggests the plan was ~~shelved~~ merely postponed",
    "The gap between the official figure and private estimates has narrowed to about "
    "{small_n} points",
    "In {region2}, by contrast, the same indicator has barely moved since {old_year}",
    "We asked {analyst} what would change their mind; the answer was *two bad releases in a row*",
    "Markets currently price in roughly a {small_pct}% chance of the outcome we describe",
    "The seasonal pattern is strong, so month-on-month comparisons can mislead",
    "Election-year budgets in {region} have historically loosened spending by a few tenths of a "
    "point",
    "Officials at {actor} declined to comment on the timeline when we asked in {month}",
    "The data are published with a lag of about {small_n} weeks, which we allow for below",
    "Three of the last {span} comparable forecasts we tracked resolved in the direction we expect",
    "It is worth separating the `{code_word}` series from the headline, which includes one-off "
    "effects",
    "A wider view, including {region2}, points the same way but with more uncertainty",
    "The consensus has shifted {adverb} towards our position since the {quarter} quarter",
    "We would lower our confidence if {actor} announced a review of the target itself",
    "Population growth alone explains part of the change, roughly {small_pct}% by our count",
)

LINK_SENTENCES = (
    "The full series is available from the [data portal of {publisher}](https://{domain}/data/{slug})",
    "We keep a [running log of every release](https://bench.example.org/notes/{slug}) used in "
    "this piece",
    "For method notes, see the [technical appendix](https://{domain}/methods/{year}/appendix)",
)

BULLETS = (
    "A sustained move in {metric} beyond **{value}** for two consecutive releases",
    "An announcement by {actor} to {action}",
    "Revisions larger than one point to the {prev_year} figures",
    "A change of leadership at {actor}",
    "Comparable moves in {region2}, which has tended to lead {region} by about a year",
    "Funding decisions in the {year} budget cycle",
    "Any legal challenge that delays implementation past {month}",
    "Survey data showing expectations *shifting* in either direction",
    "The `{code_word}` indicator crossing its long-run average",
    "Statements from {analyst} and other long-time observers",
)

STEPS = (
    "Check the official release for {metric} published after the target date",
    "Compare it with the threshold of **{value}** stated above",
    "Use the first published figure, not later revisions",
    "If {actor} changes the methodology, use the series it designates as comparable",
    "If no figure is published within 60 days, the prediction resolves *void*",
    "Record the source and the date of the figure in the resolution note",
    "Ignore provisional estimates that are not labelled as official",
    "Round to one decimal place before comparing",
)

CODE_WORDS = ("trend_12m", "base_rate", "release_lag", "rev_delta", "seasonal_adj", "core_index")


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """`rng.choice`, about three times faster (the generator calls it a lot)."""
    return items[int(rng.random() * len(items))]


def rand_int(rng: random.Random, low: int, high: int) -> int:
    """`rand_int(rng, low, high)`, faster."""
    return low + int(rng.random() * (high - low + 1))


DYNAMIC_FIELDS: dict[str, Callable[[random.Random], str]] = {
    "adverb": lambda rng: pick(rng, ADVERBS),
    "trend": lambda rng: pick(rng, TRENDS),
    "hedge": lambda rng: pick(rng, HEDGES),
    "small_pct": lambda rng: str(8 + int(rng.random() * 38)),
    "small_n": lambda rng: str(2 + int(rng.random() * 6)),
    "span": lambda rng: str(3 + int(rng.random() * 10)),
    "month": lambda rng: pick(rng, MONTHS),
    "quarter": lambda rng: pick(rng, QUARTERS),
    "analyst": lambda rng: f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}",
    "code_word": lambda rng: pick(rng, CODE_WORDS),
}


def _dynamic_fields(template: str) -> tuple[str, ...]:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return tuple(sorted(names & DYNAMIC_FIELDS.keys()))


def deal(rng: random.Random, items: Sequence[T]) -> list[T]:
    """A cheap pseudo-shuffle: every item once, from a random start with a random stride."""
    size = len(items)
    stride = pick(rng, [step for step in range(1, size) if math.gcd(step, size) == 1])
    start = int(rng.random() * size)
    return [items[(start + i * stride) % size] for i in range(size)]


TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    template: _dynamic_fields(template)
    for template in (*SENTENCES, *LINK_SENTENCES, *BULLETS, *STEPS)
}


# --------------------------------------------------------------------------- helpers

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lower-case ASCII slug: 'Will São Paulo…?' -> 'will-sao-paulo'."""
    folded = text.lower()
    for src, dst in (
        ("ã", "a"),
        ("á", "a"),
        ("é", "e"),
        ("è", "e"),
        ("í", "i"),
        ("ó", "o"),
        ("ö", "o"),
        ("ü", "u"),
        ("î", "i"),
        ("ç", "c"),
        ("₂", "2"),
        ("€", "eur"),
        ("°", ""),
    ):
        folded = folded.replace(src, dst)
    return _SLUG_DROP.sub("-", folded).strip("-")


def format_value(metric: Metric, value: float) -> str:
    if metric.decimals == 0:
        return f"{round(value):,}{metric.unit}"
    return f"{value:.{metric.decimals}f}{metric.unit}"


def format_month(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


_CITATION = re.compile(r"\[(\d+)\](?![(\[:])")


def link_citations(body: str) -> str:
    """Turn `[n]` citations into Markdown links to `#ref-n` (what foretell does when it renders).

    For the Hugo and Pelican copies of a site; generated bodies never put `[n]` in code.
    """
    return _CITATION.sub(r"[[\1]](#ref-\1)", body)


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


# --------------------------------------------------------------------------- body


class Citer:
    """Hands out `[n]` citations: every reference once (in order) first, then at random."""

    def __init__(self, rng: random.Random, count: int) -> None:
        self.rng = rng
        self.count = count
        self.pending = list(range(1, count + 1))

    def cite(self) -> str:
        if self.pending:
            return f"[{self.pending.pop(0)}]"
        first = rand_int(self.rng, 1, self.count)
        if self.rng.random() < 0.15 and self.count > 1:
            second = first % self.count + 1
            return f"[{first}], [{second}]"
        return f"[{first}]"

    def flush(self) -> str:
        """Citations for references not cited yet ('' when all were)."""
        marks = ", ".join(f"[{n}]" for n in self.pending)
        self.pending = []
        return marks


class BodyWriter:
    """Builds one article body around a topic; every random draw comes from `rng`."""

    def __init__(self, rng: random.Random, slots: dict[str, str], citer: Citer) -> None:
        self.rng = rng
        self.slots = slots
        self.citer = citer
        self.deck: list[str] = []  # sentence templates not used yet in this article

    def fill(self, template: str) -> str:
        """Format `template` with the article's slots plus fresh draws for dynamic fields."""
        values = self.slots
        dynamic = TEMPLATE_FIELDS[template]
        if dynamic:
            values = dict(values)
            for field in dynamic:
                values[field] = DYNAMIC_FIELDS[field](self.rng)
        return template.format_map(values)

    def sentence(self, cite_chance: float = 0.3) -> str:
        if not self.deck:
            self.deck = deal(self.rng, SENTENCES)
        text = self.fill(self.deck.pop())
        if self.rng.random() < cite_chance:
            text += " " + self.citer.cite()
        return text + "."

    def paragraph(self, low: int = 4, high: int = 7) -> str:
        sentences = [self.sentence() for _ in range(rand_int(self.rng, low, high))]
        if self.rng.random() < 0.25:
            link = self.fill(pick(self.rng, LINK_SENTENCES)) + "."
            sentences.insert(self.rng.randrange(len(sentences) + 1), link)
        return " ".join(sentences)

    def bullet_list(self) -> str:
        items = self.rng.sample(BULLETS, rand_int(self.rng, 3, 5))
        lines = []
        for item in items:
            text = self.fill(item)
            if self.rng.random() < 0.3:
                text += " " + self.citer.cite()
            lines.append(f"- {text}")
        return "\n".join(lines)

    def numbered_list(self) -> str:
        items = self.rng.sample(STEPS, rand_int(self.rng, 3, 5))
        return "\n".join(f"{n}. {self.fill(item)}" for n, item in enumerate(items, 1))

    def table(self, metric: Metric, published: date) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return self._scenario_table()
        rows = ["| Year | Value | Change | Source |", "| ---: | ---: | ---: | --- |"]
        value = rng.uniform(metric.low, metric.high)
        for year in range(published.year - rand_int(rng, 3, 5), published.year + 1):
            step = (metric.high - metric.low) * rng.uniform(-0.08, 0.08)
            previous, value = value, min(max(value + step, metric.low), metric.high)
            change = f"{value - previous:+.{max(metric.decimals, 1)}f}"
            source = self.citer.cite() if rng.random() < 0.3 else "official release"
            rows.append(f"| {year} | {format_value(metric, value)} | {change} | {source} |")
        return "\n".join(rows)

    def _scenario_table(self) -> str:
        rng = self.rng
        shares = [rand_int(rng, 10, 60) for _ in range(3)]
        total = sum(shares)
        percents = [round(100 * s / total) for s in shares]
        percents[0] += 100 - sum(percents)
        labels = (
            ("Base case", "the trend continues"),
            ("Upside", "a faster move than expected"),
            ("Downside", "a reversal before the target date"),
        )
        rows = ["| Scenario | Probability | What it implies |", "| --- | ---: | --- |"]
        for (name, what), share in zip(labels, percents, strict=True):
            rows.append(f"| {name} | {share}% | {what} |")
        return "\n".join(rows)

    def code_block(self) -> str:
        rng = self.rng
        kind = rng.randrange(3)
        if kind == 0:
            base, low, high = (round(rng.uniform(0.2, 0.9), 2) for _ in range(3))
            return (
                "```python\n"
                f'scenarios = {{"base": {base}, "low": {low}, "high": {high}}}\n'
                f'weights = {{"base": 0.5, "low": 0.25, "high": 0.25}}\n'
                "blended = sum(scenarios[name] * weights[name] for name in scenarios)\n"
                'print(f"blended probability: {blended:.2f}")\n'
                "```"
            )
        if kind == 1:
            return (
                "```json\n"
                "{\n"
                f'  "region": {yaml_str(self.slots["region"])},\n'
                f'  "series": "{pick(rng, CODE_WORDS)}",\n'
                f'  "latest": {round(rng.uniform(1, 99), 1)},\n'
                f'  "revised": {str(rng.random() < 0.5).lower()}\n'
                "}\n"
                "```"
            )
        return (
            "```sql\n"
            f"SELECT release_date, value\n"
            f"FROM {pick(rng, CODE_WORDS)}\n"
            f"WHERE region = '{slugify(self.slots['region'])}'\n"
            f"  AND release_date >= DATE '{rand_int(rng, 2015, 2023)}-01-01'\n"
            "ORDER BY release_date;\n"
            "```"
        )


def make_body(
    rng: random.Random, slots: dict[str, str], metric: Metric, published: date, n_refs: int
) -> str:
    citer = Citer(rng, n_refs)
    writer = BodyWriter(rng, slots, citer)
    middle = rng.sample(MIDDLE_HEADINGS, 3)
    sections = [
        (
            pick(rng, OPENING_HEADINGS),
            [writer.paragraph(), writer.paragraph(), writer.bullet_list()],
        ),
        (middle[0], [writer.paragraph(), writer.table(metric, published), writer.paragraph(3, 5)]),
        (middle[1], [writer.paragraph(), writer.numbered_list(), writer.paragraph(3, 5)]),
        (middle[2], [writer.paragraph(), writer.paragraph(), writer.paragraph(3, 5)]),
    ]
    if rng.random() < CODE_BLOCK_SHARE:
        sections[3][1].insert(1, "A quick way to reproduce our blend:\n\n" + writer.code_block())
    closing = [writer.paragraph(), writer.numbered_list()]
    leftover = citer.flush()
    closing.append(
        writer.paragraph(2, 3) + (f" Sources used above: {leftover}." if leftover else "")
    )
    sections.append((pick(rng, CLOSING_HEADINGS), closing))
    parts = [f"## {heading}\n\n" + "\n\n".join(blocks) for heading, blocks in sections]
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------- articles


def make_references(
    rng: random.Random, slots: dict[str, str], published: date, count: int
) -> tuple[Reference, ...]:
    refs = []
    kinds = (
        "{region}: {metric} in {year}",
        "Outlook for {metric}, {year} update",
        "Interview: {analyst} on {actor}",
        "Why {actor} is watching {metric}",
        "{metric_cap}: a ten-year series for {region}",
        "Briefing note on {region} ({month})",
    )
    for _ in range(count):
        publisher, domain = pick(rng, PUBLISHERS)
        day = published - timedelta(days=rand_int(rng, 1, 400))
        analyst = f"{pick(rng, FIRST_NAMES)} {pick(rng, LAST_NAMES)}"
        values = {**slots, "year": day.year, "month": MONTHS[day.month - 1], "analyst": analyst}
        title = pick(rng, kinds).format(**values)
        url = f"https://{domain}/{day.year}/{day.month:02d}/{slugify(title)[:60].strip('-')}"
        refs.append(Reference(title, url, publisher, day))
    return tuple(refs)


def make_statement(rng: random.Random, cat: Category, slots: dict[str, str], target: date) -> str:
    if rng.random() < 0.6:
        return (
            f"{slots['metric_cap']} in {slots['region']} will {slots['direction']} "
            f"{slots['value']} by {format_month(target)}."
        )
    action = pick(rng, cat.actions)
    return f"{slots['actor_cap']} in {slots['region']} will {action} before {format_month(target)}."


def make_title(rng: random.Random, slots: dict[str, str], target: date, statement: str) -> str:
    forms = (
        "Will {metric} in {region} {direction} {value} by {target_year}?",
        "{region}: {metric} to {direction} {value}",
        "Forecast: {metric} in {region} by {target_month}",
        "Why {actor} matters for {metric} in {region}",
        "{metric_cap} in {region}: our {target_year} call",
        "The road to {target_year}: {metric} in {region}",
    )
    if statement.startswith(slots["actor_cap"]):
        return statement.rstrip(".").replace(" will ", " to ", 1)
    return pick(rng, forms).format(
        **slots, target_year=target.year, target_month=format_month(target)
    )


def make_dates(rng: random.Random, resolved: bool) -> tuple[date, date]:
    if resolved:
        published = random_day(rng, FIRST_DAY, date(2025, 6, 30))
        latest_target = min(published + timedelta(days=1100), LATEST_RESOLUTION - timedelta(days=1))
        target = random_day(rng, published + timedelta(days=30), latest_target)
    else:
        published = random_day(rng, FIRST_DAY, LAST_DAY)
        target = published + timedelta(days=rand_int(rng, 30, 1500))
    return published, target


def make_resolution(rng: random.Random, target: date, slug: str) -> Resolution:
    outcome = rng.choices(("yes", "no", "void"), weights=(45, 45, 10))[0]
    resolved_on = min(target + timedelta(days=rand_int(rng, 1, 45)), LATEST_RESOLUTION)
    return Resolution(outcome, resolved_on, f"https://records.example.org/resolutions/{slug}")


def make_slots(rng: random.Random, cat: Category, metric: Metric) -> dict[str, str]:
    value = rng.uniform(metric.low, metric.high)
    actor = pick(rng, cat.actors)
    publisher, domain = pick(rng, PUBLISHERS)
    regions = rng.sample(REGIONS, 2)
    return {
        "metric": metric.phrase,
        "metric_cap": metric.phrase[0].upper() + metric.phrase[1:],
        "region": regions[0],
        "region2": regions[1],
        "actor": actor,
        "actor_cap": actor[0].upper() + actor[1:],
        "action": pick(rng, cat.actions),
        "direction": pick(rng, ("rise above", "fall below", "stay above", "stay below")),
        "value": format_value(metric, value),
        "publisher": publisher,
        "domain": domain,
    }


def make_article(index: int, seed: int) -> Article:
    """Article number `index`; depends only on (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    cat = pick(rng, CATEGORIES)
    metric = pick(rng, cat.metrics)
    slots = make_slots(rng, cat, metric)
    resolved = rng.random() < RESOLVED_SHARE
    published, target = make_dates(rng, resolved)
    slots.update(
        year=str(target.year),
        prev_year=str(published.year - 1),
        old_year=str(published.year - rand_int(rng, 6, 15)),
    )
    statement = make_statement(rng, cat, slots, target)
    title = make_title(rng, slots, target, statement)
    slot_slug = (
        slugify(title)[:64].rsplit("-", 1)[0] if len(slugify(title)) > 64 else slugify(title)
    )
    slots["slug"] = slot_slug
    tags = list(rng.sample(cat.tags, rand_int(rng, 1, 3)))
    if rng.random() < 0.3:
        extra = pick(rng, ALL_TAGS)
        if extra not in tags:
            tags.append(extra)
    references = make_references(rng, slots, published, rand_int(rng, 3, 6))
    body = make_body(rng, slots, metric, published, len(references))
    return Article(
        slug=slot_slug,
        title=title,
        published=published,
        author=pick(rng, AUTHORS).key,
        category=cat.name,
        tags=tuple(tags),
        statement=statement,
        target_date=target,
        confidence=round(rng.uniform(0.05, 0.95), 2),
        resolution=make_resolution(rng, target, slot_slug) if resolved else None,
        references=references,
        body=body,
    )


def iter_articles(count: int, seed: int = 1) -> Iterator[Article]:
    """The site's articles in index order, with unique slugs ('-2', '-3' on collisions)."""
    seen: dict[str, int] = {}
    for index in range(count):
        article = make_article(index, seed)
        uses = seen.get(article.slug, 0) + 1
        seen[article.slug] = uses
        if uses > 1:
            slug = f"{article.slug}-{uses}"
            while slug in seen:
                uses += 1
                slug = f"{article.slug}-{uses}"
            seen[slug] = 1
            article = _with_slug(article, slug)
        yield article


def _with_slug(article: Article, slug: str) -> Article:
    resolution = article.resolution
    if resolution is not None:
        evidence = f"https://records.example.org/resolutions/{slug}"
        resolution = Resolution(resolution.outcome, resolution.resolved_on, evidence)
    return Article(**{**article.__dict__, "slug": slug, "resolution": resolution})


# --------------------------------------------------------------------------- writing


def front_matter(article: Article) -> str:
    lines = [
        "---",
        f"title: {yaml_str(article.title)}",
        f"date: {article.published.isoformat()}",
        f"author: {article.author}",
        f"category: {article.category}",
        f"tags: [{', '.join(article.tags)}]",
        "prediction:",
        f"  statement: {yaml_str(article.statement)}",
        f"  target_date: {article.target_date.isoformat()}",
        f"  confidence: {article.confidence}",
    ]
    if article.resolution is not None:
        res = article.resolution
        lines += [
            "  resolution:",
            f"    outcome: {res.outcome}",
            f"    date: {res.resolved_on.isoformat()}",
            f"    evidence: {res.evidence}",
        ]
    lines.append("references:")
    lines += [
        f"  - {{title: {yaml_str(ref.title)}, url: {yaml_str(ref.url)}, "
        f"publisher: {yaml_str(ref.publisher)}, date: {ref.published.isoformat()}}}"
        for ref in article.references
    ]
    lines.append("---")
    return "\n".join(lines) + "\n"


def article_text(article: Article) -> str:
    return front_matter(article) + "\n" + article.body


def site_yaml() -> str:
    lines = [
        'title: "Bench Forecasts"',
        f'url: "{SITE_URL}"',
        'description: "Synthetic prediction articles for measuring build speed."',
        "language: en",
        "timezone: UTC",
        "paginate: 20",
        "authors:",
    ]
    lines += [f"  {a.key}: {{name: {yaml_str(a.name)}, bio: {yaml_str(a.bio)}}}" for a in AUTHORS]
    return "\n".join(lines) + "\n"


def generate(
    out: Path, count: int, seed: int = 1, theme_from: Path | None = DEFAULT_THEMES
) -> None:
    """Write a complete foretell site with `count` predictions into `out`.

    Existing `content/predictions/*.md` files in `out` are removed first so the folder holds
    exactly this site. `theme_from` (a `themes/` folder) is copied to `out/themes` when it
    exists; pass None to skip it.
    """
    out = Path(out)
    predictions = out / "content" / "predictions"
    if predictions.is_dir():
        for old in predictions.glob("*.md"):
            old.unlink()
    predictions.mkdir(parents=True, exist_ok=True)
    (out / "site.yaml").write_text(site_yaml(), encoding="utf-8")
    for article in iter_articles(count, seed):
        (predictions / f"{article.slug}.md").write_text(article_text(article), encoding="utf-8")
    if theme_from is not None and Path(theme_from).is_dir():
        themes = out / "themes"
        if themes.is_symlink() or themes.is_file():
            themes.unlink()
        elif themes.is_dir():
            shutil.rmtree(themes)
        shutil.copytree(theme_from, themes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="number of predictions")
    parser.add_argument("--out", type=Path, required=True, help="site folder to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--theme-from",
        type=Path,
        default=DEFAULT_THEMES,
        help=f"themes/ folder to copy (default {DEFAULT_THEMES})",
    )
    parser.add_argument("--no-theme", action="store_true", help="do not copy any themes/")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")
    generate(args.out, args.count, args.seed, None if args.no_theme else args.theme_from)
    print(f"wrote {args.count} predictions to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
