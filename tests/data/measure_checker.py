"""Measure the free-text checker on held-out questions: prohibited recall, false-prohibition rate,
4-way accuracy, clause hit rate and time per question. Not a test: run it and read the numbers.

    python tests/data/measure_checker.py [FILE.jsonl ...] [--split heldout]

A row needs `question` and `expected_verdict`; `expected_clause` (str) or `expected_clauses` (list) is
optional. "info" and "not_covered" rows are right when the checker stays silent (applies=False or
not_covered) — the answer chain then answers from retrieval."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.extract import check_text  # noqa: E402
from assistant.rules import load_rules  # noqa: E402

FOUR = ("prohibited", "allowed", "conditional", "not_covered")


def measure(rows: list[dict]) -> dict:
    rules = load_rules()
    check_text("预热 / warm up", rules)
    got, times, misses = [], [], []
    for r in rows:
        t0 = time.perf_counter()
        tv = check_text(r["question"], rules)
        times.append((time.perf_counter() - t0) * 1000)
        silent = not tv.applies or tv.decision == "not_covered"
        verdict = "not_covered" if silent else str(tv.decision)
        clauses = [f.clause_id for f in (*tv.fired, *tv.excepted)]
        got.append((r, verdict, clauses))
    exp = lambda r: "not_covered" if r["expected_verdict"] == "info" else r["expected_verdict"]  # noqa: E731
    pro = [(r, v) for r, v, _ in got if exp(r) == "prohibited"]
    non = [(r, v) for r, v, _ in got if exp(r) != "prohibited"]
    four = [(r, v) for r, v, _ in got if r["expected_verdict"] in FOUR]
    with_clause = [(r, c) for r, _, c in got if exp(r) != "not_covered" and _clauses(r)]
    for r, v, c in got:
        if v != exp(r):
            misses.append(f"  {r.get('id', '')} expected {r['expected_verdict']}, got {v}: {r['question'][:60]}")
    return {
        "n": len(rows),
        "prohibited_recall": sum(v == "prohibited" for _, v in pro) / len(pro) if pro else float("nan"),
        "false_prohibition_rate": sum(v == "prohibited" for _, v in non) / len(non) if non else float("nan"),
        "four_way_accuracy": sum(v == exp(r) for r, v in four) / len(four) if four else float("nan"),
        "accuracy_incl_info": sum(v == exp(r) for r, v, _ in got) / len(got),
        "clause_hit": sum(bool(set(_clauses(r)) & set(c)) for r, c in with_clause) / len(with_clause) if with_clause else float("nan"),
        "ms_median": statistics.median(times), "ms_p95": sorted(times)[int(0.95 * (len(times) - 1))], "ms_max": max(times),
        "misses": misses,
    }


def _clauses(r: dict) -> list[str]:
    return [c for c in r.get("expected_clauses") or [r.get("expected_clause")] if c]


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("files", nargs="*", default=[str(ROOT / "tests/data/checker_heldout.jsonl"), str(ROOT / "evals/gold.jsonl")])
    p.add_argument("--split", default="heldout", help="rows with another `split` are skipped (rows without one are kept); `all` keeps every row")
    args = p.parse_args(argv)
    for f in args.files:
        rows = [json.loads(line) for line in Path(f).read_text("utf-8").splitlines() if line.strip()]
        rows = [r for r in rows if args.split == "all" or r.get("split", args.split) == args.split]
        m = measure(rows)
        print(f"{f} [{args.split}] n={m['n']}")
        print(f"  prohibited recall      {m['prohibited_recall']:.3f}   (target ≥ 0.95)")
        print(f"  false prohibition rate {m['false_prohibition_rate']:.3f}   (target ≤ 0.05)")
        print(f"  4-way accuracy         {m['four_way_accuracy']:.3f}   (info rows excluded)")
        print(f"  accuracy incl. info    {m['accuracy_incl_info']:.3f}   (info = checker stays silent)")
        print(f"  clause hit             {m['clause_hit']:.3f}   (an expected clause among fired/excepted)")
        print(f"  time per question      median {m['ms_median']:.2f} ms, p95 {m['ms_p95']:.2f} ms, max {m['ms_max']:.2f} ms")
        print("\n".join(m["misses"]) or "  (no misses)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
