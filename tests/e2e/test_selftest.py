"""`recspark selftest` end to end, and its HTML report rendered in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from recspark.cli import cli
from tests.builders import tiny_overrides

DATASET = "selftest"
CASES = {
    "V1": "PASS",
    "selftest-retrain": "PASS",
    "selftest-noise": "WARN",
    "selftest-random": "FAIL",
    "selftest-shuffle": "FAIL",
    "selftest-empty": "FAIL",
    "selftest-popularity": "FAIL",
}
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
)


@pytest.fixture(scope="module")
def selftest_run(spark, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    runner = CliRunner()
    lake = tmp_path_factory.mktemp("selftest-lake")
    where = ["--lake", str(lake), "--dataset", DATASET]
    generate = ["generate", *where, "--set", "interactions.mean_per_user=12"]
    for item in tiny_overrides():
        if not item.startswith("interactions.mean_per_user"):
            generate += ["--set", item]
    assert runner.invoke(cli, generate).exit_code == 0
    result = runner.invoke(cli, ["selftest", *where, "--model-set", "als.blocks=2"])
    return lake, result


@pytest.mark.slow
def test_selftest_scores_every_case_as_expected(selftest_run: tuple[Path, Result]) -> None:
    lake, result = selftest_run
    assert result.exit_code == 0, result.output
    for version, expected in CASES.items():
        line = next(line for line in result.output.splitlines() if f" {version} " in line)
        assert re.search(rf"\s{expected}\s+{expected}\s+ok", line), line
    assert "7 of 7 verdicts as expected; mutation score 5/5 mutants caught" in result.output
    kept = {p.stem for p in (lake / DATASET / "reports" / "verdicts").glob("*.json")}
    assert kept == {f"model-{v}" for v in CASES}
    noise = json.loads((lake / DATASET / "reports" / "verdicts" / "model-selftest-noise.json").read_text())
    assert noise["verdict"] == "WARN" and noise["baseline"] == "V1"
    assert len(noise["class_shares"]["shares"]) == 5


@pytest.mark.slow
def test_selftest_names_the_case_a_gate_gets_wrong(selftest_run: tuple[Path, Result], tmp_path: Path) -> None:
    lake, _ = selftest_run
    # With no comparison margins left, the noise mutant is no longer caught: selftest must say so.
    result = CliRunner().invoke(cli, ["selftest", "--lake", str(lake), "--dataset", DATASET,
                                      "--reports", str(tmp_path / "reports"), "--only", "noise",
                                      "--gate-set", "comparison.warn_margin=1.0",
                                      "--gate-set", "comparison.fail_margin=1.0"])
    assert result.exit_code == 1, result.output
    assert "noise (V2: slightly worse) (selftest-noise) expected WARN, got PASS" in result.output
    assert "1 of 2 verdicts as expected" in result.output and "selftest-random" not in result.output


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if found is None:
        pytest.fail("headless Chromium is needed to render the report: `make test` installs Debian's chromium")
    return found


def rendered_text(page: Path, work: Path) -> str:
    """The page's text as Chromium lays it out (document.body.innerText), read back through --dump-dom."""
    probe = work / "probe.html"
    marker = "recspark-rendered-text"
    script = (f"<script>var p=document.createElement('pre');p.id='{marker}';"
              "p.textContent=document.body.innerText;document.body.appendChild(p);</script>")
    probe.write_text(page.read_text().replace("</body>", script + "</body>"))
    dom = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    found = re.search(rf'<pre id="{marker}">(.*?)</pre>', dom, re.S)
    assert found, dom[:500]
    return html.unescape(found.group(1))


@pytest.mark.slow
def test_report_shows_every_version_and_verdict_in_chromium(
    selftest_run: tuple[Path, Result], tmp_path: Path
) -> None:
    lake, _ = selftest_run
    page = lake / DATASET / "reports" / "index.html"
    text = rendered_text(page, tmp_path)
    summary = text[: text.index("Every expectation")]
    for version, verdict in CASES.items():
        assert re.search(rf"^{re.escape(version)}\s+{verdict}\b", summary, re.M), (version, summary)
    assert "Planted affinity A" in text and "Recommended class shares" in text
    assert "normalized affinity" in text and "95% interval" in text
    shot = tmp_path / "report.png"
    subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile2'}", "--window-size=1200,1600",
         f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


@pytest.mark.slow
def test_report_is_self_contained_and_links_the_data_docs(selftest_run: tuple[Path, Result]) -> None:
    lake, _ = selftest_run
    reports = lake / DATASET / "reports"
    source = (reports / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", source)
    assert "@import" not in source and "url(" not in source and "<script" not in source
    links = re.findall(r'href="([^"#]+)"', source)
    assert links and all((reports / link).is_file() for link in links)
