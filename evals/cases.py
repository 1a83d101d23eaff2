"""Gold cases: loading a JSONL file and checking it against the notice.

A line is one JSON object. Required: `id`, `question`, `expected_verdict` (one of VERDICTS),
`expected_clauses` (list of clause IDs; the first is the deciding clause, any listed counts as a hit,
[] for not_covered). Optional: `key_facts` (strings the answer must contain), `tags`, `split`.
Unknown fields are kept out of the way (ignored), so annotated gold files still load."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from assistant.errors import AssistantError

VERDICTS = ("prohibited", "allowed", "conditional", "not_covered", "info")
SPLITS = ("dev", "heldout")
REQUIRED = ("id", "question", "expected_verdict", "expected_clauses")
DEFAULT_GOLD = Path(__file__).resolve().parent / "gold.jsonl"


class GoldFormatError(AssistantError):
    """A gold file line that cannot be used (bad JSON, missing or mistyped field)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    question: str
    expected_verdict: str
    expected_clauses: tuple[str, ...]
    key_facts: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    split: str | None = None
    line: int = 0  # 1-based line in the gold file (for messages)
    expected_parts: tuple[str, ...] = ()  # per-part verdicts in the order asked (multi-part cases)


def _fail(path: Path | str, line: int, zh: str, en: str) -> GoldFormatError:
    return GoldFormatError(f"{path} 第{line}行：{zh} / {path} line {line}: {en}")


def _strings(value, name: str, path, line: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) and x for x in value):
        raise _fail(path, line, f"字段 {name} 必须是非空字符串组成的列表，实际为 {value!r}",
                    f"field {name!r} must be a list of non-empty strings, got {value!r}")
    return tuple(value)


def parse_case(obj: object, *, path: Path | str = "<gold>", line: int = 0) -> Case:
    """One gold object → Case; GoldFormatError (Chinese + English, with the line) when it is unusable."""
    if not isinstance(obj, dict):
        raise _fail(path, line, f"每行必须是一个 JSON 对象，实际为 {type(obj).__name__}",
                    f"each line must be a JSON object, got {type(obj).__name__}")
    missing = [k for k in REQUIRED if k not in obj]
    if missing:
        raise _fail(path, line, f"缺少字段 {', '.join(missing)}", f"missing field(s) {', '.join(missing)}")
    for k in ("id", "question"):
        if not isinstance(obj[k], str) or not obj[k].strip():
            raise _fail(path, line, f"字段 {k} 必须是非空字符串，实际为 {obj[k]!r}",
                        f"field {k!r} must be a non-empty string, got {obj[k]!r}")
    verdict = obj["expected_verdict"]
    if verdict not in VERDICTS:
        raise _fail(path, line, f"expected_verdict 的值 {verdict!r} 无效，可选：{', '.join(VERDICTS)}",
                    f"invalid expected_verdict {verdict!r}; choose one of {', '.join(VERDICTS)}")
    clauses = _strings(obj["expected_clauses"], "expected_clauses", path, line)
    split = obj.get("split")
    if split is not None and not isinstance(split, str):
        raise _fail(path, line, f"字段 split 必须是字符串，实际为 {split!r}", f"field 'split' must be a string, got {split!r}")
    return Case(
        id=obj["id"], question=obj["question"], expected_verdict=verdict, expected_clauses=clauses,
        key_facts=_strings(obj.get("key_facts") or [], "key_facts", path, line),
        tags=_strings(obj.get("tags") or [], "tags", path, line),
        split=split, line=line, expected_parts=_verdicts(obj.get("expected_parts") or [], path, line),
    )


def _verdicts(value, path, line: int) -> tuple[str, ...]:
    parts = _strings(value, "expected_parts", path, line)
    if bad := [v for v in parts if v not in VERDICTS]:
        raise _fail(path, line, f"expected_parts 含无效结论 {bad}", f"expected_parts has invalid verdicts {bad}")
    return parts


def load_gold(path: Path | str = DEFAULT_GOLD) -> list[Case]:
    """All cases of a JSONL gold file (blank lines skipped). Raises GoldFormatError naming the line."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise GoldFormatError(f"无法读取评测集 {path}：{e.strerror} / cannot read gold file {path}: {e.strerror}") from None
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for no, chunk in enumerate(raw.split(b"\n"), 1):
        try:
            text = chunk.decode("utf-8").strip().lstrip("\ufeff")
        except UnicodeDecodeError:
            raise _fail(path, no, "不是有效的 UTF-8 文本", "not valid UTF-8") from None
        if not text:
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise _fail(path, no, f"JSON 格式错误（第{e.colno}列）：{e.msg}",
                        f"invalid JSON at column {e.colno}: {e.msg}") from None
        case = parse_case(obj, path=path, line=no)
        if case.id in seen:
            raise _fail(path, no, f"id {case.id!r} 与第{seen[case.id]}行重复",
                        f"duplicate id {case.id!r} (first on line {seen[case.id]})")
        seen[case.id] = no
        cases.append(case)
    if not cases:
        raise GoldFormatError(f"评测集 {path} 中没有任何用例 / gold file {path} has no cases")
    return cases


def select(cases: Iterable[Case], split: str) -> list[Case]:
    """Cases of one split; `all` keeps every case (including those without a split)."""
    cases = list(cases)
    return cases if split == "all" else [c for c in cases if c.split == split]


def check_gold(cases: Iterable[Case], clause_texts: Mapping[str, str], notice_text: str) -> list[str]:
    """Problems of a gold set against the notice (empty list = clean).

    Checks: split values, clause IDs exist, key facts occur verbatim in the notice, not_covered cases
    list no clause and every other case lists at least one."""
    problems: list[str] = []
    for c in cases:
        where = f"line {c.line} ({c.id})"
        if c.split is not None and c.split not in SPLITS:
            problems.append(f"{where}: split {c.split!r} not in {SPLITS}")
        for cid in c.expected_clauses:
            if cid not in clause_texts:
                problems.append(f"{where}: unknown clause {cid!r}")
        for fact in c.key_facts:
            if fact not in notice_text:
                problems.append(f"{where}: key fact {fact!r} is not verbatim in the notice")
        if c.expected_verdict == "not_covered" and c.expected_clauses:
            problems.append(f"{where}: not_covered but lists clauses {list(c.expected_clauses)}")
        if c.expected_verdict != "not_covered" and not c.expected_clauses:
            problems.append(f"{where}: {c.expected_verdict} but lists no clause")
        if len(set(c.expected_clauses)) != len(c.expected_clauses):
            problems.append(f"{where}: a clause is listed twice")
    return problems
