"""The organisation's configuration file: defaults, loading and readable errors."""

from __future__ import annotations

import pytest

from recoverycap.config import (
    DEFAULT_SAFEGUARDING,
    Config,
    default_location,
    did_you_mean,
    load_config,
    render,
)
from recoverycap.errors import ConfigError
from recoverycap.schedule import Schedule, ScheduleFileError

GOOD = """
[organisation]
name = "The Well"
sites = ["HMP Altcourse", "Barrow hub"]

[safeguarding]
instruction = "Stop the survey and tell the duty manager now."

[wording]
client = "prisoners"

[privacy]
min_group = 6

[[schedule]]
timepoint = "post_release_52w"
anchor = "release"
offset_days = 364
window_days = 28
"""


def test_no_file_at_the_default_location_means_defaults(tmp_path, monkeypatch):
    """The default location may be absent: the defaults (min_group 5, the default safeguarding
    instruction) apply."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = default_location()
    assert path == tmp_path / "xdg" / "recoverycap" / "config.toml" and not path.exists()
    cfg = load_config(path)
    assert (cfg.organisation, cfg.min_group, cfg.safeguarding_instruction) == (
        "recoverycap",
        5,
        DEFAULT_SAFEGUARDING,
    )
    assert cfg.path.endswith("config.toml")
    assert load_config(None) == Config()


def test_a_named_file_that_does_not_exist_is_refused(tmp_path, monkeypatch):
    """A path given with --config or RECOVERYCAP_CONFIG must exist: a typo is not silently
    replaced by the defaults (which would drop the organisation's min_group and instruction)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    missing = tmp_path / "absent.toml"
    with pytest.raises(ConfigError) as info:
        load_config(missing)
    assert str(info.value).startswith(f"configuration file not found: {missing}")
    assert "--config or RECOVERYCAP_CONFIG" in str(info.value)
    assert load_config(missing, must_exist=False).min_group == 5  # asked for explicitly
    with pytest.raises(ConfigError):
        load_config(default_location(), must_exist=True)


def test_sites_are_checked_when_configured(tmp_path):
    """With sites listed, a site not among them is refused with the list and a suggestion."""
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    cfg = load_config(path)
    assert cfg.check_site("Barrow hub") == "Barrow hub"
    with pytest.raises(ConfigError) as info:
        cfg.check_site("HMP Altcorse")
    text = str(info.value)
    assert "no site 'HMP Altcorse' in the configuration's [organisation] sites" in text
    assert "did you mean 'HMP Altcourse'?" in text
    assert "the sites are: HMP Altcourse, Barrow hub; got 'HMP Altcorse'" in text
    with pytest.raises(ConfigError, match="did you mean 'Barrow hub'"):
        cfg.check_site("barrow hub")  # sites are matched exactly; the suggestion ignores case
    assert "did you mean" not in _message(cfg, "Nowhere")
    assert Config().check_site("Anywhere") == "Anywhere"  # no sites configured: not checked


def _message(cfg, site):
    with pytest.raises(ConfigError) as info:
        cfg.check_site(site)
    return str(info.value)


def test_did_you_mean():
    assert did_you_mean("intke", ["intake", "release"]) == "; did you mean 'intake'?"
    assert did_you_mean("zzz", ["intake"]) == ""
    assert did_you_mean("x", []) == ""


def test_a_full_file_loads(tmp_path):
    """Every section is read."""
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    cfg = load_config(path)
    assert cfg.organisation == "The Well"
    assert cfg.sites == ("HMP Altcourse", "Barrow hub")
    assert cfg.min_group == 6
    assert dict(cfg.substitutions) == {"client": "prisoners"}
    assert Schedule.for_config(cfg).ids == ("post_release_52w",)
    text = render(cfg)
    assert (
        "The Well" in text
        and "HMP Altcourse, Barrow hub" in text
        and "smallest group shown in aggregates: 6" in text
    )


@pytest.mark.parametrize(
    ("toml", "field", "message"),
    [
        (
            "[organisaton]\nname = 'x'\n",
            "organisaton",
            "unknown section; allowed: organisation, privacy",
        ),
        (
            "[organisation]\nnmae = 'x'\n",
            "[organisation]",
            "unknown key 'nmae'; allowed: name, sites",
        ),
        (
            "[privacy]\nmin_group = 3\n",
            "[privacy] min_group",
            "must be a whole number of at least 5; got 3",
        ),
        ("[privacy]\nmin_group = 5.5\n", "[privacy] min_group", "got 5.5"),
        ("[privacy]\nmin_group = true\n", "[privacy] min_group", "got True"),
        (
            "[organisation]\nsites = 'Altcourse'\n",
            "[organisation] sites",
            "must be a list of site names",
        ),
        (
            "[safeguarding]\ninstruction = ' '\n",
            "[safeguarding] instruction",
            "must say what the worker should do",
        ),
        ("schedule = 'weekly'\n", "[[schedule]]", "must be a list of tables"),
    ],
)
def test_errors_name_the_file_field_and_what_is_allowed(tmp_path, toml, field, message):
    """Each mistake is reported with the file, the key, what is allowed and what was given."""
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = info.value.problems
    assert [p.field for p in problems] == [field]
    assert message in problems[0].message
    assert problems[0].where == str(path)


def test_every_problem_is_listed_at_once(tmp_path):
    """Three mistakes, three problems, one error."""
    path = tmp_path / "config.toml"
    path.write_text("[extra]\n[organisation]\nnme = 'x'\n[privacy]\nmin_group = 4\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert len(info.value.problems) == 3
    assert "3 problem(s)" in str(info.value)


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[organisation\n")
    with pytest.raises(ConfigError, match="config.toml: not valid TOML"):
        load_config(path)


def test_bad_schedule_entries_are_reported_against_the_config_file(tmp_path):
    """[[schedule]] entries are checked by the schedule's linter, naming the config file."""
    path = tmp_path / "config.toml"
    path.write_text("[[schedule]]\ntimepoint = 'week4'\nanchor = 'released'\n")
    cfg = load_config(path)
    with pytest.raises(ScheduleFileError) as info:
        Schedule.for_config(cfg)
    (problem,) = info.value.problems
    assert problem.where == f"{path} [[schedule]] entry 1 (week4)"
    assert problem.field == "anchor"
    assert (
        "must be one of enrolment_start, enrolment_end, release; got 'released'" in problem.message
    )
