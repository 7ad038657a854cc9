"""`recoverycap analyse ...` on a real database built through the store API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from recoverycap import Library
from recoverycap.analysis import CHANGE_COLUMNS, paired_change, reliable_change
from recoverycap.analysis.growth import GROWTH_COLUMNS
from recoverycap.analysis.reliability import RELIABILITY_COLUMNS
from recoverycap.analysis.reliable import PEOPLE_COLUMNS
from recoverycap.cli import main
from recoverycap.store import Store

REF = Path(__file__).parent / "reference"


def items_for(total: int, rng: np.random.Generator) -> list[int]:
    """Ten BARC-10 answers (1–6) that sum to ``total``, varied so the items correlate imperfectly."""
    values = np.full(10, total // 10)
    values[rng.choice(10, total - int(values.sum()), replace=False)] += 1
    for _ in range(4):
        i, j = rng.choice(10, 2, replace=False)
        if values[i] < 6 and values[j] > 1:
            values[i] += 1
            values[j] -= 1
    assert values.sum() == total and values.min() >= 1 and values.max() <= 6
    return values.tolist()


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    """The growth dataset checked against R (40 people, up to four time points)."""
    return pd.read_csv(REF / "growth.csv")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, scores: pd.DataFrame) -> Path:
    """A database holding the growth dataset as BARC-10 answers, two programmes, and follow-up
    outcomes, written through the store's import API."""
    folder = tmp_path_factory.mktemp("analyse")
    rng = np.random.default_rng(11)
    people = scores.drop_duplicates("subject")
    participants = folder / "participants.csv"
    people.rename(columns={"subject": "participant"})[["participant", "site", "cohort"]].to_csv(
        participants, index=False
    )
    enrolments = folder / "enrolments.csv"
    pd.DataFrame(
        {
            "participant": people["subject"],
            "programme": ["ttg" if s < "ALT-0320" else "twelve_step" for s in people["subject"]],
            "started": "2024-01-01",
        }
    ).to_csv(enrolments, index=False)
    responses = folder / "responses.csv"
    wide = pd.DataFrame(
        [
            {
                "participant": r.subject,
                "timepoint": r.timepoint,
                "administered_at": r.administered_at,
                **{f"q{i + 1}": v for i, v in enumerate(items_for(int(r.score), rng))},
            }
            for r in scores.itertuples()
        ]
    )
    wide.to_csv(responses, index=False)
    activities = folder / "activities.csv"
    pd.DataFrame(
        {
            "participant": ["ALT-0301", "ALT-0303"],
            "activity": "followup_attempt",
            "date": ["2024-06-01", "2024-06-02"],
            "result": ["recalled", "uncontactable"],
            "timepoint": "post_release_12w",
        }
    ).to_csv(activities, index=False)
    path = folder / "recoverycap.db"
    with Store.open(path, library=Library(include_env=False), actor="tester") as store:
        store.import_csv("participants", participants)
        store.import_csv("enrolments", enrolments)
        store.import_csv("responses", responses, instrument="barc10")
        store.import_csv("activities", activities)
    return path


@pytest.fixture
def run(db: Path) -> Iterator:  # type: ignore[type-arg]
    def invoke(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
        result = CliRunner().invoke(
            main,
            ["--db", str(db), *args],
            env={"RECOVERYCAP_INSTRUMENTS": "", "RECOVERYCAP_USER": "tester"},
        )
        assert result.exit_code == code, (result.output, result.exception)
        return result

    yield invoke


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_help_lists_every_command(run) -> None:  # type: ignore[no-untyped-def]
    """`analyse --help` names the five commands."""
    out = run("analyse", "--help").output
    for name in ("change", "trajectory", "reliability", "attrition", "plot"):
        assert name in out


def test_change_table(run, barc10, scores: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """The table says what changed, in words, and which reliability and SD were used."""
    out = run(
        "analyse", "change", "--instrument", "barc10", "--from", "intake", "--to", "release"
    ).output
    expected = paired_change(scores, before="intake", after="release")
    assert f"Everyone: {expected.n_pairs} people were scored on BARC-10 recovery capital" in out
    assert "instrument file: Cronbach's α 0.90" in out
    assert "sample: SD of the intake scores, n = 40" in out
    assert "recovered" in out and "deteriorated" in out


def test_change_csv_matches_the_library(run, scores: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """CSV has the stable columns, and the numbers the library gives on the same scores (the
    stored answers sum to the dataset's scores)."""
    rows = _csv(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--format",
            "csv",
        ).output
    )
    assert list(rows[0]) == list(CHANGE_COLUMNS)
    expected = paired_change(scores, before="intake", after="release")
    assert int(rows[0]["n_pairs"]) == expected.n_pairs
    assert float(rows[0]["t"]) == pytest.approx(expected.t)
    assert float(rows[0]["p_wilcoxon"]) == pytest.approx(expected.p_wilcoxon)


def test_change_by_programme(run) -> None:  # type: ignore[no-untyped-def]
    """--by programme adds a row per programme from the enrolments."""
    rows = _csv(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--by",
            "programme",
            "--format",
            "csv",
        ).output
    )
    assert [r["group"] for r in rows] == ["all", "ttg", "twelve_step"]
    assert sum(int(r["n_pairs"]) for r in rows[1:]) == int(rows[0]["n_pairs"])


def test_change_people_sentences(run, barc10, scores: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """--table people gives one row per person with their sentence, as the library says it."""
    rows = _csv(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--table",
            "people",
            "--format",
            "csv",
        ).output
    )
    assert list(rows[0]) == list(PEOPLE_COLUMNS)
    expected = reliable_change(scores, before="intake", after="release", instrument=barc10)
    assert [r["sentence"] for r in rows] == expected.people["sentence"].tolist()
    text = run(
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "release",
        "--table",
        "people",
    ).output
    assert expected.people["sentence"].iloc[0] in text


def test_change_json_names_sources(run) -> None:  # type: ignore[no-untyped-def]
    """JSON holds every table, the inputs and their sources; NaN is null."""
    doc = json.loads(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--format",
            "json",
        ).output
    )
    assert set(doc) >= {"change", "categories", "people", "reliable_change_inputs", "notes"}
    assert doc["reliable_change_inputs"]["reliability"] == 0.9
    assert doc["reliable_change_inputs"]["sd_source"].startswith("sample: SD")
    assert {c["category"] for c in doc["categories"]} == {
        "recovered",
        "improved",
        "unchanged",
        "deteriorated",
    }


def test_change_user_values_and_sample(run) -> None:  # type: ignore[no-untyped-def]
    """--reliability/--sd are used as given; --sample computes α from the stored item answers."""
    doc = json.loads(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--reliability",
            "0.8",
            "--sd",
            "7",
            "--format",
            "json",
        ).output
    )
    assert doc["reliable_change_inputs"]["reliability_source"] == "given by the user"
    assert doc["reliable_change_inputs"]["sd"] == 7
    doc = json.loads(
        run(
            "analyse",
            "change",
            "--instrument",
            "barc10",
            "--from",
            "intake",
            "--to",
            "release",
            "--sample",
            "--format",
            "json",
        ).output
    )
    assert (
        doc["reliable_change_inputs"]["reliability_source"]
        == "sample: Cronbach's α of the intake item answers, n = 40"
    )
    assert 0 < doc["reliable_change_inputs"]["reliability"] < 1


def test_change_errors_are_plain(run) -> None:  # type: ignore[no-untyped-def]
    """A time point with no scores and conflicting options give messages, not tracebacks."""
    out = run(
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "post_release_26w",
        code=1,
    ).output
    assert "Error:" in out and "post_release_26w" in out and "Traceback" not in out
    out = run(
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "release",
        "--sample",
        "--sd",
        "5",
        code=2,
    ).output
    assert "either --sample or --reliability/--sd" in out
    out = run(
        "analyse", "change", "--instrument", "nosuch", "--from", "intake", "--to", "release", code=1
    ).output
    assert "no instrument with id 'nosuch'" in out


def test_trajectory(run) -> None:  # type: ignore[no-untyped-def]
    """Means, complete-case tests, pairwise tests and the growth model, in words and as CSV."""
    out = run("analyse", "trajectory", "--instrument", "barc10").output
    assert "intake > programme_end > release > post_release_12w" in out
    assert "Pairwise (Holm-corrected)" in out
    assert "BARC-10 recovery capital rose on average by" in out
    rows = _csv(
        run(
            "analyse",
            "trajectory",
            "--instrument",
            "barc10",
            "--table",
            "growth",
            "--format",
            "csv",
        ).output
    )
    assert list(rows[0]) == list(GROWTH_COLUMNS)
    assert rows[1]["term"] == "time" and float(rows[1]["estimate"]) > 0


def test_reliability(run) -> None:  # type: ignore[no-untyped-def]
    """α per scale from the stored answers, with item statistics on request."""
    rows = _csv(run("analyse", "reliability", "--instrument", "barc10", "--format", "csv").output)
    assert list(rows[0]) == list(RELIABILITY_COLUMNS)
    assert rows[0]["scale"] == "total" and int(rows[0]["n"]) == 119
    assert 0 < float(rows[0]["alpha"]) < 1
    items = _csv(
        run(
            "analyse",
            "reliability",
            "--instrument",
            "barc10",
            "--items",
            "--listwise",
            "--format",
            "csv",
        ).output
    )
    assert [r["item"] for r in items] == [f"q{i}" for i in range(1, 11)]


def test_attrition(run) -> None:  # type: ignore[no-untyped-def]
    """Follow-up counts and the reasons logged with `followup`."""
    rows = _csv(run("analyse", "attrition", "--format", "csv").output)
    assert [r["timepoint"] for r in rows] == ["programme_end", "release", "post_release_12w"]
    assert rows[0]["n_baseline"] == "40"
    reasons = _csv(run("analyse", "attrition", "--table", "reasons", "--format", "csv").output)
    week12 = {r["reason"] for r in reasons if r["timepoint"] == "post_release_12w"}
    assert {"recalled", "uncontactable", "none_recorded"} <= week12


@pytest.mark.parametrize(
    ("kind", "extra", "suffix"),
    [
        ("jacobson", ["--from", "intake", "--to", "release"], "png"),
        ("profile", ["--participant", "ALT-0302"], "svg"),
        ("trajectory", ["--by", "site"], "png"),
    ],
)
def test_plot(run, tmp_path: Path, kind: str, extra: list[str], suffix: str) -> None:  # type: ignore[no-untyped-def]
    """Each plot kind writes a non-empty file."""
    path = tmp_path / f"{kind}.{suffix}"
    out = run("analyse", "plot", kind, "--instrument", "barc10", *extra, "-o", str(path)).output
    assert f"Wrote {path}" in out
    assert path.stat().st_size > 5000


def test_plot_needs_png_or_svg(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Another extension is a usage error naming the file."""
    out = run(
        "analyse",
        "plot",
        "trajectory",
        "--instrument",
        "barc10",
        "-o",
        str(tmp_path / "t.pdf"),
        code=2,
    ).output
    assert "t.pdf" in out


def test_change_without_a_reliability_still_shows_the_change(db: Path, tmp_path: Path) -> None:
    """An instrument file with no reliability (here BARC-10 with its reliability line removed,
    given with --instruments-dir): the change is shown and reliable change says why it is not."""
    from recoverycap.registry import bundled_dir

    text = (bundled_dir() / "barc10.toml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("reliability = ")]
    assert len(lines) == len(text.splitlines()) - 1
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "barc10.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = [
        "--db",
        str(db),
        "--instruments-dir",
        str(folder),
        "analyse",
        "change",
        "--instrument",
        "barc10",
        "--from",
        "intake",
        "--to",
        "release",
    ]
    result = CliRunner().invoke(main, args, env={"RECOVERYCAP_INSTRUMENTS": ""})
    assert result.exit_code == 0, result.output
    assert "Everyone: 25 people" in result.output
    assert "Not computed: no reliability for total" in result.output
    result = CliRunner().invoke(
        main, [*args, "--table", "people", "--format", "csv"], env={"RECOVERYCAP_INSTRUMENTS": ""}
    )
    assert result.exit_code == 1 and "no reliability" in result.output
