"""Write the generated articles as a Hugo site with minimal layouts equivalent to foretell's.

Same Markdown bodies (citations `[n]` turned into links to `#ref-n`, which foretell does
itself), front matter translated to what Hugo understands, and layouts showing what a
foretell prediction page shows: category, title, author, date, statement, target date,
confidence, resolution, body, a numbered references list and an author box. List pages
(home, categories, tags, authors, open/resolved, upcoming) are paginated by 20; RSS,
sitemap and robots.txt are on.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from generate import AUTHORS, SITE_URL, Article, link_citations

FEED_ITEMS = 20
PAGE_SIZE = 20


def status(article: Article) -> str:
    return "open" if article.resolution is None else "resolved"


def q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def front_matter(article: Article) -> str:
    lines = [
        "---",
        f"title: {q(article.title)}",
        f"date: {article.published.isoformat()}",
        f"slug: {q(article.slug)}",
        f"categories: [{q(article.category)}]",
        f"tags: [{', '.join(q(tag) for tag in article.tags)}]",
        f"authors: [{q(article.author)}]",
        f"statuses: [{status(article)}]",
        "params:",
        f"  state: {status(article)}",
        f"  statement: {q(article.statement)}",
        f"  target_date: {q(article.target_date.isoformat())}",
        f"  confidence: {article.confidence}",
    ]
    if article.resolution is not None:
        res = article.resolution
        lines.append(
            f"  resolution: {{outcome: {q(res.outcome)}, date: {q(res.resolved_on.isoformat())}, "
            f"evidence: {q(res.evidence)}}}"
        )
    lines.append("  references:")
    lines += [
        f"    - {{title: {q(ref.title)}, url: {q(ref.url)}, publisher: {q(ref.publisher)}, "
        f"date: {q(ref.published.isoformat())}}}"
        for ref in article.references
    ]
    lines.append("---")
    return "\n".join(lines) + "\n"


def config(now: date) -> str:
    authors = "\n".join(f"    {a.key}: {{name: {q(a.name)}, bio: {q(a.bio)}}}" for a in AUTHORS)
    return f"""\
baseURL: "{SITE_URL}/"
title: "Bench Forecasts"
languageCode: en
timeZone: UTC
enableRobotsTXT: true
disableHugoGeneratorInject: true
pagination:
  pagerSize: {PAGE_SIZE}
taxonomies:
  category: categories
  tag: tags
  author: authors
  status: statuses
services:
  rss:
    limit: {FEED_ITEMS}
markup:
  highlight:
    noClasses: false
  goldmark:
    renderer:
      unsafe: true
params:
  now: "{now.isoformat()}"
  authors:
{authors}
"""


BASEOF = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta name="twitter:card" content="summary">
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" \
href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "categories/" | relURL }}">Categories</a>
<a href="{{ "tags/" | relURL }}">Tags</a>
<a href="{{ "authors/" | relURL }}">Authors</a>
<a href="{{ "statuses/open/" | relURL }}">Open</a>
<a href="{{ "statuses/resolved/" | relURL }}">Resolved</a>
<a href="{{ "upcoming/" | relURL }}">Upcoming</a></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
<footer><p>{{ site.Title }}</p></footer>
</body>
</html>
"""

SINGLE = """\
{{ define "main" }}
{{ $key := index .Params.authors 0 }}{{ $author := index site.Params.authors $key }}
<article>
<p class="category">{{ range .GetTerms "categories" }}<a href="{{ .RelPermalink }}">\
{{ .LinkTitle }}</a>{{ end }} · {{ .Params.state }}</p>
<h1>{{ .Title }}</h1>
<p class="byline">By {{ range .GetTerms "authors" }}<a href="{{ .RelPermalink }}">\
{{ $author.name }}</a>{{ end }} · <time datetime="{{ .Date.Format "2006-01-02" }}">\
{{ .Date.Format "January 2, 2006" }}</time></p>
<section class="prediction"><h2>Prediction</h2><p>{{ .Params.statement }}</p>
<p>Target date: <time datetime="{{ .Params.target_date }}">\
{{ time.Format "January 2, 2006" .Params.target_date }}</time>
· Confidence: {{ math.Round (mul .Params.confidence 100) }}%</p>
{{ with .Params.resolution }}<p>Resolved <strong>{{ .outcome }}</strong> on \
{{ time.Format "January 2, 2006" .date }} (<a href="{{ .evidence }}">evidence</a>)</p>{{ end }}
</section>
<div class="body">{{ .Content }}</div>
<section class="references"><h2>References</h2><ol>
{{ range $i, $ref := .Params.references }}<li id="ref-{{ add $i 1 }}">{{ $ref.publisher }}, \
<time datetime="{{ $ref.date }}">{{ time.Format "January 2, 2006" $ref.date }}</time>: \
<a href="{{ $ref.url }}">{{ $ref.title }}</a></li>
{{ end }}</ol></section>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">\
{{ .LinkTitle }}</a></li>{{ end }}</ul>
<aside class="author"><h2>About the author</h2><p>{{ $author.name }}</p><p>{{ $author.bio }}</p>
<p>{{ len (index site.Taxonomies.authors $key) }} predictions</p></aside>
</article>
{{ end }}
"""

ITEM = """\
{{ $author := index site.Params.authors (index .Params.authors 0) }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time>
{{ $author.name }} · {{ .Params.state }} · target {{ .Params.target_date }}
<p>{{ .Params.statement }}</p></li>
"""

PAGER = """\
<nav class="pager">{{ if .HasPrev }}<a href="{{ .Prev.URL }}">Newer</a>{{ end }}
Page {{ .PageNumber }} of {{ .TotalPages }}
{{ if .HasNext }}<a href="{{ .Next.URL }}">Older</a>{{ end }}</nav>
"""

LIST = """\
{{ define "main" }}
<h1>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }}{{ end }}</h1>
{{/* Page collections come sorted newest first: no where/sort per pager page, which would be
     quadratic (every pager page re-evaluates this template). */}}
{{ $pager := .Paginate (cond .IsHome site.RegularPages .Pages) }}
<ul class="predictions">{{ range $pager.Pages }}{{ partial "item.html" . }}{{ end }}</ul>
{{ partial "pager.html" $pager }}
{{ end }}
"""

TAXONOMY = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">\
{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"""

UPCOMING = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate (partialCached "open-by-target.html" . "open") }}
<ul class="predictions">{{ range $pager.Pages }}{{ partial "item.html" . }}{{ end }}</ul>
{{ partial "pager.html" $pager }}
{{ end }}
"""

OPEN_BY_TARGET = """\
{{/* Computed once (partialCached), not once per pager page. */}}
{{/* Like foretell's upcoming/: open, target date not passed, nearest first. */}}
{{ $open := where site.RegularPages "Params.state" "open" }}
{{ return (where $open "Params.target_date" "ge" site.Params.now).ByParam "target_date" }}
"""

NOT_FOUND = """\
{{ define "main" }}<h1>Page not found</h1><p><a href="{{ "/" | relURL }}">Home</a></p>{{ end }}
"""

LAYOUTS = {
    "baseof.html": BASEOF,
    "single.html": SINGLE,
    "list.html": LIST,
    "taxonomy.html": TAXONOMY,
    "404.html": NOT_FOUND,
    "upcoming/list.html": UPCOMING,
    "_partials/item.html": ITEM,
    "_partials/pager.html": PAGER,
    "_partials/open-by-target.html": OPEN_BY_TARGET,
}

SECTION_INDEXES = {
    # The predictions section itself has no list page in foretell: don't render it.
    "predictions/_index.md": "---\ntitle: Predictions\nbuild: {render: never}\n---\n",
    "upcoming/_index.md": "---\ntitle: Upcoming\n---\n",
}


def write_hugo_site(articles: Iterable[Article], dest: Path, now: date) -> None:
    """Write a Hugo site for `articles` into `dest` (replacing what was there)."""
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content" / "predictions").mkdir(parents=True)
    (dest / "hugo.yaml").write_text(config(now), encoding="utf-8")
    for name, text in LAYOUTS.items():
        path = dest / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in SECTION_INDEXES.items():
        path = dest / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    predictions = dest / "content" / "predictions"
    for article in articles:
        text = front_matter(article) + "\n" + link_citations(article.body)
        (predictions / f"{article.slug}.md").write_text(text, encoding="utf-8")
