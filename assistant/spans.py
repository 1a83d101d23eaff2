"""The stage between splitting a message into parts and reading facts: mark which spans of one part
describe the asker's own case.

A part is covered by spans of four kinds. Only `case` spans give facts; `quoted` rule text, the
`question`'s category ("…不是融资吧") and the X of a `contrast` ("不买X，只买Y") are hidden from the
reader. The markers, their windows and their examples live in corpus/spans.toml, where a policy officer can
review them; tests/test_spans.py runs every example and counter-example."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError
from .settings import ROOT

BOUNDARY = "[^,，。;；!！?？]"  # a window stays inside one clause


class SpanKind(StrEnum):
    CASE = "case"  # what the asker does or plans: the only kind facts are read from
    QUOTED = "quoted"  # rule text quoted or restated
    QUESTION = "question"  # the category asked about
    CONTRAST = "contrast"  # the thing set aside in a contrast or negation


@dataclass(frozen=True, slots=True)
class Span:
    kind: SpanKind
    start: int
    end: int
    text: str
    marker: str = ""  # the corpus/spans.toml marker that claimed it ("" for case)

    def __post_init__(self):
        if not 0 <= self.start < self.end:
            raise ValueError(f"Span {self.text!r} has an empty or negative range {self.start}..{self.end}")


@dataclass(frozen=True, slots=True)
class Marker:
    name: str
    kind: SpanKind
    pattern: re.Pattern
    unless: re.Pattern | None
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    unless_before: re.Pattern | None = None  # in its sentence, up to 16 characters before the match: no mark
    only_with: re.Pattern | None = None  # the marker applies only to a text where this is found (a transcript's turns)
    unless_asked: re.Pattern | None = None  # the marker does not apply when the last sentence (the question) has it

    def applies(self, text: str) -> bool:
        if self.unless_asked is not None and self.unless_asked.search(_LAST.split(text.rstrip("。.？?！! \n"))[-1]):
            return False
        return self.only_with is None or bool(self.only_with.search(text))


_LAST = re.compile(r"[。！!?？]")  # sentence ends: the question is the text after the last one


def _expand(where: str, pat: str, windows: dict) -> str:
    def window(m: re.Match) -> str:
        name = m.group(1)
        if name not in windows:
            raise ConfigError(f"spans.toml {where}: 未定义的窗口 <{name}>，可选：{', '.join(windows)} / unknown window")
        w = windows[name]
        if isinstance(w, dict):  # {size, not}: a window that never runs over text matching `not`
            return f"(?:(?:(?!{w['not']}){BOUNDARY}){{1,{w['size']}}}?)"
        return f"(?:{BOUNDARY}{{1,{w}}}?)"
    return re.sub(r"<([A-Z]+)>", window, pat)


@dataclass(frozen=True, slots=True)
class Options:
    """Alternatives the asker lays out (方案一…方案二…) and the one chosen: the others are set aside."""

    label: re.Pattern  # an option's label; its first non-empty group is the ordinal
    choice: re.Pattern  # a choice naming a label ("选了方案二", "定的是乙案"); group "label"
    each: re.Pattern  # asks about every option ("请分别判断", "哪个方案"): nothing is set aside
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]


_ORDINAL = {c: i for i, cs in enumerate(("一1甲Aa", "二2乙Bb", "三3丙Cc", "四4丁Dd")) for c in cs}


def _key(m: re.Match) -> int | None:
    return next((_ORDINAL.get(g[-1]) for g in m.groups() if g), None)


def set_aside(text: str, opts: Options | None) -> list[tuple[int, int]]:
    """The spans of the options not chosen: from each such label to the next label (or to the choice)."""
    if opts is None or opts.each.search(text):
        return []
    labels = [(m.start(), _key(m)) for m in opts.label.finditer(text)]
    if len({k for _, k in labels}) < 2:
        return []
    chosen, cut = None, len(text)
    picks = list(opts.choice.finditer(text))
    if picks:
        m = picks[-1]
        chosen, cut = _key(opts.label.search(m.group("label"))), m.start()
    else:  # the last sentence asks about one option: "…第一种能通过政府购买服务实施吗？"
        last = max(i for i, ch in enumerate("。" + text) if ch in "。!！?？\n;；" and i <= len(text.rstrip("。!！?？ \n")))
        asked = {k for s, k in labels if s >= last}
        if len(asked) == 1 and any(s < last for s, _ in labels):
            chosen, cut = asked.pop(), last
    if chosen is None:
        return []
    starts = [s for s, _ in labels if s < cut]
    out = []
    for i, (s, k) in enumerate(labels):
        if s >= cut or k == chosen:
            continue
        end = min([t for t in starts if t > s] + [cut])
        out.append((s, end))
    return out


@dataclass(frozen=True, slots=True)
class Items:
    """Numbered items of a pasted text (a 纪要's 议定事项, a contract's articles, a proposal's 建议一/二) and a
    last sentence that asks about one of them ("议定第三项是否合规？"): the other items are no case."""

    labels: tuple[tuple[str, re.Pattern], ...]  # one family per entry (一、/（一）/（1）/1./第N条/建议N); group n
    paren: frozenset[str]  # the families a bracketed reference "（二）" names
    ref: re.Pattern  # "第三项", "第 2 条", "建议二"; group n
    paren_ref: re.Pattern  # "（二）", "（2）"; group n
    not_ours: re.Pattern  # text just before a reference that makes it another document's ("清单第二条")
    unless: re.Pattern  # the last sentence asks about several or all items ("除第二项外", "分别", "哪几条")
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    retract: re.Pattern | None = None  # "（3）撤回，不问了", "第2项撤回", "处罚那一条撤回": group n (number) or w (a word)
    retract_labels: tuple[tuple[str, re.Pattern], ...] = ()  # families only a retraction names ("一是…二是…。二撤回")


_CN_DIGITS = "一二三四五六七八九十"


def _number(s: str) -> int:
    s = s.strip()
    if s.isdigit():
        return int(s)
    if len(s) == 1:
        return _CN_DIGITS.index(s) + 1
    tens, _, ones = s.partition("十")  # 十一 / 二十 / 二十三
    return (_number(tens) if tens else 1) * 10 + (_number(ones) if ones else 0)


def set_aside_items(text: str, items: Items | None) -> list[tuple[int, int]]:
    """The spans of the items the last sentence does not ask about: from each such label to the next label of
    its list (or of an enclosing list, or the last sentence)."""
    if items is None:
        return []
    body = text.rstrip("。!！?？ \n")
    cut = max((i + 1 for i, ch in enumerate(body) if ch in "。!！?？\n;；"), default=0)
    last = text[cut:]
    if cut and (gone := retracted_items(text, cut, items)):
        return gone
    if not cut or items.unless.search(last):
        return []
    def refs(pattern):
        return {_number(next(g for g in m.groups() if g)) for m in pattern.finditer(last)
                if not items.not_ours.search(last[max(0, m.start() - 8):m.start()])}
    plain, bracketed = refs(items.ref), refs(items.paren_ref)
    found = {name: [(m.start(), _number(m["n"])) for m in pat.finditer(text, 0, cut)] for name, pat in items.labels}
    found = {n: hits for n, hits in found.items() if len({k for _, k in hits}) >= 2}
    first = {n: hits[0][0] for n, hits in found.items()}
    chosen: dict[str, int] = {}
    if len(bracketed) == 1:
        k = next(iter(bracketed))
        fams = [n for n in found if n in items.paren and any(key == k for _, key in found[n])]
        if fams:
            chosen[min(fams, key=first.get)] = k
    if len(plain) == 1:
        k = next(iter(plain))
        fams = [n for n in found if n not in chosen and not (bracketed and n in items.paren)
                and any(key == k for _, key in found[n])]
        if fams:
            chosen[min(fams, key=first.get)] = k
    out = []
    for name, k in chosen.items():
        outer = [s for n, hits in found.items() if first[n] < first[name] for s, _ in hits]
        starts = [s for s, _ in found[name]]
        for s, key in found[name]:
            if key != k:
                out.append((s, min([t for t in starts + outer if t > s] + [cut])))
    return sorted(out)


def retracted_items(text: str, cut: int, items: Items) -> list[tuple[int, int]]:
    """The items the last sentence takes back ("（3）撤回，不问了", "处罚那一条撤回"), with that sentence: no case,
    whatever else it says."""
    if items.retract is None or not (ms := list(items.retract.finditer(text, cut))):
        return []
    for name, pat in (*items.labels, *items.retract_labels):
        hits = [(m.start(), _number(m["n"])) for m in pat.finditer(text, 0, cut)]
        if len({k for _, k in hits}) < 2:
            continue
        spans = [(s, min([t for t, _ in hits if t > s] + [cut])) for s, _ in hits]
        gone = [(s, e) for (s, e), (_, k) in zip(spans, hits)
                if any((n := m["n"] or m["n2"]) and _number(n) == k or m["w"] and m["w"] in text[s:e] for m in ms)]
        if gone:
            return [*gone, (cut, len(text))]
    return []


def without_items(text: str) -> str | None:
    """The text without the items its last sentence does not ask about and the options not chosen (what a second
    reader should read); None when nothing is set aside."""
    aside = {i for s, e in set_aside_items(text, load_items()) + set_aside(text, load_options()) for i in range(s, e)}
    return "".join(ch for i, ch in enumerate(text) if i not in aside) if aside else None


def _section(path: Path | None, name: str, build):
    """A table of spans.toml built into its value object, None when the file has none, ConfigError when invalid."""
    path = Path(path) if path else ROOT / "corpus" / "spans.toml"
    d = tomllib.loads(path.read_text("utf-8")).get(name)
    if not d:
        return None
    try:
        return build(d)
    except (KeyError, re.error) as e:
        raise ConfigError(f"spans.toml [{name}] 无效：{e} / invalid [{name}]: {e}") from None


@lru_cache(maxsize=4)
def load_options(path: Path | None = None) -> Options | None:
    return _section(path, "options", lambda d: Options(
        re.compile(d["label"]), re.compile(d["choice"]), re.compile(d["each"]),
        tuple(d["examples"]), tuple(d["counter_examples"])))


@lru_cache(maxsize=4)
def load_items(path: Path | None = None) -> Items | None:
    return _section(path, "items", lambda d: Items(
        tuple((n, re.compile(p)) for n, p in d["labels"].items()), frozenset(d["paren"]), re.compile(d["ref"]),
        re.compile(d["paren_ref"]), re.compile(d["not_ours"]), re.compile(d["unless"]),
        tuple(d["examples"]), tuple(d["counter_examples"]), re.compile(d["retract"]) if d.get("retract") else None,
        tuple((n, re.compile(p)) for n, p in d.get("retract_labels", {}).items())))


@dataclass(frozen=True, slots=True)
class Thread:
    """A forwarded e-mail thread (spans.toml [thread]): its messages, newest on top, and the words by which a
    message states a changed plan."""

    separator: re.Pattern
    supersedes: re.Pattern


@lru_cache(maxsize=4)
def load_thread(path: Path | None = None) -> Thread | None:
    return _section(path, "thread", lambda d: Thread(re.compile(d["separator"]), re.compile(d["supersedes"])))


def messages(text: str, thread: Thread | None = None) -> tuple[int, ...]:
    """Where each message of a forwarded thread starts, newest first; (0,) for a text that is no thread."""
    thread = load_thread() if thread is None else thread
    return (0, *(m.end() for m in thread.separator.finditer(text))) if thread else (0,)


def split_thread(text: str, thread: Thread | None = None) -> tuple[str, str]:
    """(the newest message, the older ones from the first separator on; "" when the text is no thread). Only
    the newest message is split into the parts asked; the older ones are every part's background."""
    thread = load_thread() if thread is None else thread
    m = thread.separator.search(text) if thread else None
    if m is None or not re.search("[?？]", text[:m.start()]):  # "下面问题你查下：" forwards a question asked below
        return text, ""
    return text[:m.start()], text[m.start():]


def without_superseded(text: str, thread: Thread | None = None) -> str:
    """A thread's messages older than the newest one headed as a changed plan (修改后：… / 最新方案：…, spans.toml
    [thread].supersedes), blanked to spaces: the plan they describe was replaced ("原方案包括由政府出钱买车" below
    "修改后：车辆由公司自备")."""
    thread = load_thread() if thread is None else thread
    starts = messages(text, thread)
    for k, (s, e) in enumerate(zip(starts, (*starts[1:], len(text)))):
        if k + 1 < len(starts) and thread.supersedes.search(text, s, e):
            return text[:e] + " " * (len(text) - e)
    return text


def background_blanked(text: str) -> str:
    """The text with what describes no case blanked: a transcript's desk turns, a thread's replaced plans."""
    return without_superseded(without_desk_turns(text))


@lru_cache(maxsize=4)
def load_markers(path: Path | None = None) -> tuple[Marker, ...]:
    path = Path(path) if path else ROOT / "corpus" / "spans.toml"
    try:
        d = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"片段标注表无法读取：{path}（{e}）/ cannot read span markers {path}") from None
    windows = d.get("windows", {})
    out = []
    for m in d["marker"]:
        where = f"[[marker]] {m.get('name', '?')}"
        try:
            kind = SpanKind(m["kind"])
            if kind is SpanKind.CASE:
                raise ValueError("case is what no marker claims")
            # each pattern's (?P<x>…) gets its own name: one alternation may not repeat a group name
            pats = [_expand(where, p, windows).replace("(?P<x>", f"(?P<x{i}>") for i, p in enumerate(m["patterns"])]
            pattern = re.compile("|".join(f"(?:{p})" for p in pats))
            unless = re.compile(m["unless"]) if m.get("unless") else None
            before = re.compile(m["unless_before"]) if m.get("unless_before") else None
            only = re.compile(m["only_with"]) if m.get("only_with") else None
            asked = re.compile(m["unless_asked"]) if m.get("unless_asked") else None
        except (KeyError, ValueError, re.error) as e:
            raise ConfigError(f"spans.toml {where} 无效：{e} / invalid marker: {e}") from None
        if not m.get("examples") or "counter_examples" not in m:
            raise ConfigError(f"spans.toml {where} 须有 examples 和 counter_examples / needs examples and counter_examples")
        out.append(Marker(m["name"], kind, pattern, unless, tuple(m["examples"]), tuple(m["counter_examples"]), before,
                          only, asked))
    return tuple(out)


def mark(text: str, markers: tuple[Marker, ...] | None = None, hide: str = "□") -> tuple[Span, ...]:
    """The spans of one part, in order, covering the whole text. Markers run in file order; each sees
    the text with earlier marks hidden (same length, so positions hold)."""
    markers = load_markers() if markers is None else markers
    work, claimed = text, []
    taken = [False] * len(text)
    for s, e in set_aside(text, load_options()):  # "方案一…方案二…选了方案二": the other options are no case
        work = work[:s] + hide * (e - s) + work[e:]
        taken[s:e] = [True] * (e - s)
        claimed.append(Span(SpanKind.CONTRAST, s, e, text[s:e], "options"))
    for s, e in set_aside_items(text, load_items()):
        # "一、…二、…三、… 第二项是否合规？": the other items are no case
        for a, b in _free(s, e, taken):
            work = work[:a] + hide * (b - a) + work[b:]
            taken[a:b] = [True] * (b - a)
            claimed.append(Span(SpanKind.CONTRAST, a, b, text[a:b], "items"))
    for mk in markers:
        found = []
        for m in (mk.pattern.finditer(work) if mk.applies(text) else ()):
            x = next((g for g, v in m.groupdict().items() if g[0] == "x" and v), None)
            s, e = m.span(x) if x else m.span()
            if e > s and not (mk.unless and mk.unless.search(text, *m.span())) and not _said_before(mk, text, m.start()):
                found += _free(s, e, taken)  # a match may run over an earlier mark: keep only the new part
        for s, e in found:
            work = work[:s] + hide * (e - s) + work[e:]
            taken[s:e] = [True] * (e - s)
        claimed += [Span(mk.kind, s, e, text[s:e], mk.name) for s, e in found]
    claimed.sort(key=lambda sp: sp.start)
    out, pos = [], 0
    for sp in claimed:
        if sp.start > pos:
            out.append(Span(SpanKind.CASE, pos, sp.start, text[pos:sp.start]))
        out.append(sp)
        pos = sp.end
    if pos < len(text):
        out.append(Span(SpanKind.CASE, pos, len(text), text[pos:]))
    return tuple(out)


def without_desk_turns(text: str, markers: tuple[Marker, ...] | None = None) -> str:
    """`text` with a transcript's desk turns (答：… / 客服：…, corpus/spans.toml desk_turn) blanked to spaces: they
    ask back and never describe the case, and their question marks must not split the caller's question."""
    for mk in (load_markers() if markers is None else markers):
        if mk.name == "desk_turn" and mk.applies(text):
            text = mk.pattern.sub(lambda m: " " * len(m.group()), text)
    return text


def _said_before(mk: Marker, text: str, start: int) -> bool:
    """Whether the marker's `unless_before` appears in the same sentence just before the match."""
    if mk.unless_before is None:
        return False
    lead = re.split(r"[。!！?？\n]", text[max(0, start - 16):start])[-1]
    return bool(mk.unless_before.search(lead))


def _free(s: int, e: int, taken: list[bool]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i in range(s, e):
        if taken[i]:
            continue
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def case_text(text: str, spans: tuple[Span, ...], hide: str = "□") -> str:
    """The text with every non-case span hidden: what the fact reader sees."""
    for sp in spans:
        if sp.kind is not SpanKind.CASE:
            text = text[:sp.start] + hide * (sp.end - sp.start) + text[sp.end:]
    return text
