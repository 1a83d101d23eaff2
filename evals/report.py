"""Rendering a run: the terminal table, report.json, report.md and PNG plots.

matplotlib (Agg backend) is imported only inside write_plots, so `python -m evals` without --report
never loads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from .cases import VERDICTS

# (key, label, kind): kind "rate" prints as 0.000, "ms" as milliseconds, "n" as an integer.
ROWS = (
    ("cases", "cases", "n"),
    ("errors", "errors (ask raised)", "n"),
    ("hit_at_1", "hit@1", "rate"),
    ("hit_at_3", "hit@3", "rate"),
    ("expected_cited", "expected cited", "rate"),
    ("all_cited", "all expected cited (strict)", "rate"),
    ("verdict_accuracy", "verdict accuracy", "rate"),
    ("verdict_macro_accuracy", "verdict accuracy, macro over types", "rate"),
    *((f"verdict_accuracy.{v}", f"  verdict accuracy: {v}", "rate") for v in VERDICTS),
    ("prohibited_recall", "prohibited recall", "rate"),
    ("false_prohibition_rate", "false-prohibition rate (lower is better)", "rate"),
    ("not_covered_accuracy", "not_covered accuracy (recall)", "rate"),
    ("info_precision", "info precision (predicted info that is info)", "rate"),
    ("parts_cases", "cases with per-part gold verdicts", "n"),
    ("parts_exact", "  every part's verdict right, in order", "rate"),
    ("part_verdict_accuracy", "  part verdict accuracy", "rate"),
    ("quote_verbatim_rate", "quote verbatim rate", "rate"),
    ("key_fact_coverage", "key-fact coverage", "rate"),
    ("key_fact_quote_coverage", "key-fact coverage, in quotes only", "rate"),
    ("latency_p50_ms", "latency p50 (ms)", "ms"),
    ("latency_p95_ms", "latency p95 (ms)", "ms"),
)
# Rows the baseline column shows (it has no quotes, and its latency is retrieval only).
BASELINE_SKIP = ("errors", "quote_verbatim_rate", "key_fact_quote_coverage", "latency_p50_ms", "latency_p95_ms")
TAG_COLS = (("cases", "n", "n"), ("verdict_accuracy", "verdict", "rate"), ("hit_at_1", "hit@1", "rate"),
            ("hit_at_3", "hit@3", "rate"), ("expected_cited", "cited", "rate"),
            ("key_fact_coverage", "facts", "rate"), ("latency_p50_ms", "p50 ms", "ms"))


def value(metrics: Mapping, key: str):
    if key.startswith("verdict_accuracy."):
        return (metrics.get("verdict_accuracy_by_type") or {}).get(key.split(".", 1)[1])
    return metrics.get(key)


def fmt(v, kind: str) -> str:
    if v is None:
        return "n/a"
    if kind == "n":
        return str(int(v))
    if kind == "ms":
        return f"{v:.0f}"
    return f"{v:.3f}"


def _grid(header: list[str], rows: list[list[str]], *, markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    out += ["  ".join((c.ljust(w) if i == 0 else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    return "\n".join(out)


def metrics_table(run: Mapping, *, markdown: bool = False) -> str:
    m = run["metrics"]
    base = (run.get("baseline") or {}).get("metrics")
    header = ["metric", "assistant"] + (["baseline RAG", "lift"] if base else [])
    rows = []
    for key, label, kind in ROWS:
        row = [label, fmt(value(m, key), kind)]
        if base:
            shown = key not in BASELINE_SKIP
            a, b = value(m, key), value(base, key)
            lift = f"{a - b:+.3f}" if shown and kind == "rate" and a is not None and b is not None else ""
            row += [fmt(b, kind) if shown else "", lift]
        rows.append(row)
    return _grid(header, rows, markdown=markdown)


def confusion_table(conf: Mapping, *, markdown: bool = False) -> str:
    header = ["gold \\ predicted", *conf["predicted"]]
    rows = [[g, *(str(x) for x in row)] for g, row in zip(conf["gold"], conf["matrix"])]
    return _grid(header, rows, markdown=markdown)


def tag_table(tags: Mapping[str, Mapping], *, markdown: bool = False) -> str:
    header = ["tag", *(label for _, label, _ in TAG_COLS)]
    rows = [[t, *(fmt(m.get(k), kind) for k, _, kind in TAG_COLS)] for t, m in tags.items()]
    return _grid(header, rows, markdown=markdown)


def gate_text(g: Mapping | None) -> str:
    if not g:
        return ""
    if g["failures"]:
        lines = [f"GATE FAILED ({g['thresholds']}):"] + [f"  - {f}" for f in g["failures"]]
    else:
        lines = [f"gate passed ({g['thresholds']})"]
    if g.get("skipped"):
        lines.append(f"  (skipped, no such cases in this run: {', '.join(g['skipped'])})")
    if g.get("note"):
        lines.append(f"  note: {g['note']}")
    return "\n".join(lines)


def terminal(run: Mapping) -> str:
    meta = run["meta"]
    parts = [f"gold {meta['gold']} · split {meta['split']} · {meta['cases']} cases · "
             f"model {meta.get('model_id', '?')} · load {meta.get('load_s', 0):.1f} s · "
             f"load average {meta.get('loadavg', '?')} on {meta.get('cpus', '?')} CPUs",
             "", metrics_table(run), "", "Confusion (rows gold, columns predicted):", confusion_table(run["confusion"]),
             "", "Per tag:", tag_table(run["by_tag"])]
    if run.get("gate"):
        parts += ["", gate_text(run["gate"])]
    return "\n".join(parts)


def failures_md(run: Mapping, limit: int = 200) -> str:
    lines = []
    for c in run["cases"]:
        wrong_verdict = c["predicted_verdict"] != c["expected_verdict"]
        if not (wrong_verdict or c["hit_at_1"] is False or c["missing_facts"] or c["error"]):
            continue
        what = []
        if c["error"]:
            what.append(f"error: {c['error']}")
        if wrong_verdict:
            what.append(f"verdict {c['predicted_verdict']} (gold {c['expected_verdict']})")
        if c["hit_at_1"] is False:
            what.append(f"cited {list(c['cited'][:3])} (gold {list(c['expected_clauses'])})")
        if c["missing_facts"]:
            what.append(f"missing facts {list(c['missing_facts'])}")
        lines.append(f"- `{c['id']}`: " + "; ".join(what))
    if len(lines) > limit:
        lines = lines[:limit] + [f"- … {len(lines) - limit} more in report.json"]
    return "\n".join(lines) or "none"


def markdown(run: Mapping, plots: list[str]) -> str:
    meta = run["meta"]
    out = [f"# Evaluation report — {meta['document']}", "",
           f"- gold: `{meta['gold']}` · split: **{meta['split']}** · cases: {meta['cases']}",
           f"- embeddings: `{meta.get('model_id', '?')}` · assistant load: {meta.get('load_s', 0):.1f} s · "
           f"run at {meta['started']}", "", "## Metrics", "", metrics_table(run, markdown=True), ""]
    if run.get("baseline"):
        cfg = run["baseline"]["config"]
        out += [f"Baseline: plain LangChain RAG — {cfg['splitter']}, {cfg['store']}, top-{cfg['top_k']} of "
                f"{cfg['chunks']} chunks, chunks mapped to overlapping clauses, no checker; verdict rule: "
                f"{cfg['verdict_rule']}.", ""]
    if run.get("gate"):
        out += ["## Gate", "", "```", gate_text(run["gate"]), "```", ""]
    out += ["## Confusion matrix", "", confusion_table(run["confusion"], markdown=True), "",
            "## Per tag", "", tag_table(run["by_tag"], markdown=True), ""]
    out += [f"![{p}]({p})" for p in plots] + ([""] if plots else [])
    out += ["## Cases with a wrong verdict, a wrong first citation, missing key facts or an error", "",
            failures_md(run), ""]
    return "\n".join(out)


def write_plots(run: Mapping, out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    # CJK fallback for Chinese tags in custom gold files, when such a font is installed.
    cjk = [f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name or "WenQuanYi" in f.name]
    plt.rcParams["font.sans-serif"] = ["DejaVu Sans", *dict.fromkeys(cjk)]
    names = []

    conf = run["confusion"]
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.imshow(conf["matrix"], cmap="Blues")
    ax.set_xticks(range(len(conf["predicted"])), conf["predicted"], rotation=30, ha="right")
    ax.set_yticks(range(len(conf["gold"])), conf["gold"])
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    peak = max((x for row in conf["matrix"] for x in row), default=0) or 1
    for i, row in enumerate(conf["matrix"]):
        for j, x in enumerate(row):
            ax.text(j, i, str(x), ha="center", va="center", color="white" if x > peak / 2 else "black")
    ax.set_title(f"Verdict confusion ({run['meta']['split']}, n={run['meta']['cases']})")
    fig.tight_layout()
    fig.savefig(out / "confusion.png", dpi=110)
    plt.close(fig)
    names.append("confusion.png")

    tags = run["by_tag"]
    if tags:
        labels = list(tags)
        fig, ax = plt.subplots(figsize=(8, 0.4 * len(labels) + 2))
        ys = range(len(labels))
        va = [tags[t]["verdict_accuracy"] or 0 for t in labels]
        h1 = [tags[t]["hit_at_1"] if tags[t]["hit_at_1"] is not None else 0 for t in labels]
        ax.barh([y + 0.2 for y in ys], va, height=0.4, label="verdict accuracy")
        ax.barh([y - 0.2 for y in ys], h1, height=0.4, label="hit@1")
        ax.set_yticks(list(ys), [f"{t} (n={tags[t]['cases']})" for t in labels])
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
        ax.set_title("Accuracy per tag")
        fig.tight_layout()
        fig.savefig(out / "per_tag_accuracy.png", dpi=110)
        plt.close(fig)
        names.append("per_tag_accuracy.png")

    lat = [c["latency_ms"] for c in run["cases"]]
    if lat:
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.hist(lat, bins=min(40, max(5, len(lat) // 3)))
        for key, style in (("latency_p50_ms", "--"), ("latency_p95_ms", ":")):
            v = run["metrics"][key]
            ax.axvline(v, linestyle=style, color="black", label=f"{key.split('_')[1]} = {v:.0f} ms")
        ax.set_xlabel("answer latency (ms)")
        ax.set_ylabel("questions")
        ax.legend()
        ax.set_title("Latency per question (in process, warm)")
        fig.tight_layout()
        fig.savefig(out / "latency_hist.png", dpi=110)
        plt.close(fig)
        names.append("latency_hist.png")
    return names


def write_report(run: Mapping, out: Path | str) -> list[Path]:
    """report.json, report.md and the PNGs under `out` (created); returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    plots = write_plots(run, out)
    (out / "report.json").write_text(json.dumps(run, ensure_ascii=False, indent=2) + "\n", "utf-8")
    (out / "report.md").write_text(markdown(run, plots), "utf-8")
    return [out / "report.json", out / "report.md", *(out / p for p in plots)]
