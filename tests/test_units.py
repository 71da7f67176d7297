"""Units (site.model.Unit, pipeline.unit_files): a prediction's own files are planned only when
its unit changed, and they can show nothing of the site that the unit does not hold.

The bytes after each kind of edit are held to a clean build's in test_incremental.py (and,
for what only a unit holds, in test_crowd.py, test_timestamps_pages.py, test_history.py);
these tests check that the saving is real and where its safety comes from.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import NOW, SiteFolder, prediction_text
from test_incremental import EDITS, _clean_build, _populate, _replace, _without_shortcut

from builder.incremental import build as full
from builder.options import BuildOptions
from builder.pipeline import load
from builder.site import model


def _planned_units(site: SiteFolder, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Build; the slugs whose own files the build planned."""
    planned: list[str] = []
    real = full.unit_files

    def counting(site_: model.Site, unit: model.Unit, memo):  # type: ignore[no-untyped-def]
        planned.append(unit.prediction.slug)
        return real(site_, unit, memo)

    monkeypatch.setattr(full, "unit_files", counting)
    assert site.build() == 0
    return planned


@pytest.mark.parametrize(
    ("edit", "planned"), [("category", ["p7"]), ("add", ["p9"]), ("delete", [])]
)
def test_an_edit_plans_only_the_files_of_the_predictions_it_changed(
    site: SiteFolder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: str,
    planned: list[str],
) -> None:
    # Catches: every unit planned and keyed again on every build (the 50,000 files of a
    # 10,000-prediction site), or units reused whatever their key.
    _populate(site)
    assert site.build() == 0
    EDITS[edit](site)
    _without_shortcut(site)  # which takes a category edit (terms.py)
    assert _planned_units(site, monkeypatch) == planned
    assert site.files() == _clean_build(site, tmp_path)


def test_a_unit_whose_file_was_changed_by_hand_is_made_again(
    site: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Catches: a unit reused because its key is unchanged although one of its files is not
    # as the last build left it.
    _populate(site)
    assert site.build() == 0
    (site.output / "predictions/p2/oembed.json").write_text("{}", encoding="utf-8")
    EDITS["title"](site)  # not a no-op: the output is looked at
    _without_shortcut(site)
    assert sorted(_planned_units(site, monkeypatch)) == ["p2", "p4"]
    assert site.files() == _clean_build(site, tmp_path)


def test_a_template_edit_plans_every_unit_again(
    site: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Catches: a unit's key without the templates its pages are rendered with.
    _populate(site)
    assert site.build() == 0
    page = site.root / "themes/default/templates/prediction.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace('class="kicker"', 'class="kicker k"', 1),
        encoding="utf-8",
    )
    assert len(_planned_units(site, monkeypatch)) == 8
    assert 'class="kicker k"' in (site.output / "predictions/p1/index.html").read_text()
    assert site.files() == _clean_build(site, tmp_path)


def test_alone_holds_nothing_of_the_other_predictions(site: SiteFolder) -> None:
    # Catches: a unit's files made from the whole site, where they could show (and go stale
    # on) what no unit key covers: another prediction, an author's figures, a term.
    _populate(site)
    site.write(
        "p1.md", prediction_text("Prediction 1", date="2026-01-01", target="2026-02-01")
    )  # awaiting on NOW: the masthead's link
    whole = load(BuildOptions(site.root), dt.date.fromisoformat(NOW)).site
    p = next(p for p in whole.predictions if p.slug == "p3")
    one = whole.alone(whole.unit(p))
    assert one.predictions == (p,)
    assert (one.categories, one.tags, one.authors) == ((), (), ())
    assert not one.stats and not one.author_scores and one.site_scores == model.NO_SCORES
    assert one.statuses == {"p3": whole.status(p)}
    assert one.awaiting == 1 and whole.awaiting >= 1
    assert one.config is whole.config and one.today == whole.today


def test_slices_are_kept_while_what_they_show_is_unchanged(
    site: SiteFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Catches: the sliced records made again on every build (a tenth of a second each for
    # the site and each author at 10,000), or kept after a change to what they are made of.
    _populate(site)
    EDITS["resolve scored"](site)
    assert site.build() == 0
    made: list[str | None] = []
    real = model.sliced

    def counting(items, threshold):  # type: ignore[no-untyped-def]
        made.append(threshold)
        return real(items, threshold)

    monkeypatch.setattr(model, "sliced", counting)
    EDITS["title"](site)
    _without_shortcut(site)
    assert site.build() == 0
    assert made == []
    EDITS["confidence"](site)  # p3, unresolved: not scored, so no slice shows it
    assert site.build() == 0
    assert made == []
    EDITS["resolve"](site)  # p2 resolved, without a confidence: still nothing scored changes
    EDITS["category"](site)  # p7, open: nothing either
    assert site.build() == 0
    assert made == []
    # p4 is scored: its confidence and its outcome are in every slice that holds it.
    for old, new in (("confidence: 0.8", "confidence: 0.7"), ("outcome: yes", "outcome: no")):
        made.clear()
        _replace(site, "content/predictions/p4.md", old, new)
        assert site.build() == 0
        assert made, new
        assert site.files() == _clean_build(site, tmp_path)
