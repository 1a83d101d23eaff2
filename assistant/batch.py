"""`python -m assistant batch IN -o OUT`: answer a JSONL or CSV file, one JSONL answer per line.

Every finished line is flushed and fsynced before the next starts, so an interrupted run loses nothing;
`--resume` skips ids already in OUT. A line that fails gets an `error` field and the run goes on.
Returns 0 when every line was answered, 4 when some lines carry an error."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Iterator

from .errors import AssistantError, InvalidInputError

PARTIAL = 4


def read_questions(path: Path) -> Iterator[tuple[str, object, str | None]]:
    """Yield (id, question, parse_error) per input row; ids default to the line/row number."""
    if not path.exists():
        raise InvalidInputError(f"找不到输入文件 {path} / input file not found: {path}")
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "question" not in reader.fieldnames:
                raise InvalidInputError(f"CSV 文件 {path} 需要 question 列 / the CSV needs a 'question' column")
            for n, row in enumerate(reader, 1):
                yield str(row.get("id") or n), row.get("question") or "", None
        return
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except (UnicodeDecodeError, ValueError) as e:
                yield str(n), None, f"第{n}行不是有效的 JSON 对象（{type(e).__name__}）/ line {n} is not a JSON object"
                continue
            yield str(obj.get("id", n)), obj.get("question"), None


def done_ids(out: Path) -> set[str]:
    ids: set[str] = set()
    if out.exists():
        for line in out.read_text("utf-8", errors="replace").splitlines():
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                continue  # a torn last line from a killed run: answer it again
    return ids


def run_batch(input_path, output_path, *, settings=None, resume: bool = False, log=print, assistant=None) -> int:
    from tqdm import tqdm

    src, out = Path(input_path), Path(output_path)
    rows = list(read_questions(src))
    if out.exists() and out.stat().st_size and not resume:
        raise InvalidInputError(f"输出文件 {out} 已存在：用 --resume 续跑，或换一个文件名（不会覆盖已有结果）/ "
                                f"{out} exists: use --resume or another name (existing answers are never overwritten)")
    skip = done_ids(out) if resume else set()
    todo = [r for r in rows if r[0] not in skip]
    if skip:
        log(f"续跑：跳过已完成的 {len(rows) - len(todo)} 条 / resuming: {len(rows) - len(todo)} already done")
    if assistant is None:
        from .chain import Assistant

        assistant = Assistant.load(settings, log=log)
    failed = 0
    _repair_tail(out)
    with out.open("a", encoding="utf-8") as f:
        for rid, question, error in tqdm(todo, desc="批量问答 / batch", unit="问", disable=not todo):
            if error is None:
                try:
                    record = {"id": rid, **assistant.ask(question).to_dict()}
                except AssistantError as e:
                    error = str(e)
                except Exception as e:  # one bad line must not end the run
                    error = f"内部错误 / internal error: {type(e).__name__}"
            if error is not None:
                failed += 1
                record = {"id": rid, "question": question if isinstance(question, str) else None, "error": error}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
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
