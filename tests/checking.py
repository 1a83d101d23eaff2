"""Shared by the checker generalisation tests (tests/test_checker_generalise*.py): the verdict a user sees,
and a {category: [(question, verdict)]} table turned into pytest parameters."""

import pytest

P, A, C, N = "prohibited", "allowed", "conditional", "not_covered"


def shown(tv) -> str:
    """The verdict a user sees for a checked text: a question the checker does not judge is not_covered."""
    return str(tv.decision) if tv.applies else N


def why(tv) -> tuple:
    """What to print when a verdict is wrong: how the question was read and which rules fired."""
    return tv.understood, [f.rule_id for f in tv.fired]


def table(decides: dict) -> list:
    """(category, question, verdict) parameters, one per row, with the category in the test id."""
    rows = [(cat, q, want) for cat, pairs in decides.items() for q, want in pairs]
    return [pytest.param(cat, q, want, id=f"{cat}-{i}") for i, (cat, q, want) in enumerate(rows)]


def assert_reads(question: str, want: str) -> None:
    """The checker shows `want` for `question`; on failure, how it read the question and which rules fired."""
    from assistant.extract import check_text

    tv = check_text(question)
    assert shown(tv) == want, why(tv)


def assert_parts(question: str, parts: list[str]) -> None:
    """The checker judges `question` as these parts, in order, with these verdicts."""
    from assistant.extract import check_text

    tv = check_text(question)
    assert [str(p.verdict.decision) for p in tv.parts] == parts, [p.facts.evidence for p in tv.parts]
