"""`python -m assistant batch IN -o OUT`: answer a JSONL or CSV file, one JSONL answer per line.

Every finished line is flushed and fsynced before the next starts, so an interrupted run loses nothing.
A line that cannot be answered (not JSON, bad text, a null or repeated id, an internal error) gets an `error`
record with its `line` number and the run goes on; nothing a line contains can stop the run.
Ids are unique keys: a missing id is the line (row) number; `--resume` skips only ids already *answered*
(a record without `error`), so an unanswered question is always tried again.
Returns 0 when every line was answered, 4 when some lines carry an error."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .errors import AssistantError, InvalidInputError
from .inputs import shown, validate_text

PARTIAL = 4
MAX_ID_CHARS = 200


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # 1-based line (JSONL) or data row (CSV)
    id: str | None  # None: the row has no usable id, so it cannot be answered under one
    question: object
    error: str | None = None  # why the row cannot be answered, found while reading


def check_id(raw: object, n: int, unit: tuple[str, str] = ("行", "line")) -> tuple[str | None, str | None]:
    """(the id as a key, None) or (None, why it cannot be used): null, true/false, a non-scalar, or an empty or
    blank string. The key is stripped (" a" and "a" are one id) and an integer's is its digits. One rule for the
    CLI (n = line, the default unit) and /api/batch (n = item, unit ("条", "item")); a missing id is the
    caller's to default."""
    zh, en = unit
    if raw is None:
        return None, f"第{n}{zh}的 id 为 null，请给出唯一的 id / {en} {n}: id is null"
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return None, f"第{n}{zh}的 id 必须是文本或整数 / {en} {n}: id must be a string or an integer"
    try:
        text = validate_text(raw, "id", MAX_ID_CHARS) if isinstance(raw, str) else str(raw)
    except InvalidInputError as e:
        return None, f"第{n}{zh}：{e}"
    if not text:
        return None, f"第{n}{zh}的 id 为空 / {en} {n}: id is empty"
    return text, None


def read_questions(path: Path) -> Iterator[Row]:
    """One Row per input row; ids default to the line/row number."""
    if not path.exists():
        raise InvalidInputError(f"找不到输入文件 {path} / input file not found: {path}")
    if path.suffix.lower() == ".csv":
        # surrogateescape: a bad byte becomes a lone surrogate, which that row's validation rejects
        with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "question" not in reader.fieldnames:
                raise InvalidInputError(f"CSV 文件 {path} 需要 question 列 / the CSV needs a 'question' column")
            for n, row in enumerate(reader, 1):
                rid, error = check_id(row.get("id") or n, n)
                yield Row(n, rid, row.get("question") or "", error)
        return
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                # utf-8-sig: a BOM (Windows Notepad, or files joined with cat) is not part of the JSON
                obj = json.loads(raw.decode("utf-8-sig"))
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except (UnicodeDecodeError, ValueError, RecursionError) as e:
                yield Row(n, None, None, f"第{n}行不是有效的 JSON 对象（{type(e).__name__}）/ line {n} is not a JSON object")
                continue
            rid, error = check_id(obj.get("id", n), n)
            yield Row(n, rid, obj.get("question"), error)


def answered_ids(out: Path) -> set[str]:
    """Ids with an answer in OUT. Error records do not count: their questions are asked again on --resume."""
    ids: set[str] = set()
    if out.exists():
        for line in out.read_text("utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
                if "error" not in record and record["id"] is not None:
                    ids.add(str(record["id"]))
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line from a killed run: answer it again
    return ids


done_ids = answered_ids  # the name earlier versions used


def _unique(rows: list[Row]) -> list[Row]:
    """The second and later rows with an id already used become error rows (an id must name one question)."""
    first: dict[str, int] = {}
    out = []
    for r in rows:
        if r.id is not None and r.error is None and r.id in first:
            r = Row(r.line, r.id, r.question, f"第{r.line}行的 id {shown(r.id)} 与第{first[r.id]}行重复，本行未作答 / "
                                             f"line {r.line}: id {shown(r.id)} repeats line {first[r.id]}; not answered")
        elif r.id is not None:
            first.setdefault(r.id, r.line)
        out.append(r)
    return out


def _encoded(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _error_record(row: Row, error: str) -> bytes:
    q = row.question if isinstance(row.question, str) else None
    record = {"id": row.id, "line": row.line, "question": q, "error": error}
    try:
        return _encoded(record)
    except UnicodeEncodeError:  # a lone surrogate cannot be written as UTF-8: leave the text out
        return _encoded({**record, "question": None})


def answer_row(assistant, row: Row) -> tuple[bytes, bool]:
    """(the JSONL line, whether it is an answer). Never raises for anything the row contains."""
    if row.error is not None:
        return _error_record(row, row.error), False
    try:
        return _encoded({"id": row.id, **assistant.ask(row.question).to_dict()}), True
    except AssistantError as e:
        return _error_record(row, str(e)), False
    except Exception as e:  # one bad line must not end the run
        return _error_record(row, f"内部错误 / internal error: {type(e).__name__}"), False


def run_batch(input_path, output_path, *, settings=None, resume: bool = False, log=print, assistant=None) -> int:
    from tqdm import tqdm

    src, out = Path(input_path), Path(output_path)
    rows = _unique(list(read_questions(src)))
    if out.exists() and out.stat().st_size and not resume:
        raise InvalidInputError(f"输出文件 {out} 已存在：用 --resume 续跑，或换一个文件名（不会覆盖已有结果）/ "
                                f"{out} exists: use --resume or another name (existing answers are never overwritten)")
    skip = answered_ids(out) if resume else set()
    todo = [r for r in rows if not (r.id in skip and r.error is None)]
    if skip:
        log(f"续跑：跳过已作答的 {len(rows) - len(todo)} 条 / resuming: {len(rows) - len(todo)} already answered")
    if assistant is None:
        from .chain import Assistant

        assistant = Assistant.load(settings, log=log)
    failed = 0
    _repair_tail(out)
    with out.open("ab") as f:
        for row in tqdm(todo, desc="批量问答 / batch", unit="问", disable=not todo):
            line, ok = answer_row(assistant, row)
            failed += not ok
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
    log(f"完成 {len(todo) - failed} 条，失败 {failed} 条 → {out} / done {len(todo) - failed}, failed {failed}")
    return PARTIAL if failed else 0


def _repair_tail(out: Path) -> None:
    """A run killed mid-write can leave a line without its newline: cut it so appends stay valid JSONL."""
    if not out.exists() or not out.stat().st_size:
        return
    data = out.read_bytes()
    if not data.endswith(b"\n"):
        out.write_bytes(data[: data.rfind(b"\n") + 1])
