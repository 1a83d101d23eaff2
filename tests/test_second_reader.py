"""The learned second reader: numpy scoring equals scikit-learn's, it is trained at index time, and in the
chain it can only make an answer more careful — conditional with the named check — never less."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from assistant.chain import Assistant
from assistant.compose import PartResult
from assistant.learned import LearnedReader, label_of, load_reader
from assistant.rules import load_rules
from assistant.second import LearnedOpinion, Objection, load_second_readers, reconsider
from assistant.settings import Settings
from assistant.verdict import Decision

TOY = [("能不能招临时工", "prohibited:附件2/二/（五）"), ("可以派遣劳务人员吗", "prohibited:附件2/二/（五）"),
       ("买保洁服务可以吗", "allowed"), ("买物业服务行吗", "allowed"), ("什么时候施行", "info"),
       ("有效期到哪天", "info"), ("修路能买吗", "prohibited:附件2/二/（三）"), ("装修办公楼可以买吗", "prohibited:附件2/二/（三）")]


def test_numpy_scoring_equals_sklearn():
    import numpy as np

    from assistant.learn import _fit

    vec, clf = _fit([t for t, _ in TOY], [y for _, y in TOY])
    reader = LearnedReader(vec.vocabulary_, vec.idf_, clf.coef_, clf.intercept_, clf.classes_, 1.0, 0.8)
    texts = [t for t, _ in TOY] + ["请临时工来修路", "完全无关的话"]
    ours = np.array([reader.probabilities(t) for t in texts])
    assert np.allclose(ours, clf.predict_proba(vec.transform(texts)), atol=1e-9)


def test_labels_name_the_deciding_clause_of_a_prohibition():
    assert label_of("prohibited", ["附件2/二/（三）", "正文/三/（二）"]) == "prohibited:附件2/二/（三）"
    assert label_of("allowed", ["附件2/一/（一）"]) == "allowed"


def test_trained_at_index_time_and_recorded(bigram_index):
    settings, manifest = bigram_index
    assert manifest.learned.startswith("v")
    reader = load_reader(settings.index_dir / manifest.build / "learned")
    assert reader is not None and 0.0 < reader.threshold < 1.0 and reader.temperature > 0
    assert any(lab.startswith("prohibited:附件2/") for lab in reader.labels)


def test_ask_does_not_import_sklearn(bigram_index):
    import subprocess
    import sys

    settings, manifest = bigram_index
    code = ("import sys; from pathlib import Path; from assistant.learned import load_reader; "
            f"r = load_reader(Path({str(settings.index_dir / manifest.build / 'learned')!r})); "
            "r.propose('能不能招临时工'); print('sklearn' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


# ---- combination ---------------------------------------------------------------------------------------

def _part(decision: Decision) -> PartResult:
    return PartResult("问题", decision, (), ("原来的理由",), open_conditions=("财政已安排预算",))


def test_an_objection_makes_a_permission_conditional_with_the_named_check(corpus):
    out = reconsider(_part(Decision.ALLOWED), Objection("学习模型", "附件2/二/（五）", 0.93), corpus)
    assert out.decision is Decision.CONDITIONAL
    assert out.citations[0].clause_id == "附件2/二/（五）"
    assert "附件2/二/（五）" in out.open_conditions[0] and "请核实" in out.open_conditions[0]
    assert "两个读者意见不一" in out.reasons[0] and "0.93" in out.reasons[0]


def test_a_prohibition_is_never_weakened(corpus):
    part = _part(Decision.PROHIBITED)
    assert reconsider(part, Objection("学习模型", "附件2/二/（五）", 0.99), corpus) is part


@dataclass
class Always:
    """A fake second reader that objects to every part with one clause."""

    clause_id: str

    def objection(self, text):
        return Objection("学习模型", self.clause_id, 0.9)


@pytest.fixture(scope="module")
def plain(bigram_retriever, corpus):
    return Assistant(corpus, load_rules(), bigram_retriever, Settings(), today=lambda: date(2026, 11, 26))


def test_chain_hook_with_a_fake_reader(plain):
    a = plain.with_second((Always("附件2/二/（八）"),)).ask("社区想请社工机构开展养老服务，可以吗？")
    assert a.verdict == "conditional" and a.citations[0].clause_id == "附件2/二/（八）"
    assert "两个读者意见不一" in a.answer and a.rules == plain.ask("社区想请社工机构开展养老服务，可以吗？").rules
    pro = plain.with_second((Always("附件2/二/（八）"),)).ask("能不能把新建教学楼和物业打包成购买服务？")
    assert pro.verdict == "prohibited" and pro.citations[0].clause_id == "附件2/二/（三）"
    ref = plain.with_second((Always("附件2/二/（八）"),)).ask("附件2第二部分第四项是什么")
    assert ref.verdict == "info"  # a part naming its clause asks what it says


@dataclass
class Says:
    """A fake second reader that never objects and gives one verdict on every part."""

    verdict: str = "not_covered"
    confidence: float = 0.9
    clause_id: str = ""

    def objection(self, text):
        return None

    def view(self, text):
        from assistant.learned import PROHIBITED, Proposal

        label = PROHIBITED + self.clause_id if self.verdict == "prohibited" else self.verdict
        return Proposal(label, self.confidence, self.confidence if self.verdict == "prohibited" else 0.0,
                        self.clause_id)


def NotCovered(confidence: float = 0.9) -> Says:
    return Says("not_covered", confidence)


def test_a_tangential_answer_becomes_not_covered_naming_the_clause(plain):
    q = "政府采购评审专家是怎么抽取的"  # the regex reader answers it from a clause about something else
    before = plain.ask(q)
    assert before.verdict in ("info", "allowed") and before.citations
    a = plain.with_second((NotCovered(0.87),)).ask(q)
    assert a.verdict == "not_covered" and a.citations == ()
    assert "学习模型（置信度 0.87）" in a.answer
    assert before.citations[0].clause_id in a.answer  # named for reference only


def test_not_covered_never_replaces_a_prohibition_or_the_notices_own_dates(plain):
    from assistant.second import DISPUTE_AT

    q = "能不能把新建教学楼和物业打包成购买服务？"
    assert plain.with_second((NotCovered(DISPUTE_AT - 0.05),)).ask(q).verdict == "prohibited"
    assert plain.with_second((NotCovered(DISPUTE_AT + 0.05),)).ask(q).verdict == "conditional"  # disputed, not dropped
    two = "①本通知什么时候施行？②公益一类能承接吗？"
    assert [p.verdict for p in plain.ask(two).parts] == ["info", "prohibited"]
    # each part is weighed, but the notice's own dates are not the reader's to doubt, and a prohibition it
    # disputes becomes conditional, never dropped to "not covered"
    assert [p.verdict for p in plain.with_second((NotCovered(),)).ask(two).parts] == ["info", "conditional"]
    assert [p.verdict for p in plain.with_second((NotCovered(DISPUTE_AT - 0.05),)).ask(two).parts] == ["info", "prohibited"]
    other = "①本通知什么时候施行？②社区想请社工机构开展养老服务，可以吗？"
    assert [p.verdict for p in plain.ask(other).parts] == ["info", "allowed"]
    assert [p.verdict for p in plain.with_second((NotCovered(),)).ask(other).parts] == ["info", "not_covered"]


@pytest.mark.parametrize("verdict, confidence, expected", [
    ("allowed", 0.85, "prohibited"),  # below DISPUTE_AT the rule stands
    ("allowed", 0.95, "conditional"),  # disputed: conditional, never allowed
    ("info", 0.95, "conditional"),
    ("conditional", 0.65, "conditional"),  # an open condition read is enough
    ("prohibited", 0.99, "prohibited"),
])
def test_a_rule_prohibition_gives_way_only_to_conditional(plain, verdict, confidence, expected):
    q = "能不能把新建教学楼和物业打包成购买服务？"
    before = plain.ask(q)
    assert before.verdict == "prohibited" and before.citations[0].clause_id == "附件2/二/（三）"
    a = plain.with_second((Says(verdict, confidence, "附件2/二/（三）" if verdict == "prohibited" else ""),)).ask(q)
    assert a.verdict == expected
    assert a.citations[0].clause_id == "附件2/二/（三）"  # the prohibitive clause stays first
    if expected == "conditional":
        assert "两个读者意见不一" in a.answer and "核实前不得购买" in a.answer
        assert "请核实本案是否确属" in a.answer and "附件2/二/（三）" in a.answer


def test_learned_view_needs_its_threshold():
    from assistant.learned import Proposal
    from assistant.second import VIEW_AT

    class Fixed:
        def __init__(self, conf):
            self.conf = conf

        def propose(self, text):
            return Proposal("not_covered", self.conf, 0.01, "")

    assert LearnedOpinion(Fixed(VIEW_AT + 0.05)).view("x").verdict == "not_covered"
    assert LearnedOpinion(Fixed(VIEW_AT - 0.05)).view("x") is None


def test_a_learned_prohibition_or_open_condition_makes_a_one_part_permission_conditional(plain):
    q = "社区想请社工机构开展养老服务，可以吗？"
    assert plain.ask(q).verdict == "allowed"
    a = plain.with_second((Says("prohibited", 0.7, "附件2/二/（五）"),)).ask(q)
    assert a.verdict == "conditional" and a.citations[0].clause_id == "附件2/二/（五）" and "两个读者意见不一" in a.answer
    c = plain.with_second((Says("conditional", 0.7),)).ask(q)
    assert c.verdict == "conditional" and "请核实本案的具体条件" in c.answer


def test_a_learned_permission_turns_only_a_quoted_clause_into_allowed_never_a_condition(plain):
    q = "绩效评价核心指标包括哪些？"  # the chain quotes 正文/四/（二） as information
    before = plain.ask(q)
    assert before.verdict == "info" and before.citations
    a = plain.with_second((Says("allowed", 0.7),)).ask(q)
    assert a.verdict == "allowed" and a.citations[0].clause_id == before.citations[0].clause_id
    assert "财政已安排预算" in a.answer  # the general preconditions listed
    cond = "我们是事业单位，能承接县卫健局的购买服务项目吗？"  # the class is a case-specific open condition
    assert plain.ask(cond).verdict == "conditional"
    assert plain.with_second((Says("allowed", 0.99),)).ask(cond).verdict == "conditional"


# ---- the real learned reader on invented phrasings (not from the gold file) --------------------------------

@pytest.fixture(scope="module")
def shipped(bigram_index, plain):
    settings, _ = bigram_index
    second = load_second_readers(settings.with_(llm_url=""), plain.rules)
    assert any(isinstance(s, LearnedOpinion) for s in second)
    return plain.with_second(second)


@pytest.mark.parametrize("question, regex, clause", [
    # the regex reader reads a permitted consultancy; the decision itself is handed over
    ("想让咨询公司直接决定明年的财政补贴怎么分，我们照着执行，可以买这个服务吗？", "allowed", "附件2/二/（二）"),
])
def test_disagreement_becomes_conditional_with_the_named_clause(plain, shipped, question, regex, clause):
    assert str(plain.ask(question).verdict) == regex
    a = shipped.ask(question)
    assert a.verdict == "conditional" and a.citations[0].clause_id == clause
    assert "两个读者意见不一" in a.answer and clause in a.summary


@pytest.mark.parametrize("question", [
    "把采购一批电脑和打印机算成购买服务，行吗？",
    "给退休老干部安排一次外出疗养，能作为政府购买服务吗？",  # the learned reader is unsure; the rule decides
])
def test_checker_prohibition_stands(plain, shipped, question):
    assert plain.ask(question).verdict == "prohibited"
    assert shipped.ask(question).verdict == "prohibited"


def test_settings_can_turn_the_learned_reader_off(bigram_index, plain):
    settings, _ = bigram_index
    assert load_second_readers(settings.with_(second_reader="off"), plain.rules) == ()


# ---- the index stage -------------------------------------------------------------------------------------

class NoEmbedding:
    """Same model id as BigramEmbeddings(), but embedding fails: proves a stage did not re-embed."""

    def __init__(self):
        from assistant.embed import BigramEmbeddings

        self.model_id = BigramEmbeddings().model_id

    def embed_documents(self, texts):
        raise AssertionError("re-embedded the clauses")

    def embed_query(self, text):
        raise AssertionError("embedded a query")


def test_a_missing_or_stale_learned_reader_is_retrained_alone(tmp_path):
    import json
    import shutil

    from assistant.embed import BigramEmbeddings
    from assistant.index import MANIFEST, ensure_index

    s = Settings(index_dir=tmp_path / "index")
    first = ensure_index(s, embeddings=BigramEmbeddings())
    assert ensure_index(s, embeddings=NoEmbedding()) == first  # current: a no-op
    shutil.rmtree(s.index_dir / first.build / "learned")
    said: list[str] = []
    again = ensure_index(s, embeddings=NoEmbedding(), log=said.append)
    assert again.build == first.build and again.learned == first.learned and said
    assert load_reader(s.index_dir / again.build / "learned") is not None
    data = json.loads((s.index_dir / MANIFEST).read_text("utf-8"))
    data["learned"] = "v0:old"  # e.g. the gold file or the learner changed
    (s.index_dir / MANIFEST).write_text(json.dumps(data), "utf-8")
    assert ensure_index(s, embeddings=NoEmbedding()).learned == first.learned


def test_an_index_from_before_the_learned_reader_still_loads(tmp_path):
    import json

    from assistant.embed import BigramEmbeddings
    from assistant.index import MANIFEST, ensure_index, read_manifest

    s = Settings(index_dir=tmp_path / "index")
    ensure_index(s, embeddings=BigramEmbeddings())
    data = json.loads((s.index_dir / MANIFEST).read_text("utf-8"))
    del data["learned"]
    (s.index_dir / MANIFEST).write_text(json.dumps(data), "utf-8")
    assert read_manifest(s.index_dir).learned == ""
    assert load_second_readers(s, load_rules()) == ()  # regex reader only until the index catches up


def test_threshold_counts_caught_prohibitions_against_harmed_answers():
    from assistant.learn import Example, choose_threshold

    ex = [Example("a", "prohibited:附件2/二/（五）", "allowed"),  # regex missed it: a flag catches it
          Example("b", "conditional", "allowed"),  # a flag makes it right
          Example("c", "allowed", "allowed"),  # a flag harms it
          Example("d", "conditional", "conditional")]  # stays conditional either way
    t, rows = choose_threshold([0.9, 0.9, 0.6, 0.6], ex)
    at = {r["threshold"]: r for r in rows}
    assert (at[0.5]["caught_prohibited"], at[0.5]["now_right_conditional"], at[0.5]["harmed"]) == (1, 1, 1)
    assert at[0.85]["net"] == 2 and t == 0.9  # ties go to the higher threshold


def test_the_named_clause_is_quoted_as_its_rule_quotes_it(corpus):
    rules = load_rules()
    out = reconsider(_part(Decision.ALLOWED), Objection("学习模型", "附件2/一/（二）", 0.9), corpus, rules)
    quotes = {r.quote for r in rules if r.clause_id == "附件2/一/（二）"}
    assert out.citations[0].quote in quotes  # so a part whose rule cites it too shows one citation, not two


@dataclass
class ObjectsTo:
    """A fake second reader that objects to any text naming `words`."""

    words: str
    clause_id: str = "附件2/三/（三）"

    def objection(self, text):
        return Objection("学习模型", self.clause_id, 0.9) if self.words in text else None


def test_a_second_reader_reads_only_the_item_asked_about(plain):
    minutes = ("会议议定：一、同意向专业社工机构购买困境儿童关爱服务，事项在目录内，预算已安排；"
               "二、同意每年直接拨付县家政协会运转经费10万元。")
    judged = plain.with_second((ObjectsTo("直接拨付"),))
    assert judged.ask(minutes + "请就议定第一项是否合规提出意见。").verdict == "allowed"
    assert judged.ask(minutes + "请就议定第二项是否合规提出意见。").verdict == "prohibited"
    assert judged.ask(minutes + "这个纪要合规吗？").verdict == "prohibited"


def test_a_question_about_what_the_notice_says_is_answered_from_its_text(plain):
    from assistant.second import INFO_OVER_ALLOWED_AT

    q = "培训笔记空了一处没记全：调整优化后，指导性目录的一级目录分成了哪两大类？"
    assert plain.ask(q).verdict == "allowed"  # the rules read a purchase into it, on the general preconditions only
    below = plain.with_second((Says("info", INFO_OVER_ALLOWED_AT - 0.05),)).ask(q)
    assert below.verdict == "allowed"
    a = plain.with_second((Says("info", INFO_OVER_ALLOWED_AT + 0.05),)).ask(q)
    assert a.verdict == "info" and a.citations and "通知的规定内容" in a.answer
    # a prohibition is never turned into information
    pro = "能不能把新建教学楼和物业打包成购买服务？"
    assert plain.with_second((Says("info", 0.99),)).ask(pro).verdict != "info"


def test_weak_evidence_gives_way_to_a_confident_reading_as_information(plain):
    from assistant.second import INFO_OVER_UNANSWERED_AT

    q = "我们准备续签时往重点领域倾斜，想先弄清楚：附件1里头，就业公共服务这一块列了哪些内容？"
    assert plain.ask(q).verdict == "not_covered"  # the best clause is found but its evidence is too weak to answer
    below = plain.with_second((Says("info", INFO_OVER_UNANSWERED_AT - 0.05),)).ask(q)
    assert below.verdict == "not_covered"
    a = plain.with_second((Says("info", INFO_OVER_UNANSWERED_AT + 0.01),)).ask(q)
    assert a.verdict == "info" and a.citations[0].clause_id.startswith("附件1/") and "请核对是否切题" in a.answer
    # a value the notice does not state stays unanswered, however sure the reader is
    fee = "附件1里头，就业公共服务每人次的购买单价定的是多少？"
    assert plain.with_second((Says("info", 0.99),)).ask(fee).verdict == "not_covered"
