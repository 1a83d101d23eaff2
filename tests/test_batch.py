"""Batch answering: JSONL and CSV in, JSONL out; error lines; resume; nothing finished is lost."""

import json

import pytest

from assistant.batch import PARTIAL, run_batch
from assistant.errors import InvalidInputError
from tests.fakes import EchoAssistant


def _lines(p):
    return [json.loads(x) for x in p.read_text("utf-8").splitlines()]


def test_jsonl_in_jsonl_out_with_ids_and_error_lines(tmp_path):
    src = tmp_path / "q.jsonl"
    src.write_text("\n".join([
        json.dumps({"id": "a", "question": "什么时候起施行，有效期几年？"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "c", "question": ""}),
        json.dumps({"id": "d", "question": "爆炸"}, ensure_ascii=False),
        json.dumps({"id": "e", "question": "附件1有哪些重点领域"}, ensure_ascii=False),
    ]), "utf-8")
    out = tmp_path / "a.jsonl"
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == PARTIAL
    got = {r["id"]: r for r in _lines(out)}
    assert list(got) == ["a", "2", "c", "d", "e"]
    assert got["a"]["verdict"] == "info" and got["a"]["citations"][0]["clause_id"] == "正文/施行"
    assert "JSON" in got["2"]["error"] and "为空" in got["c"]["error"] and "internal" in got["d"]["error"]
    assert "error" not in got["e"]


def test_csv_question_column(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text("question,备注\n什么时候起施行，有效期几年？,x\n附件2是什么,y\n", "utf-8")
    out = tmp_path / "a.jsonl"
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == 0
    assert [r["id"] for r in _lines(out)] == ["1", "2"]


def test_csv_without_question_column_is_a_clear_error(tmp_path):
    src = tmp_path / "q.csv"
    src.write_text("问题\n施行日期\n", "utf-8")
    with pytest.raises(InvalidInputError, match="question"):
        run_batch(src, tmp_path / "a.jsonl", assistant=EchoAssistant(), log=lambda m: None)


def test_existing_output_is_never_overwritten(tmp_path):
    src = tmp_path / "q.jsonl"
    src.write_text(json.dumps({"id": 1, "question": "施行日期"}, ensure_ascii=False), "utf-8")
    out = tmp_path / "a.jsonl"
    out.write_text('{"id": "old"}\n', "utf-8")
    with pytest.raises(InvalidInputError, match="--resume"):
        run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None)
    assert out.read_text("utf-8") == '{"id": "old"}\n'


def test_resume_after_interruption_skips_done_ids_and_repairs_torn_line(tmp_path):
    src = tmp_path / "q.jsonl"
    qs = ["什么时候起施行，有效期几年？", "附件2是什么", "信息公开选项是什么", "联系点怎么设"]
    src.write_text("\n".join(json.dumps({"id": i, "question": q}, ensure_ascii=False) for i, q in enumerate(qs)), "utf-8")
    out = tmp_path / "a.jsonl"
    first = EchoAssistant()
    run_batch(src, out, assistant=first, log=lambda m: None)
    kept = out.read_text("utf-8").splitlines(keepends=True)[:2]
    out.write_text("".join(kept) + '{"id": "2", "quest', "utf-8")  # killed mid-write of line 3
    again = EchoAssistant()
    assert run_batch(src, out, assistant=again, resume=True, log=lambda m: None) == 0
    assert again.asked == qs[2:]
    assert [r["id"] for r in _lines(out)] == ["0", "1", "2", "3"]
