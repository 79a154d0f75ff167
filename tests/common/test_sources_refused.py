"""Bad operator input in a source file is refused when the file is loaded, naming file and field
(issue 12, item 5): unknown keys and tables with a did-you-mean, ranges, host names, language
codes, XPaths and cron schedules."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.sources import SourceConfigError, load_source, load_sources, read_registry
from tests.fixtures.source_files import VALID, write


def test_the_valid_file_loads(tmp_path: Path) -> None:
    source = load_source(write(tmp_path, VALID))
    assert source.schedule == "0 5 * * *" and source.prune_xpaths and source.politeness.max_error_rate == 0.2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # Typos of keys and tables, each with the name it was probably meant to be.
        (("enabled = true", "enabled = true\nenabeld = false"), r"unknown key 'enabeld' in the top level; did you mean 'enabled'\?"),
        (("enabled = true", "enabeld = true"), r"field enabled is missing \(the file has 'enabeld': a typo\?\)"),
        (("[politeness]", "[politness]"), r"unknown table 'politness' in the top level; did you mean 'politeness'\?"),
        (("max_error_rate = 0.2", "max_eror_rate = 0.2"), r"unknown key 'max_eror_rate' in \[politeness\]; did you mean 'max_error_rate'\?"),
        (("revisit_hours = 24", "revisit_hour = 24"), r"unknown key 'revisit_hour' in \[incremental\]; did you mean 'revisit_hours'\?"),
        (('timezone = "Europe/Berlin"', 'naive_timezone = "Europe/Berlin"'), r"unknown key 'naive_timezone' in the top level; did you mean 'timezone'\?"),
        (('feeds = ["https://www.example.com/feed.xml"]', 'feeds = ["https://www.example.com/feed.xml"]\nsitemap = ["https://www.example.com/s.xml"]'),
         r"unknown key 'sitemap' in \[discovery\]; did you mean 'sitemaps'\?"),
        (("[urls]", "[urls]\nallowed = ['x']"), r"unknown key 'allowed' in \[urls\]; did you mean 'allow'\?"),
        # Values out of range.
        (("download_delay = 1.0", "download_delay = -1"), r"field politeness.download_delay must be >= 0"),
        (("max_error_rate = 0.2", "max_error_rate = 20"), r"field politeness.max_error_rate is a share of pages between 0 and 1"),
        (("[politeness]", "[politeness]\nconcurrency_per_domain = 0"), r"field politeness.concurrency_per_domain must be >= 1"),
        # Host names written as URLs, with ports or paths.
        (('domains = ["www.example.com"]', 'domains = ["https://www.example.com/"]'),
         r"field domains: 'https://www.example.com/' is not a bare host name \(write 'www.example.com'"),
        (('domains = ["www.example.com"]', 'domains = ["www.example.com:8080"]'), r"field domains: 'www.example.com:8080' is not a bare host name"),
        (('domains = ["www.example.com"]', 'domains = ["www.example.com/news"]'), r"is not a bare host name"),
        # Language codes.
        (('language = "en"', 'language = "english"'), r"field language: 'english' is not an ISO 639-1 code"),
        (('language = "en"', 'language = "EN"'), r"field language: 'EN' is not an ISO 639-1 code.*did you mean 'en'\?"),
        (('language = "en"', 'language = "eng"'), r"field language: 'eng' is not an ISO 639-1 code"),
        (('language = "en"', 'language = "xx"'), r"field language: 'xx' is not an ISO 639-1 code"),
        # XPaths that do not compile, cron that is not cron.
        (("//section[contains(@class, 'related')]", "//section[contains(@class, 'related')"),
         r"field extraction.prune_xpaths: .* is not a valid XPath"),
        (('schedule = "0 5 * * *"', 'schedule = "every day at 5"'), r"field schedule: 'every day at 5' is not a cron schedule"),
        (('schedule = "0 5 * * *"', 'schedule = "0 25 * * *"'), r"field schedule: '0 25 \* \* \*' is not a cron schedule"),
        (('schedule = "0 5 * * *"', 'schedule = "0 5 * *"'), r"is not a cron schedule"),
    ],
)
def test_bad_input_is_refused_naming_the_file_and_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in VALID
    path = write(tmp_path, VALID.replace(*change, 1))
    with pytest.raises(SourceConfigError, match=message) as error:
        load_source(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize("schedule", ["@daily", "*/30 * * * *", "15 4 * * mon-fri"])
def test_cron_schedules_airflow_takes_are_accepted(tmp_path: Path, schedule: str) -> None:
    source = load_source(write(tmp_path, VALID.replace('"0 5 * * *"', f'"{schedule}"')))
    assert source.schedule == schedule


@pytest.mark.parametrize("language", ["ar", "de", "he", "zh", "sw", "fa"])
def test_any_iso_639_1_language_is_accepted(tmp_path: Path, language: str) -> None:
    assert load_source(write(tmp_path, VALID.replace('"en"', f'"{language}"'))).language == language


def test_a_broken_file_disables_only_its_own_source(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, VALID)
    broken = write(tmp_path, VALID.replace('slug = "example"', 'slug = "other"').replace("[politeness]", "[politness]"),
                   "other.toml")
    registry = read_registry([tmp_path])
    assert set(registry.sources) == {"example"}
    assert list(registry.broken) == [broken] and "politness" in str(registry.broken[broken])
    with caplog.at_level("ERROR", logger="scrapers.sources"):
        assert set(load_sources([tmp_path])) == {"example"}
    assert str(broken) in caplog.text and "disabled" in caplog.text
    with pytest.raises(SourceConfigError, match="politness"):
        load_sources([tmp_path], strict=True)
