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
    lines = _lines(out)
    got = {r["id"]: r for r in lines}
    assert [r["id"] for r in lines] == ["a", None, "c", "d", "e"]
    assert got["a"]["verdict"] == "info" and got["a"]["citations"][0]["clause_id"] == "正文/施行"
    assert "JSON" in got[None]["error"] and got[None]["line"] == 2
    assert "为空" in got["c"]["error"] and "internal" in got["d"]["error"]
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


def _write_jsonl(path, lines):
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else json.dumps(x, ensure_ascii=False).encode() for x in lines))


def test_a_surrogate_line_is_reported_and_the_run_goes_on_even_on_resume(tmp_path):
    src, out = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    _write_jsonl(src, [{"id": "a", "question": "什么时候起施行，有效期几年？"},
                       json.dumps({"id": "b", "question": "\ud800施行"}).encode(),  # ASCII, with \\ud800 escapes
                       json.dumps({"id": "\udc00", "question": "附件2是什么"}).encode(),
                       {"id": "d", "question": "附件1有哪些重点领域"}])
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == PARTIAL
    got = _lines(out)
    assert [r["id"] for r in got] == ["a", "b", None, "d"]
    assert "surrogate" in got[1]["error"] and got[1]["question"] is None
    assert "surrogate" in got[2]["error"] and got[2]["line"] == 3
    assert "verdict" in got[3]
    again = EchoAssistant()  # resume: the answered ids are skipped, the surrogate lines reported again, no crash
    assert run_batch(src, out, assistant=again, resume=True, log=lambda m: None) == PARTIAL
    assert again.asked == [] and [r["id"] for r in _lines(out)[4:]] == ["b", None]


def test_null_and_repeated_ids_are_reported_per_line(tmp_path):
    src, out = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    _write_jsonl(src, [{"id": 1, "question": "什么时候起施行，有效期几年？"}, {"id": None, "question": "附件2是什么"},
                       {"id": "1", "question": "附件1有哪些重点领域"}, {"question": "信息公开选项是什么"},
                       {"id": [1], "question": "附件2是什么"}, {"id": "x", "question": "联系点怎么设"}])
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == PARTIAL
    got = _lines(out)
    assert [(r["id"], "error" in r) for r in got] == [("1", False), (None, True), ("1", True), ("4", False),
                                                        (None, True), ("x", False)]
    assert "null" in got[1]["error"] and got[1]["line"] == 2
    assert "重复" in got[2]["error"] and "repeats line 1" in got[2]["error"]
    assert "integer" in got[4]["error"]


@pytest.mark.parametrize("raw, error", [
    (None, "line 1: id is null"), (True, "line 1: id must be a string or an integer"),
    (False, "line 1: id must be a string or an integer"), ("", "line 1: id is empty"), ("  ", "line 1: id is empty"),
])
def test_unusable_ids_are_reported_per_line(tmp_path, raw, error):
    src, out = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    _write_jsonl(src, [{"id": raw, "question": "附件2是什么"}, {"id": "b", "question": "附件1有哪些重点领域"}])
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == PARTIAL
    got = _lines(out)
    assert got[0]["id"] is None and error in got[0]["error"] and got[1]["id"] == "b" and "verdict" in got[1]


def test_ids_are_stripped_before_the_duplicate_check(tmp_path):
    src, out = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    _write_jsonl(src, [{"id": "a", "question": "附件2是什么"}, {"id": " a", "question": "附件1有哪些重点领域"}])
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == PARTIAL
    got = _lines(out)
    assert got[0]["id"] == "a" and "verdict" in got[0] and "repeats line 1" in got[1]["error"]


def test_a_jsonl_file_with_a_utf8_bom_is_read(tmp_path):
    src, out = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    _write_jsonl(src, [{"id": "a", "question": "什么时候起施行，有效期几年？"}, {"id": "b", "question": "附件2是什么"}])
    src.write_bytes(b"\xef\xbb\xbf" + src.read_bytes())  # as Windows Notepad saves "UTF-8 with BOM"
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == 0
    got = _lines(out)
    assert [r["id"] for r in got] == ["a", "b"] and got[0]["verdict"] == "info"


def test_resume_asks_again_what_was_not_answered(tmp_path):
    src, out = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    qs = ["什么时候起施行，有效期几年？", "爆炸了怎么办", "附件2是什么"]
    _write_jsonl(src, [{"id": i, "question": q} for i, q in enumerate(qs)])
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == PARTIAL  # "爆炸" fails inside
    fixed = EchoAssistant()
    fixed.ask = lambda q, _ask=fixed.ask: _ask(q.replace("爆炸", "施行"))
    assert run_batch(src, out, assistant=fixed, resume=True, log=lambda m: None) == 0
    assert fixed.asked == ["施行了怎么办"]  # only the line that had failed
    last = {r["id"]: r for r in _lines(out)}  # the newest record per id
    assert all("error" not in r for r in last.values()) and sorted(last) == ["0", "1", "2"]


def test_csv_with_bad_bytes_reports_that_row_only(tmp_path):
    src, out = tmp_path / "q.csv", tmp_path / "a.jsonl"
    src.write_bytes("id,question\na,什么时候起施行？\nb,".encode() + b"\xff\xfe\xe6" + "\nc,附件2是什么\n".encode())
    assert run_batch(src, out, assistant=EchoAssistant(), log=lambda m: None) == PARTIAL
    got = _lines(out)
    assert [r["id"] for r in got] == ["a", "b", "c"] and "error" in got[1] and "verdict" in got[2]
