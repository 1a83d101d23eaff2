"""The span stage (assistant/spans.py, corpus/spans.toml): every marker's examples mark exactly the text in
【】 and its counter-examples mark nothing; only case spans give facts."""

import re

import pytest

from assistant.errors import ConfigError
from assistant.spans import Span, SpanKind, load_items, load_markers, load_options, mark

MARKERS = load_markers()
OPTIONS, ITEMS = load_options(), load_items()
EXAMPLES = [(m.name, ex) for m in MARKERS for ex in m.examples] + [
    (t, ex) for t, tab in (("options", OPTIONS), ("items", ITEMS)) for ex in tab.examples]
COUNTER = [(m.name, ex) for m in MARKERS for ex in m.counter_examples] + [
    (t, ex) for t, tab in (("options", OPTIONS), ("items", ITEMS)) for ex in tab.counter_examples]


def _bracketed(example: str) -> tuple[str, set[int]]:
    """'不买【车】，只买…' → ('不买车，只买…', {positions of 车})."""
    text, marked, inside = "", set(), False
    for ch in example:
        if ch in "【】":
            inside = ch == "【"
            continue
        if inside:
            marked.add(len(text))
        text += ch
    return text, marked


@pytest.mark.parametrize("name,example", EXAMPLES, ids=[f"{n}:{e[:12]}" for n, e in EXAMPLES])
def test_marker_example_marks_the_bracketed_text(name, example):
    text, want = _bracketed(example)
    assert want, f"example of {name} shows nothing in 【】: {example}"
    spans = mark(text)
    got = {i for sp in spans if sp.kind is not SpanKind.CASE for i in range(sp.start, sp.end)}
    assert got == want, f"{name}: marked {[sp.text for sp in spans if sp.kind is not SpanKind.CASE]} in {text}"
    assert any(sp.marker == name for sp in spans)


@pytest.mark.parametrize("name,example", COUNTER, ids=[f"{n}:{e[:12]}" for n, e in COUNTER])
def test_marker_counter_example_marks_nothing(name, example):
    spans = mark(example)
    assert [sp.text for sp in spans if sp.kind is not SpanKind.CASE] == [], f"{name} counter-example marked"


def test_spans_cover_the_part_in_order():
    text = "我们不买车，只按人次购买校车接送服务，不是融资吧，和“买岗位”那条冲突吗"
    spans = mark(text)
    assert "".join(sp.text for sp in spans) == text
    assert all(a.end == b.start for a, b in zip(spans, spans[1:]))
    assert {sp.kind for sp in spans} == set(SpanKind)
    with pytest.raises(ValueError):
        Span(SpanKind.CASE, 3, 3, "")


def test_bad_marker_file_says_what_is_wrong(tmp_path):
    p = tmp_path / "spans.toml"
    p.write_text("[windows]\nX = 3\n[[marker]]\nkind = 'contrast'\nname = 'a'\npatterns = ['<Y>']\n"
                 "examples = ['x']\ncounter_examples = []\n", "utf-8")
    with pytest.raises(ConfigError, match="<Y>"):
        load_markers(p)


# ---- stated conditions: the [[flag]] entries of corpus/facts.toml that carry examples ---------------

def _flag_examples():
    import tomllib

    from assistant.settings import ROOT
    d = tomllib.loads((ROOT / "corpus" / "facts.toml").read_text("utf-8"))
    return [(f["fact"], ex, yes) for f in d["flag"] for key, yes in (("examples", True), ("counter_examples", False))
            for ex in f.get(key, ())]


FLAG_EXAMPLES = _flag_examples()


@pytest.mark.parametrize("fact,text,yes", FLAG_EXAMPLES, ids=[f"{f}:{t[:12]}:{y}" for f, t, y in FLAG_EXAMPLES])
def test_flag_examples_read_as_stated(fact, text, yes):
    from assistant.extract import extract, load_vocab
    from assistant.normalize import normalize
    got = getattr(extract(normalize(text), load_vocab()), fact)
    assert (got is True) is yes, f"{fact} of {text!r} read as {got}"


def test_flag_examples_exist():
    assert {"budget", "in_catalog"} <= {f for f, _, _ in FLAG_EXAMPLES}


# ---- forwarded threads: spans.toml [thread]; the newest message (on top) holds ----------------------

def _thread():
    import tomllib

    from assistant.settings import ROOT
    return tomllib.loads((ROOT / "corpus" / "spans.toml").read_text("utf-8"))["thread"]


@pytest.mark.parametrize("text", _thread()["examples"])
def test_thread_example_is_split_into_messages(text):
    from assistant.normalize import normalize
    from assistant.spans import messages
    assert len(messages(normalize(text))) >= 2


@pytest.mark.parametrize("text", _thread()["counter_examples"])
def test_thread_counter_example_is_one_message(text):
    from assistant.normalize import normalize
    from assistant.spans import messages
    assert messages(normalize(text)) == (0,)


@pytest.mark.parametrize("text,budget", [
    ("回复：日间照料\n最新情况：区人大已批了这笔预算，目录里本来就有。可以启动了吧？\n——原始邮件——\n计划购买日间照料服务，但年初预算还没批下来，先暂缓。", True),
    ("回复：日间照料\n更新：财政局说今年预算没批，可以先干吗？\n——原始邮件——\n计划购买日间照料服务，预算已安排。", False),
    ("计划购买日间照料服务，预算已安排，但财政局又说预算没批。", False),  # no thread: a stated "no" still beats "yes"
])
def test_newest_message_of_a_thread_holds(text, budget):
    from assistant.extract import extract, load_vocab
    from assistant.normalize import normalize
    assert extract(normalize(text), load_vocab()).budget is budget


def _comment(line: str) -> str:
    """The comment of one TOML line: what follows a # outside '…' and "…" strings."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote and (quote == "'" or line[i - 1] != "\\"):
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return line[i:]
    return ""


@pytest.mark.parametrize("name", ["facts.toml", "spans.toml", "rules.toml", "lexicon.toml"])
def test_no_comment_swallows_a_pattern(name):
    """An inline comment written before a list's next pattern silently drops that pattern (sessions 8 and 9)."""
    from assistant.settings import ROOT
    for n, line in enumerate((ROOT / "corpus" / name).read_text("utf-8").splitlines(), 1):
        assert not re.search(r"'\s*[,\]]\s*$|',\s*'", _comment(line)), f"{name}:{n}: a pattern after a comment: {line[:80]}"


@pytest.mark.parametrize("table,body", [("thread", "separator = '('\nsupersedes = 'x'\n"),
                                        ("options", "label = 'a'\nchoice = '('\neach = 'b'\nexamples = []\ncounter_examples = []\n"),
                                        ("items", "labels = { a = '(' }\nparen = []\nref = 'x'\n")])
def test_a_bad_spans_table_says_which(tmp_path, table, body):
    from assistant.spans import load_items, load_options, load_thread
    p = tmp_path / "spans.toml"
    p.write_text(f"[{table}]\n{body}", "utf-8")
    with pytest.raises(ConfigError, match=rf"\[{table}\]"):
        {"thread": load_thread, "options": load_options, "items": load_items}[table](p)
