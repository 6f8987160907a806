"""The HTML report from kept verdicts: pure Python, no Spark."""

from __future__ import annotations

import json
from pathlib import Path

from recspark.gate import VERDICTS
from recspark.report.html import build_report

MANIFEST = {
    "seed": 42,
    "users": {"names": ["U0", "U1"], "counts": [10, 10]},
    "products": {"names": ["P0", "P1"], "counts": [5, 5]},
    "affinity": [[0.9, 0.1], [0.1, 0.9]],
    "tables": {"interactions": {"rows": 123}},
}


def _keep(reports: Path, name: str, verdict: dict) -> None:
    folder = reports / VERDICTS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(verdict))


def test_report_lists_versions_in_decision_order_with_badges_and_intervals(tmp_path: Path) -> None:
    docs = tmp_path / "data_docs" / "index.html"
    docs.parent.mkdir()
    docs.write_text("<html></html>")
    _keep(tmp_path, "model-V2", {
        "verdict": "WARN", "subject": "V2", "decided_at": "2026-12-04T10:00:02", "kind": "model", "baseline": "V1",
        "data_docs": str(docs), "k": 20, "metrics": {"normalized_affinity": 0.41},
        "intervals": {"normalized_affinity": {"value": 0.41, "lower": 0.40, "upper": 0.42, "n": 20}},
        "checks": [{"suite": "comparison", "check": "ndcg vs baseline (warn margin)", "observed": -0.08,
                    "threshold": ">= -0.05", "status": "WARN"}],
        "class_shares": {"users": ["U0", "U1"], "products": ["P0", "P1"], "shares": [[0.7, 0.3], [0.2, 0.8]]},
    })
    _keep(tmp_path, "model-V1", {
        "verdict": "PASS", "subject": "V1", "decided_at": "2026-12-04T10:00:01", "kind": "model",
        "data_docs": str(docs), "metrics": {}, "intervals": {}, "checks": [{"status": "PASS"}],
    })
    _keep(tmp_path, "model-x", {"verdict": "FAIL", "subject": "<b>x</b>", "decided_at": "2026-12-04T10:00:03",
                                "checks": []})
    _keep(tmp_path, "data-demo", {"verdict": "PASS", "subject": "demo", "kind": "data",
                                  "decided_at": "2026-12-04T09:00:00", "checks": [{"status": "PASS"}] * 3})
    page = Path(build_report(str(tmp_path), MANIFEST, dataset="demo")).read_text()
    assert page.index('id="v-V1"') < page.index('id="v-V2"') < page.index('id="v--b-x--b-"')
    assert '<span class="badge WARN">WARN</span>' in page and '<span class="badge FAIL">FAIL</span>' in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert "[0.400, 0.420]" in page
    assert "ndcg vs baseline (warn margin)" in page and "Checks not passed (1 of 1)" in page
    assert "All 1 checks passed." in page and "All 3 checks passed." in page
    assert 'href="data_docs/index.html"' in page
    assert ">0.70</td>" in page and ">0.90</td>" in page  # recommended shares and planted A
    assert "not recorded" in page  # V1 kept no class shares
    assert "20 users, 10 products, 123 interactions" in page


def test_report_without_verdicts_says_what_to_run(tmp_path: Path) -> None:
    page = Path(build_report(str(tmp_path / "reports"), MANIFEST, dataset="empty")).read_text()
    assert "No verdicts yet" in page and "recspark evaluate" in page
