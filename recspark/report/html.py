"""``<reports>/index.html``: one self-contained page per dataset.

Built from the verdicts the gate keeps in ``<reports>/verdicts/`` and the planted truth in
the manifest; no Spark, no network: inline CSS, no scripts, no external fonts or images.
For each model version: the verdict badge, the headline metrics with their confidence
intervals, the checks that did not pass, and the user-class by product-class heatmap of
recommendation shares beside the planted affinity matrix. Links go to the GX Data Docs.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
from collections.abc import Sequence
from html import escape
from typing import Any

from recspark.gate import VERDICTS

INDEX = "index.html"
HEADLINE = (
    ("user_coverage", "user coverage"),
    ("fill_rate", "fill rate"),
    ("top_class_share", "top-class share"),
    ("normalized_affinity", "normalized affinity"),
    ("ndcg", "NDCG@k"),
    ("class_order_tau", "class-order τ"),
    ("disliked_share", "disliked share"),
    ("coherence", "coherence"),
)
SUMMARY = ("normalized_affinity", "top_class_share", "ndcg", "user_coverage")

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:1100px;
color:#1f2328;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin:0}h3{font-size:1rem;margin:1rem 0 .4rem}
.muted{color:#59636e}.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;font-weight:700;
font-size:.85rem;color:#fff;letter-spacing:.04em}.PASS{background:#1a7f37}.WARN{background:#9a6700}
.FAIL{background:#cf222e}table{border-collapse:collapse;margin:.3rem 0 1rem}
td,th{border:1px solid #d1d9e0;padding:.25rem .55rem;text-align:right;font-variant-numeric:tabular-nums}
th{background:#f6f8fa}td.l,th.l{text-align:left}section.version{border:1px solid #d1d9e0;border-radius:.5rem;
padding:1rem 1.2rem;margin:1.2rem 0}.head{display:flex;gap:.8rem;align-items:center;flex-wrap:wrap}
.maps{display:flex;gap:2rem;flex-wrap:wrap}table.heat td{width:3.4rem;text-align:center}
code{background:#f6f8fa;padding:.05rem .3rem;border-radius:.25rem}
"""


def build_report(reports: str, manifest: dict[str, Any], *, dataset: str) -> str:
    """Write ``<reports>/index.html`` from the kept verdicts; return its path."""
    verdicts = load_verdicts(reports)
    page = render(verdicts, manifest, dataset=dataset, reports=reports)
    os.makedirs(reports, exist_ok=True)
    path = os.path.join(reports, INDEX)
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(page)
    os.replace(tmp, path)
    return path


def load_verdicts(reports: str) -> list[dict[str, Any]]:
    """The kept verdicts, oldest decision first."""
    found = []
    for path in sorted(glob.glob(os.path.join(reports, VERDICTS, "*.json"))):
        with open(path, encoding="utf-8") as handle:
            found.append(json.load(handle))
    return sorted(found, key=lambda v: (str(v.get("decided_at", "")), str(v.get("subject", ""))))


def render(verdicts: Sequence[dict[str, Any]], manifest: dict[str, Any], *, dataset: str, reports: str) -> str:
    models = [v for v in verdicts if v.get("kind", "model") == "model"]
    data = [v for v in verdicts if v.get("kind") == "data"]
    docs = _docs_link(reports, verdicts)
    users, products = manifest.get("users", {}), manifest.get("products", {})
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>recspark report: {escape(dataset)}</title><style>{CSS}</style></head><body>",
        f"<h1>recspark report: <code>{escape(dataset)}</code></h1>",
        f'<p class="muted">{_sizes(users, products, manifest)} · seed {escape(str(manifest.get("seed", "?")))} · '
        f"built {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}</p>",
        _summary(models, data),
    ]
    if docs:
        parts.append(f'<p>Every expectation, with the rows it failed on: <a href="{escape(docs)}">Great Expectations Data Docs</a>.</p>')
    for verdict in models:
        parts.append(_version_section(verdict, manifest))
    for verdict in data:
        parts.append(_data_section(verdict))
    if not verdicts:
        parts.append("<p>No verdicts yet: run <code>recspark evaluate</code> or <code>recspark demo</code>.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _sizes(users: dict[str, Any], products: dict[str, Any], manifest: dict[str, Any]) -> str:
    tables = manifest.get("tables", {})
    events = tables.get("interactions", {}).get("rows")
    text = f"{sum(users.get('counts', [])):,} users, {sum(products.get('counts', [])):,} products"
    return text + (f", {int(events):,} interactions" if events is not None else "")


def _badge(verdict: str) -> str:
    return f'<span class="badge {escape(verdict)}">{escape(verdict)}</span>'


def _summary(models: Sequence[dict[str, Any]], data: Sequence[dict[str, Any]]) -> str:
    rows = ['<table class="summary"><tr><th class="l">version</th><th class="l">verdict</th>'
            '<th class="l">against</th>' + "".join(f"<th>{escape(_label(m))}</th>" for m in SUMMARY) + "</tr>"]
    for v in models:
        subject = str(v.get("subject", "?"))
        metrics = v.get("metrics", {})
        cells = "".join(f"<td>{_num(metrics.get(m))}</td>" for m in SUMMARY)
        rows.append(f'<tr><td class="l"><a href="#v-{escape(_anchor(subject))}">{escape(subject)}</a></td>'
                    f'<td class="l">{_badge(str(v.get("verdict")))}</td>'
                    f'<td class="l">{escape(str(v.get("baseline") or "floors only"))}</td>{cells}</tr>')
    for v in data:
        rows.append(f'<tr><td class="l">data suite</td><td class="l">{_badge(str(v.get("verdict")))}</td>'
                    f'<td class="l">planted plan</td>' + "<td></td>" * len(SUMMARY) + "</tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _version_section(v: dict[str, Any], manifest: dict[str, Any]) -> str:
    subject = str(v.get("subject", "?"))
    against = f"against baseline <b>{escape(str(v['baseline']))}</b>" if v.get("baseline") else "floors only"
    out = [f'<section class="version" id="v-{escape(_anchor(subject))}">',
           f'<div class="head"><h2>{escape(subject)}</h2>{_badge(str(v.get("verdict")))}'
           f'<span class="muted">{against} · k={escape(str(v.get("k", "?")))} · decided {escape(str(v.get("decided_at", "")))}</span></div>',
           "<h3>Headline metrics (95% confidence intervals)</h3>", _metrics_table(v.get("intervals", {}))]
    out.append(_checks_table(v.get("checks", [])))
    shares = v.get("class_shares") or {}
    out.append('<div class="maps">')
    out.append(_heatmap("Recommended class shares",
                        shares.get("users") or manifest.get("users", {}).get("names", []),
                        shares.get("products") or manifest.get("products", {}).get("names", []),
                        shares.get("shares") or []))
    out.append(_heatmap("Planted affinity A",
                        manifest.get("users", {}).get("names", []), manifest.get("products", {}).get("names", []),
                        manifest.get("affinity", [])))
    out.append("</div>")
    out.append('<p class="muted">Row Ui, column Pj: the share of Ui users\' recommendations that are Pj products '
               '(left), and the probability that a Ui user likes a Pj product (right). A sensible recommender '
               'puts its weight where A is high.</p></section>')
    return "\n".join(out)


def _metrics_table(intervals: dict[str, Any]) -> str:
    rows = ['<table><tr><th class="l">metric</th><th>value</th><th>95% interval</th><th>n</th></tr>']
    for key, label in HEADLINE:
        entry = intervals.get(key)
        if entry is None:
            continue
        low, high = entry.get("lower"), entry.get("upper")
        interval = "" if low is None or high is None or low == high else f"[{_num(low)}, {_num(high)}]"
        rows.append(f'<tr><td class="l">{escape(label)}</td><td>{_num(entry.get("value"))}</td>'
                    f"<td>{interval}</td><td>{_count(entry.get('n'))}</td></tr>")
    rows.append("</table>")
    return "\n".join(rows)


def _checks_table(checks: Sequence[dict[str, Any]]) -> str:
    failing = [c for c in checks if c.get("status") != "PASS"]
    if not failing:
        return f'<p>All {len(checks)} checks passed.</p>'
    shown = failing[:25]
    rows = [f"<h3>Checks not passed ({len(failing)} of {len(checks)})</h3>",
            '<table><tr><th class="l">status</th><th class="l">suite</th><th class="l">check</th>'
            '<th>observed</th><th class="l">threshold</th></tr>']
    for c in shown:
        rows.append(f'<tr><td class="l">{_badge(str(c.get("status")))}</td><td class="l">{escape(str(c.get("suite")))}</td>'
                    f'<td class="l">{escape(str(c.get("check")))}</td><td>{_num(c.get("observed"))}</td>'
                    f'<td class="l">{escape(json.dumps(c.get("threshold")))}</td></tr>')
    rows.append("</table>")
    if len(failing) > len(shown):
        rows.append(f'<p class="muted">… and {len(failing) - len(shown)} more in verdict.json and the Data Docs.</p>')
    return "\n".join(rows)


def _heatmap(title: str, rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[Any]]) -> str:
    out = [f'<div><h3>{escape(title)}</h3><table class="heat"><tr><th></th>'
           + "".join(f"<th>{escape(str(c))}</th>" for c in columns) + "</tr>"]
    for name, row in zip(rows, values, strict=False):
        cells = []
        for value in row:
            if value is None:
                cells.append('<td class="muted">&ndash;</td>')
                continue
            share = max(0.0, min(1.0, float(value)))
            shade = f"rgb({int(255 - 200 * share)},{int(255 - 150 * share)},{int(255 - 40 * share)})"
            ink = "#fff" if share > 0.55 else "#1f2328"
            cells.append(f'<td style="background:{shade};color:{ink}">{float(value):.2f}</td>')
        out.append(f"<tr><th>{escape(str(name))}</th>{''.join(cells)}</tr>")
    if not values:
        out.append(f'<tr><td colspan="{len(columns) + 1}" class="muted">not recorded</td></tr>')
    out.append("</table></div>")
    return "\n".join(out)


def _data_section(v: dict[str, Any]) -> str:
    return "\n".join([
        '<section class="version" id="data-suite">',
        f'<div class="head"><h2>Data suite: {escape(str(v.get("subject")))}</h2>{_badge(str(v.get("verdict")))}'
        f'<span class="muted">decided {escape(str(v.get("decided_at", "")))}</span></div>',
        _checks_table(v.get("checks", [])),
        "</section>",
    ])


def _docs_link(reports: str, verdicts: Sequence[dict[str, Any]]) -> str | None:
    for v in reversed(verdicts):
        docs = v.get("data_docs")
        if docs:
            docs = str(docs)
            if docs.startswith("file://"):
                docs = docs[len("file://"):]
            absolute = os.path.abspath(docs)
            root = os.path.abspath(reports)
            if absolute.startswith(root + os.sep):
                return os.path.relpath(absolute, root)
            return "file://" + absolute
    return None


def _label(metric: str) -> str:
    return dict(HEADLINE).get(metric, metric)


def _anchor(subject: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in subject)


def _num(value: Any) -> str:
    if value is None:
        return "&ndash;"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return escape(str(value))


def _count(value: Any) -> str:
    return f"{int(value):,}" if isinstance(value, int | float) else "&ndash;"
