"""`python -m evals` — run the gold set through the assistant in process and print the metrics.

    python -m evals [--gold FILE] [--split dev|heldout|all] [--report DIR] [--baseline] [--gate] [--no-readers]

Besides the shipped chain's metrics it prints each reader alone and combined (evals/readers.py).

Exit codes: 0 ok · 1 the gate failed (or the assistant could not load) · 2 bad gold file, thresholds file
or arguments · 130 interrupted. Metric definitions: evals/metrics.py."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tomllib
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence


from .cases import DEFAULT_GOLD, Case, GoldFormatError, load_gold, select
from .metrics import (CaseResult, aggregate, by_tag, check_thresholds, confusion, gate, score_case,
                      suggest_thresholds)

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def run_cases(cases: Sequence[Case], assistant, clause_texts: Mapping[str, str], *,
              progress: bool | None = None) -> list[CaseResult]:
    """Ask every question once (in process) and score it. An exception from ask() is recorded on the
    case (predicted verdict `error`) instead of stopping the run."""
    from tqdm import tqdm

    results = []
    bar = tqdm(cases, desc="eval", unit="q", file=sys.stderr, disable=None if progress is None else not progress)
    for case in bar:
        t = time.perf_counter()
        try:
            answer, error = assistant.ask(case.question).to_dict(), ""
        except Exception as e:  # noqa: BLE001 - one broken case must not hide the others' scores
            answer, error = None, f"{type(e).__name__}: {e}"
        ms = (time.perf_counter() - t) * 1000
        results.append(score_case(case, answer, ms, clause_texts, error=error))
    return results


def load_thresholds(path: Path) -> dict:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
        check_thresholds(data)
    except FileNotFoundError:
        raise GoldFormatError(f"找不到阈值文件 {path} / thresholds file not found: {path}") from None
    except (tomllib.TOMLDecodeError, ValueError) as e:
        raise GoldFormatError(f"阈值文件 {path} 无效：{e} / invalid thresholds file {path}: {e}") from None
    return data


def thresholds_toml(th: Mapping, *, split: str, n: int) -> str:
    """A thresholds.toml text for `th` ({"min": …, "max": …})."""
    day = datetime.now(timezone.utc).date().isoformat()
    lines = ["# Suggested by `python -m evals --suggest-thresholds`: one case of slack per rate.",
             "[meta]", f'split = "{split}"', f'measured = "{day}, {n} cases"', "", "[min]"]
    lines += [f'{_key(k)} = {v:g}' for k, v in th["min"].items()]
    lines += ["", "[max]"] + [f'{_key(k)} = {v:g}' for k, v in th["max"].items()]
    return "\n".join(lines) + "\n"


def _key(name: str) -> str:
    return f'"{name}"' if "." in name else name


def summarize(results: Sequence[CaseResult]) -> dict:
    return {"metrics": aggregate(results), "by_tag": by_tag(results), "confusion": confusion(results)}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals",
                                description="评测问答助手 / evaluate the assistant on the gold set")
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="JSONL 评测集 / gold file (default evals/gold.jsonl)")
    p.add_argument("--split", choices=("dev", "heldout", "all"), default="all", help="which cases (default all)")
    p.add_argument("--report", type=Path, metavar="DIR", help="写出 report.json、report.md 和图 / write a report here")
    p.add_argument("--baseline", action="store_true", help="同时评测朴素 LangChain RAG / also score the plain RAG")
    p.add_argument("--gate", action="store_true", help="低于阈值时退出码为 1 / exit 1 when below thresholds")
    p.add_argument("--thresholds", type=Path, default=DEFAULT_THRESHOLDS, help="阈值文件 / thresholds TOML")
    p.add_argument("--no-readers", action="store_true",
                   help="不单独评测各读者 / skip the per-reader rows (regex alone, learned alone, combined)")
    p.add_argument("--limit", type=int, metavar="N", help="只跑前 N 条 / only the first N cases (smoke runs)")
    p.add_argument("--suggest-thresholds", action="store_true",
                   help="打印按本次结果建议的阈值 TOML / print thresholds just under this run's metrics")
    return p


def main(argv: Sequence[str] | None = None, *, assistant=None, embeddings=None) -> int:
    """Entry point. `assistant` (anything with .ask(q).to_dict() and .corpus) and `embeddings` (for the
    baseline) can be injected, which is how the tests run it without a model."""
    from assistant.cli import guarded

    args = build_parser().parse_args(argv)
    return guarded(lambda: _run(args, assistant, embeddings))


def _run(args, assistant, embeddings) -> int:
    cases = select(load_gold(args.gold), args.split)
    if args.limit is not None:
        cases = cases[: max(args.limit, 0)]
    if not cases:
        raise GoldFormatError(f"{args.gold} 中没有 split={args.split} 的用例 / no cases with split={args.split} "
                              f"in {args.gold}")
    thresholds = load_thresholds(args.thresholds) if args.gate else None  # fail fast, before the model loads

    t0 = time.perf_counter()
    if assistant is None:
        from assistant.chain import Assistant
        from assistant.settings import Settings

        assistant = Assistant.load(Settings.load(), log=_err)
    load_s = time.perf_counter() - t0
    corpus = getattr(assistant, "corpus", None)
    if corpus is None:
        from assistant.document import load_corpus
        from assistant.settings import Settings

        corpus = load_corpus(Settings.load().corpus_dir)
    clause_texts = {c.clause_id: c.text for c in corpus.clauses}
    unknown = sorted({cid for c in cases for cid in c.expected_clauses if cid not in clause_texts})
    if unknown:
        _err(f"警告：评测集引用了不存在的条款 / warning: the gold file cites unknown clauses: {', '.join(unknown)}")

    settings = getattr(assistant, "settings", None)
    run: dict = {
        "meta": {"gold": str(args.gold), "split": args.split, "cases": len(cases),
                 "document": getattr(getattr(corpus, "document", None), "doc_id", "?"),
                 "model_id": getattr(settings, "model_id", "?"), "load_s": round(load_s, 3),
                 "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "python": platform.python_version(), "machine": platform.machine(),
                 "cpus": os.cpu_count(), "loadavg": round(os.getloadavg()[0], 2)},
    }
    results = run_cases(cases, assistant, clause_texts)
    run.update(summarize(results))
    if not args.no_readers:
        from .readers import reader_rows

        run["readers"] = reader_rows(cases, assistant, results, clause_texts, run_cases=run_cases, split=args.split)

    if args.baseline:
        from .baseline import run_baseline

        if embeddings is None:
            from assistant.embed import make_embeddings

            embeddings = make_embeddings(settings)
        text = corpus.document.path.read_text("utf-8")
        base, config = run_baseline(cases, text=text, clauses=corpus.clauses, embeddings=embeddings,
                                    progress=None)
        run["baseline"] = {"config": config, **summarize(base),
                           "cases": [asdict(r) for r in base]}

    if thresholds is not None:
        failures, skipped = gate(run["metrics"], thresholds)
        calibrated = (thresholds.get("meta") or {}).get("split")
        note = (f"thresholds were calibrated on split {calibrated!r}, this run is {args.split!r}"
                if calibrated and calibrated != args.split else "")
        run["gate"] = {"thresholds": str(args.thresholds), "failures": failures, "skipped": skipped,
                       "passed": not failures, "note": note}
    run["cases"] = [asdict(r) for r in results]

    from .report import terminal, write_report

    print(terminal(run))
    if run.get("readers"):
        from .readers import table

        print(table(run["readers"]))
    if args.suggest_thresholds:
        print("\n" + thresholds_toml(suggest_thresholds(run["metrics"]), split=args.split, n=len(cases)))
    if args.report:
        written = write_report(run, args.report)
        _err(f"报告已写入 / report written: {', '.join(str(p) for p in written)}")
    if run.get("gate") and run["gate"]["failures"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
