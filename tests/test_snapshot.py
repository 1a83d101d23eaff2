"""Snapshot of what users get for every gold question: the verdict and the rule clauses behind it.

Any change to reading, rules or composing moves some of these; the test fails with the diff (counts of verdict
moves, then each changed question), so every change shows exactly which answers it moved. When the moves are
intended, regenerate and commit the snapshot with the diff summary in the commit message:

    pytest tests/test_snapshot.py --update-snapshot          # fast: the checker on every gold question
    pytest tests/test_snapshot.py --update-snapshot -m slow  # the shipped answers (real model and index)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals.cases import load_gold

HERE = Path(__file__).resolve().parent / "snapshots"
SHOWN = 40  # changed questions printed in full; the counts cover all of them


def _write(path: Path, rows: dict[str, dict]) -> None:
    lines = [json.dumps({"id": k, **v}, ensure_ascii=False) for k, v in rows.items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _read(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    rows = (json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip())
    return {r.pop("id"): r for r in rows}


def diff(old: dict[str, dict], new: dict[str, dict], questions: dict[str, str]) -> str:
    """Human-readable difference: verdict moves counted, then each changed question (old → new)."""
    changed = [k for k in new if old.get(k) != new[k]] + [k for k in old if k not in new]
    moves = Counter(f"{old.get(k, {}).get('verdict', '—')} → {new.get(k, {}).get('verdict', '—')}" for k in changed)
    head = [f"{len(changed)} of {len(new)} gold questions changed:"]
    head += [f"  {n:4d}  {m}" for m, n in moves.most_common()]
    body = [f"  {k}: {old.get(k)} → {new.get(k)}  «{questions.get(k, '')[:50]}»" for k in changed[:SHOWN]]
    more = [f"  … and {len(changed) - SHOWN} more"] if len(changed) > SHOWN else []
    return "\n".join(head + body + more)


def _check(path: Path, new: dict[str, dict], questions: dict[str, str], update: bool) -> None:
    old = _read(path)
    if update:
        _write(path, new)
        print("\n" + diff(old, new, questions))
        return
    assert old, f"no snapshot at {path}: run pytest {Path(__file__).name} --update-snapshot"
    assert old == new, diff(old, new, questions) + "\n(intended? rerun with --update-snapshot and commit)"


@pytest.fixture(scope="module")
def gold():
    return load_gold()


def test_checker_snapshot(gold, request):
    """The deterministic checker on every gold question: decision, per-part decisions and fired clauses."""
    from assistant.extract import check_text
    from assistant.rules import load_rules

    rules = load_rules()
    new = {}
    for case in gold:
        tv = check_text(case.question, rules)
        new[case.id] = {"verdict": str(tv.decision) if tv.applies else "silent",
                        "parts": [str(p.verdict.decision) for p in tv.parts],
                        "clauses": list(dict.fromkeys(f.clause_id for f in (*tv.fired, *tv.excepted)))}
    _check(HERE / "checker.jsonl", new, {c.id: c.question for c in gold}, request.config.getoption("update_snapshot"))


@pytest.mark.slow
def test_answer_snapshot(gold, request):
    """The shipped answer (real model and index) on every gold question: verdict and cited clauses in order."""
    from assistant.chain import Assistant

    assistant = Assistant.load()
    new = {}
    for case in gold:
        a = assistant.ask(case.question)
        new[case.id] = {"verdict": str(a.verdict), "clauses": [c.clause_id for c in a.citations],
                        "rules": [r.clause_id for r in a.rules]}
    _check(HERE / "answers.jsonl", new, {c.id: c.question for c in gold}, request.config.getoption("update_snapshot"))


def test_diff_names_every_move():
    old = {"a": {"verdict": "allowed"}, "b": {"verdict": "prohibited"}, "c": {"verdict": "info"}}
    new = {"a": {"verdict": "conditional"}, "b": {"verdict": "prohibited"}, "c": {"verdict": "info", "x": 1}}
    text = diff(old, new, {"a": "问题甲", "c": "问题丙"})
    assert text.startswith("2 of 3 gold questions changed:")
    assert "allowed → conditional" in text and "info → info" in text
    assert "问题甲" in text and "b:" not in text
