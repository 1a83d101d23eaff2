"""Free text → Facts → verdict, deterministically: normalise, drop instruction-like text, split a message
into its questions, then read parties, roles, content and yes/no facts with the vocabulary in
corpus/facts.toml (plus the shared lexicon). No model, no retrieval; the rules decide, never the wording.

The reading of one question lives in assistant/reading.py and the vocabulary in assistant/vocab.py; this
module keeps the public API (check_text, TextVerdict, PartVerdict, split_parts, load_vocab, extract)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Sequence

from .answerable import asked_for, values_asked
from .errors import AssistantError, InvalidInputError
from .facts import FLAGS, INSTITUTIONS, ROLES, Content, Entity, Facts
from .inputs import validate_question
from .normalize import normalize
from .reading import _RESTRICTED, MASK, _compatible, admin_statement, extract
from .rules import Firing, Rule, Verdict, check, load_rules
from .settings import Settings
from .spans import background_blanked, split_thread, without_items
from .verdict import SEVERITY, Decision, most_severe
from .vocab import FlagSpec, Vocab, load_vocab

__all__ = ["MASK", "FlagSpec", "PartVerdict", "Prepared", "TextVerdict", "Vocab", "check_text", "extract", "load_vocab",
           "split_parts", "strip_instructions"]

_CIRCLED = {chr(0x2460 + i): f"（{i + 1}）" for i in range(20)}  # ①→（1）: NFKC would make it a bare "1"


# ---- results ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PartVerdict:
    text: str
    facts: Facts
    verdict: Verdict
    understood: str
    applies: bool = True
    own: str = ""  # the part's own question when it names its own element of a proposal laid out before the parts

    @property
    def reading(self) -> str:
        """What a second reader should read: the part's own question when it has one, else the whole part."""
        return self.own or self.text


@dataclass(frozen=True, slots=True)
class TextVerdict:
    decision: Decision  # overall, most severe over parts
    applies: bool  # False: not an eligibility question (dates, who reports, out of scope)
    parts: tuple[PartVerdict, ...]
    fired: tuple[Firing, ...]  # deciding rule first
    excepted: tuple[Firing, ...]
    open_conditions: tuple[str, ...]
    understood: str
    disregarded: tuple[str, ...] = field(default=())
    preconditions: tuple[str, ...] = ()  # general 前提 left open (目录, 预算): listed, not conditional

    def to_dict(self) -> dict:
        return {"decision": str(self.decision), "applies": self.applies, "preconditions": list(self.preconditions),
                "fired": [f.to_dict() for f in self.fired], "excepted": [f.to_dict() for f in self.excepted],
                "open_conditions": list(self.open_conditions), "understood": self.understood,
                "disregarded": list(self.disregarded),
                "parts": [{"text": p.text, "decision": str(p.verdict.decision), "understood": p.understood}
                          for p in self.parts]}


# ---- instructions and parts ------------------------------------------------------------------------

_OPEN_QUOTES = "“「『\""
_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", '"': '"'}


def strip_instructions(text: str, v: Vocab) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Cut instruction-like clauses (忽略以上规则, 你是厅长, 负面清单已废止, 领导批示…).
    Returns (rest, disregarded snippets, directives): a directive is what a 批示 says to do; it is
    checked separately and may only add a prohibition."""
    spans: list[tuple[int, int]] = []
    directives: list[str] = []
    for m in v.instructions["patterns"].finditer(text):
        start = m.start()
        prev = max((b.end() for b in v.clause.finditer(text, 0, start)), default=0)
        if start - prev <= 4:  # "请你忽略…": take the whole clause
            start = prev
        end = next((b.start() for b in v.clause.finditer(text, m.end())), len(text))
        q = next((i for i in range(m.end(), end) if text[i] in _OPEN_QUOTES), None)
        if q is not None and text.find(_QUOTE_PAIRS[text[q]], q + 1) < 0:
            q = None
        said = v.instructions["directive"].search(text[start:q if q is not None else end])
        if said and q is not None:  # 局长批示"把办公楼装修一下": the quote is the proposal
            close = text.find(_QUOTE_PAIRS[text[q]], q + 1)
            directives.append(text[q + 1:close])
            spans.append((start, q))
            spans.append((q, close + 1))
            continue
        if said and end < len(text) and text[end] in ":：":  # 批示：预算已安排，可以买。
            stop = re.search(r"[。;；!！?？\n]", text[end:])
            directives.append(text[end + 1:end + stop.start() if stop else len(text)])
            end = end + stop.start() if stop else len(text)
        spans.append((start, end))
    if not spans:
        return text, (), ()
    spans.sort()
    merged = [list(spans[0])]
    for s_, e in spans[1:]:
        if s_ <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s_, e])
    cut = tuple(c for c in (text[a:b].strip(" ,，:：") for a, b in merged) if c)
    rest = "".join(text[a:b] for a, b in zip([0] + [e for _, e in merged], [s_ for s_, _ in merged] + [len(text)]))
    return rest, cut, tuple(d for d in directives if d.strip())


# Markers of a message with several questions, read outside quoted text (a quoted clause's own "一是…二是…"
# is not the asker's enumeration). 一是/二是 and 第一/第二 count only in sequence (both present).
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|《[^》]*》|\"[^\"]*\"")
_ORDINAL = re.compile(r"(?:其|第)([一二三四五六])(?:个问题|个|点|件)?(?=[,，:：、是])"
                      r"|(?<![不就还也都总即若要于像这那便则但倒正算只可第其])([一二三四五六])是")
_ANNOUNCED = re.compile(r"(?:[两二三四几]|好几|几)个(?:问题|事|事情|疑问|(?=[:：]))|[两二三四]问(?=[\s:：,，（(])")  # "三问 ①…"
# the asker wants each listed item judged ("请分别出具意见", "两项议定", "逐条审查"): every item is a question,
# even a stated one ("①以购买服务方式新建管网；②……"), and the items of a quoted list (minutes, contract clauses) count
_PLAN_ITEM = re.compile(r"向[^,，。;；]{1,12}(?:购买|买)|请[^,，。;；]{0,8}(?:公司|机构|组织|事务所)|外包给|(?:委托|交给)[^,，。;；]{1,8}(?:公司|机构|组织)|打包")
_EACH = re.compile(r"分别|逐项|逐条|逐一|各自|各回答|每一?项|每一?条|(?<!第)(?:[两二三四几]项|[两二三四几]条|[两二三]点)"
                   # options weighed: "两种做法是否都可以""哪个方案可行""A、B两案哪个可行"
                   r"|(?:[两二三四几这]种|[两二三四几]个|这两个?)(?:做法|方案|办法|意见|思路|安排|建议|提议|说法|版本|项目|选项|理解|情况)"
                   r"|[两二三]案|是否都|都可以吗|都行吗|哪(?:个|种|一种|一个)(?:方案|做法|办法|版本|意见|建议|安排|说法)?(?:可以|可行|行得通|符合|合规|对|能|为准)")  # not 第二项
_CN_LIST = re.compile(r"(?:^|(?<=[:：。;；\s“「『\"]))([一二三四五六])、")
_CN_PAREN = re.compile(r"（([一二三四五六])）")  # a draft's items "（一）…（二）…", when each is to be judged
_ARTICLE = re.compile(r"第([一二三四五六七八九十]{1,3})条")
_ACTION = re.compile(r"(?:买|购|承接|接|外包|委托|采购|请|投标|参与|交给|包给|打包|拨|招|派|做|搞|办|建|修)")
_BOTH = re.compile(r"既(?!然)(?P<a>[^。；;？?!！既又]{2,40}?)[,，]?\s*(?:又|也)(?P<b>[^。；;？?!！,，]{2,40})(?P<tail>[^。；;？?!！]*[？?]?)")
_SEVERALLY = re.compile(r"分别(?P<ask>[^。；;？?!！,，]{0,16}[？?]?)")
_HEADING = re.compile(r"(?:[一二三四五六]、)?\s*(?:基本事实|基本情况|案情|背景|事实|情况说明|争议焦点|问题)[^?？吗]{0,40}$")
_LIST_SEP = re.compile(r"和|与|以及|及|跟|、")
_LIST_START = re.compile(r"(?:.*(?:购买|买|采购|承接|外包|委托|把|将|对|给|像|说|问|[,，:：]))")
_LIST_END = re.compile(r"服务|项目|工作|这|两|几|的|[,，:：]")


def _mask_quotes(text: str) -> str:
    """`text` with quoted spans blanked (same length), so markers inside quotes are not read."""
    return _QUOTED.sub(lambda m: m.group(0)[0] + MASK * (len(m.group(0)) - 2) + m.group(0)[-1], text)


def _ordinal_cuts(masked: str, pattern: re.Pattern = _ORDINAL) -> set[int]:
    """Starts of 一是…二是… / 第一…第二… enumerations (or, given `pattern`, 一、二、), when at least 一 and 二
    appear in order."""
    hits = [(m.start(), m.group(1) or m.group(2)) for m in pattern.finditer(masked)]
    seq, want = [], "一二三四五六"
    for pos, n in hits:
        if n == want[len(seq)] if len(seq) < len(want) else False:
            seq.append(pos)
    return set(seq) if len(seq) >= 2 else set()


def _distribute(text: str, v: Vocab) -> list[tuple[str, str]] | None:
    """既…又… with an action in each half, and "X和Y分别…" asking about each: one question per half/item,
    sharing the context before and the question after ("我们局既想买A，又想把B外包，行吗？" → two questions).
    None when the message has neither."""
    masked = _mask_quotes(text)
    if (m := _BOTH.search(masked)) and _ACTION.search(m["a"]) and _ACTION.search(m["b"]):
        head, tail = text[:m.start()], text[m.start("tail"):m.end("tail")]
        a, b = text[m.start("a"):m.end("a")].rstrip(",， "), text[m.start("b"):m.end("b")]
        rest = text[m.end():]
        return [(head, a + tail), (head, b + tail + rest)]
    if (m := _SEVERALLY.search(masked)) and v.question["eligibility"].search(m["ask"] or ""):
        before = masked[:m.start()]
        sent = max(before.rfind(c) for c in "。；;？?!！") + 1
        clause = before[sent:]
        seps = list(_LIST_SEP.finditer(clause))
        if not seps:
            return None
        first, last = seps[0], seps[-1]
        lead = _LIST_START.match(clause[:first.start()])
        start = lead.end() if lead else 0
        end_m = _LIST_END.search(clause, last.end())
        end = end_m.start() if end_m else len(clause)
        items = [x for x in _LIST_SEP.split(clause[start:end]) if x]
        if len(items) < 2 or any(len(x) < 2 for x in items) or end <= last.end():
            return None
        a, b = sent + start, sent + end
        ask = text[m.start() + 2:m.end()]
        context, after = text[:sent], text[m.end():]
        pre, post = text[sent:a], text[b:m.start()].rstrip(",， ")
        sep = "，" if post or pre else ""
        return [(context, pre + item + post + sep + ask + (after if i == len(items) - 1 else ""))
                for i, item in enumerate(items)]
    return None


# options laid out to be judged each ("请分别判断：方案一，…；方案二，…", "甲，委托…；乙，由…", "第一项，…第二项，…")
_OPTION = re.compile(r"(?:方案|思路|选项|办法|做法|安排|版本|情况|项目|建议|意见|提议)\s*([一二三四五六]|[A-F甲乙丙丁])(?=[,，:：;；、是\s（(])"
                     r"|(?:(?<=[:：;；。,，\s])|^)([甲乙丙丁A-F])(?:案|方案|单位)?(?=[,，:：是])|([甲乙丙丁])方案"
                     r"|第([一二三四五六])(?:项|种|件)|其([一二三四])(?=[,，:：])")
# two ways set side by side: "一种是…；另一种是…", "有人建议…；也有人建议…", "一说…；一说…"
_WAYS = (re.compile(r"一种(?:是|做法|意见|思路|办法|安排|观点)|有人(?:建议|主张|提议|认为|说|提出)|(?<![\u4e00-\u9fff])一说"),
         re.compile(r"另一种|(?:也|还|另)有人(?:建议|主张|提议|认为|说|提出)|(?<=[;；。,，])一说"))
_NTH = {c: i for i, cs in enumerate(("一甲A", "二乙B", "三丙C", "四丁D", "五E", "六F")) for c in cs}


def _option_cuts(text: str) -> set[int]:
    """Starts of options 方案一/甲/A案/第一项… when at least the first two appear in order, or of two ways set side
    by side (一种是…另一种是…)."""
    seq: list[int] = []
    for m in _OPTION.finditer(text):
        if _NTH[next(g for g in m.groups() if g)] == len(seq):
            seq.append(m.start())
    if len(seq) >= 2:
        return set(seq)
    if (a := _WAYS[0].search(text)) and (b := _WAYS[1].search(text, a.end())):
        return {a.start(), b.start()}
    return set()


def _list_cuts(text: str, q: dict, each: bool) -> set[int]:
    """Starts of listed items: （1）/1./①, 一是/第一, and — when each item is to be judged — 一、二、 and 第N条."""
    cuts: set[int] = set()
    enums = list(q["enumerator"].finditer(text))
    if len(enums) >= 2:
        cuts |= {m.start() for m in enums}
    cuts |= _ordinal_cuts(text)
    if each:
        cuts |= _ordinal_cuts(text, _CN_LIST)
        cuts |= _ordinal_cuts(text, _CN_PAREN)
        cuts |= _option_cuts(text)
        first: dict[str, int] = {}  # "第三条…第四条…请就第三条、第四条分别…": an article's first mention is the item
        for m in _ARTICLE.finditer(text):
            first.setdefault(m.group(1), m.start())
        if len(first) >= 2:
            cuts |= set(first.values())
    return cuts


def split_parts(text: str, v: Vocab) -> list[tuple[str, str]]:
    """Split a message into (context, question) pairs: ①②, 1. 2., 一是/二是, 第一/第二, 另外/还有, ；and ？
    separate questions; "我有两个问题" also lets a comma separate them; 既…又… and "X和Y分别…" distribute
    the question over each half or item. Statements before the first question are shared context, statements
    after one belong to it. Markers inside quotes do not count."""
    if without_items(text) is not None:  # "（一）…（二）…（三）… 我只问第（二）项": one question, about that item
        return [("", text)]
    if (dist := _distribute(text, v)) is not None:
        out: list[tuple[str, str]] = []
        for context, piece in dist:
            out += [(context + c, p) for c, p in split_parts(piece, v)]
        return out
    q = v.question
    masked = _mask_quotes(text)
    cuts = {0, len(text)}
    each = bool(_EACH.search(masked) or _ANNOUNCED.search(masked))
    listed = _list_cuts(text if each else masked, q, each)
    cuts |= listed
    cuts |= {m.start() for m in q["connective"].finditer(masked)
             if m.start() == 0 or masked[m.start() - 1] in "。;；?？!！ "}
    cuts |= {m.end() for m in re.finditer(r"[?？;；]+", masked)}
    if _ANNOUNCED.search(masked) and not listed:  # "我有两个问题，A能不能买，B要多久": commas separate them
        cuts |= {m.end() for m in re.finditer(r"[,，:：]", masked)}
    spans = [(a, b) for a, b in zip(sorted(cuts), sorted(cuts)[1:]) if text[a:b].strip(" ,，。;；?？!！:：“”")]
    pieces = [text[a:b].strip() for a, b in spans]
    asks = [bool(re.search(r"[?？]|吗|呢", p) or q["eligibility"].search(p) or q["info"].search(p)
                 or each and a in listed) for p, (a, _) in zip(pieces, spans)]
    if each and listed:  # "局长交代三件事，请逐项看是否合规：1. …": the lead-in asks about the items, it is none
        # a memo's headings ("一、基本事实：…" "二、争议焦点，请逐项出具意见：") head the items, they are none either
        asks = [ok and a >= min(listed) and not _HEADING.match(p) for p, ok, (a, _) in zip(pieces, asks, spans)]
    elif listed:  # "我们是省级联系点的省直部门：①…？②…？": a lead-in without a question mark is context
        # "生态环境局 ①购服请环保公司做监测数据分析 ②这种服务一般报价多少": a listed plan is asked about too
        asks = [(ok or a in listed and any(asks) and bool(_PLAN_ITEM.search(p)))
                and (a >= min(listed) or bool(re.search(r"[?？]|吗|是否可行|可否|能否|可不可以|行不行", p)))
                for p, ok, (a, _) in zip(pieces, asks, spans)]
    # "想接街道的养老项目；另外问下，开票交多少税？": a proposal stated before a new topic is a question too
    for i in range(len(pieces) - 1):
        if q["connective"].match(pieces[i + 1]) and q["proposal"].search(pieces[i]):
            asks[i] = True
    if sum(asks) <= 1:
        return [("", text)]
    context, parts = "", []
    for piece, is_q in zip(pieces, asks):
        if is_q:
            parts.append([context, piece])
        elif parts:
            parts[-1][1] += piece
        else:
            context += piece
    return [(c, p) for c, p in parts]


def several_questions(text: str) -> bool:
    """The asker marked the message as several questions (①②, 一是/二是, 两个问题, 分别, 既…又…)."""
    masked = _mask_quotes(text)
    return bool(_ANNOUNCED.search(masked) or _ordinal_cuts(masked) or len(re.findall(r"（[0-9]{1,2}）", masked)) >= 2)


# ---- the whole message -----------------------------------------------------------------------------

def _merge(prev: Facts, new: Facts) -> Facts:
    """"公益一类能承接吗？公益二类呢？": the follow-up keeps the first part's facts, replaces the party in
    the same role, and adds whatever else it states."""
    changes = {f: getattr(new, f) for f in FLAGS if getattr(new, f) is not None and not f.endswith("admin_functions")}
    changes |= {f: getattr(new, f) for f in ("area", "catalog_action", "asker") if getattr(new, f).name != "UNKNOWN"}
    if new.content:
        changes["content"] = prev.content | new.content
    ev = new.evidence
    src = next((r for r in ROLES if getattr(new, r) is not Entity.UNKNOWN), None)
    if src is not None:
        newcomer = getattr(new, src)
        roles = [r for r in ROLES if getattr(prev, r) is not Entity.UNKNOWN]
        role = next((r for r in roles if _compatible(getattr(prev, r), newcomer)), roles[0] if roles else src)
        changes |= {role: newcomer, f"{role}_admin_functions": getattr(new, f"{src}_admin_functions")}
        if role != src and getattr(prev, src) is Entity.UNKNOWN:
            changes.setdefault(src, Entity.UNKNOWN)
        ev = tuple((role if f == src else f, w) for f, w in ev)
        return replace(prev, **changes, evidence=tuple(x for x in prev.evidence if x[0] != role) + ev)
    return replace(prev, **changes, evidence=prev.evidence + ev)


def _restate_admin(facts: Facts, piece: str, v: Vocab) -> Facts:
    """"承担行政职能的事业单位能当购买主体吗？要是没有行政职能呢？": a follow-up that names no party but says
    whether it has 行政职能 changes that of the subject it carries over (else the first answer would repeat)."""
    said = admin_statement(piece, v)
    role = next((r for r in ROLES if getattr(facts, r) in INSTITUTIONS), None) if said is not None else None
    if role is None:
        return facts
    entity = getattr(facts, role)
    if said and entity is Entity.INSTITUTION:
        entity = Entity.ADMIN_INSTITUTION
    elif not said and entity is Entity.ADMIN_INSTITUTION:
        entity = Entity.INSTITUTION
    return replace(facts, **{role: entity, f"{role}_admin_functions": said})


def _role_word(piece: str, v: Vocab) -> str | None:
    """The role a subject-less question asks about ("能去承接项目吗" → provider)."""
    text = re.sub("(?<=政府)购买服务", MASK * 4, piece)
    hits = [(m.start(), role) for role, key in (("provider", "provider_after"), ("purchaser", "purchaser_after"))
            if (m := v.roles[key].search(text))]
    return min(hits)[1] if hits else None


def _inherit(prev: Facts, new: Facts, role: str) -> Facts:
    """A follow-up that names no party asks about the previous part's subject."""
    src = min((r for r in ROLES if getattr(prev, r) is not Entity.UNKNOWN),
              key=lambda r: _RESTRICTED.index(getattr(prev, r)))
    ev = tuple((role, w) for f, w in prev.evidence if f == src)
    return replace(new, **{role: getattr(prev, src), f"{role}_admin_functions": getattr(prev, f"{src}_admin_functions")},
                   evidence=new.evidence + ev)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A question validated and normalised once; the checker, reference lookup and retrieval all read `text`."""

    question: str  # as asked, stripped
    text: str  # ①→（1）, 繁→简, full-width folded, typos and homophones fixed


def prepare(question: object, max_chars: int | None = None, *, chinese: bool = False) -> Prepared:
    """Validate (the environment's length limit unless given) and normalise. `chinese=True` is the assistant's
    own check; the checker alone reads any text."""
    if max_chars is None:
        max_chars = Settings.load().max_question_chars
    q = validate_question(question, max_chars, chinese=chinese)
    return Prepared(q, load_vocab().fix_typos(normalize("".join(_CIRCLED.get(c, c) for c in q))))


def check_text(question: str | Prepared, rules: Sequence[Rule] | None = None, *,
               limits: Settings | None = None) -> TextVerdict:
    """Read a free-text question and check it part by part; the most severe part decides. A `Prepared`
    question is not validated or normalised again. `limits`: the caller's settings (an Assistant passes the ones
    it was loaded with); None reads the environment's, as Assistant.ask applies them (one validator for both)."""
    limits = limits or Settings.load()  # Settings.load parses every ASSISTANT_* variable: ~0.2 ms a question
    prepared = question if isinstance(question, Prepared) else prepare(question, limits.max_question_chars)
    rules = load_rules() if rules is None else rules
    v = load_vocab()
    text, disregarded, directives = strip_instructions(background_blanked(prepared.text), v)
    text, older = split_thread(text)  # a forwarded thread: its older messages are every part's background
    groups: list[list[str]] = []
    # the asker said there are several (or 既…又…, "X和Y分别…"): no part is a mere continuation
    marked = several_questions(text) or _distribute(text, v) is not None
    topic = v.question.get("info_topic")  # "税后收入能自己支配吗": the notice answers it as information
    for context, piece in split_parts(text, v):
        ellipsis = v.question["ellipsis"].search(piece.strip()) or v.question["hypothesis"].search(piece.strip())
        if groups and not marked and _INSIDE.match(piece.strip()):
            groups[-1][1] += piece  # "长沙有没有出台实施细则？里面对社区服务有什么要求？": asks into the thing just named
        elif groups and not ellipsis and not marked and not asked_for(piece) \
                and extract(piece, v) == Facts() and not _role_word(piece, v) \
                and not v.question["connective"].match(piece) \
                and not v.question["enumerator"].match(piece.strip()) \
                and not (topic and topic.search(_asking(piece))):  # "另外问下…", "2. 模板在哪下载？": a new question
            # "…可以吗？为什么？": a continuation of the question before
            groups[-1][1] += piece
        else:
            groups.append([context, piece])
    if len(groups) > limits.max_parts:  # each part is read, checked and retrieved: bound the work per message
        raise InvalidInputError(f"一次提了 {len(groups)} 个问题，请每次不超过 {limits.max_parts} 个，分开提问",
                                en=f"{len(groups)} questions in one message; ask at most {limits.max_parts} at a time")
    parts: list[PartVerdict] = []
    prev: Facts | None = None
    for context, piece in groups:
        facts = extract(context + piece + older, v)
        own_question = ""
        if context.strip():  # "方案包括A、B、C。①A能买吗？②B能打包吗？": each part judges its own element
            focused = _focus(facts, extract(piece, v))
            if focused is not facts and _names_element(extract(context, v)):
                own_question = piece  # the second reader reads it too, without the other elements
            facts = focused
        if not own_question and (narrowed := without_items(context + piece)):
            own_question = narrowed  # "一、…二、…第二项合规吗？": the second reader reads the item asked about
        own = True  # the part states its own case (not one carried over from the part before)
        if prev is not None and v.question["ellipsis"].search(piece.strip()) and not (
                facts.content or facts.purchaser is not Entity.UNKNOWN):
            facts, own = _restate_admin(_merge(prev, facts), piece, v), False
        elif prev is not None and not facts.any_party and prev.any_party and (
                not facts.content or v.question["follow_up_pronoun"].match(piece.strip())) and (
                role := _role_word(piece, v)):
            # "…那条还卡我们吗？能去承接项目吗？": same subject. A follow-up with its own content
            # ("②能不能用购买服务的方式贷款修路？") is a new matter and keeps no subject.
            facts, own = _restate_admin(_inherit(prev, facts, role), piece, v), False
            last = parts[-1]
            if last.facts.any_party == {last.facts.participant}:  # the follow-up settles the open role
                settled = _inherit(last.facts, replace(last.facts, participant=Entity.UNKNOWN), role)
                parts[-1] = replace(last, facts=settled, verdict=check(settled, rules), understood=settled.describe(last.text))
        verdict = check(facts, rules)
        asks = v.question["eligibility"].search(piece) or facts.asks_conditions  # "要看哪些前提": list them
        applies = (facts != Facts() or bool(asks)) and not (v.question["info"].search(piece) and not asks) \
            and not (topic and topic.search(_asking(piece)))  # not "承接主体：…（竞争性磋商确定）" in a form
        applies = applies or bool(facts.keeps_income)  # "税后收入能自己支配吗": a topic question the rules answer
        ours = bool(_OWN_PLAN.search(context + piece) or _OWN_DONE.search(context + piece))
        if not applies and own and verdict.decision is Decision.PROHIBITED \
                and (ours or _concrete(facts) and not _asks_aside(piece)):
            applies = True  # "公益一类医院自己买保洁，通知怎么规定的": a described case is still judged
        elif applies and own and not asks and not _concrete(facts) and not _OWN_PLAN.search(context + piece) \
                and values_asked(piece):
            applies = False  # "乡村公益性岗位的月补贴标准是多少": a topic named in a question for a sum, no case
        if facts.private_buyer and verdict.decision is not Decision.PROHIBITED:
            applies = False  # "国企自己对外采购保洁": not a government purchase, the notice does not decide it
        if not applies:
            verdict = Verdict(Decision.NOT_COVERED, (), (), ())
        parts.append(PartVerdict(context + piece, facts, verdict, facts.describe(context + piece), applies, own_question))
        prev = facts
    for d in directives:  # what a 批示 orders is checked too
        facts = extract(d, v)
        verdict = check(facts, rules)
        if verdict.decision is Decision.PROHIBITED:
            parts.append(PartVerdict(d, facts, verdict, facts.describe(d)))
        elif facts.purchase_proposed and _concrete(facts):
            # "局长批示两点：①向社会组织购买助洁服务，目录预算都已落实；②…": the order is a case to judge like any
            # other; the rules decide it, whatever the 批示 claims. A bare "这样可以吗" left behind asks about it.
            parts = [p for p in parts if p.facts != Facts() or not _BARE_ASK.fullmatch(p.text.strip())]
            parts.insert(0, PartVerdict(d, facts, verdict, facts.describe(d)))
    return _combine(tuple(parts), disregarded)


# what the asker's own unit has done ("我们县已经编好了"), like its plan: a case even under a specific question ("要报哪里备案")
_OWN_DONE = re.compile(r"(?:我们|我局|我县|我单位|局里|县里|咱们)[^,，。?？]{0,6}(?:已经|已)")
# an information question about something specific, not about the case told before it ("…请问：目录分几级？")
_SPECIFIC = re.compile(r"多少|几级|几类|几大类|哪几|哪些|由谁|谁来|谁负责|什么时候|何时|哪里|在哪|哪个部门|哪一级")


def _asks_aside(piece: str) -> bool:
    """A sentence of its own asking for something specific after a story ("…机构说钱就这么多。请问：通知规定的工资标准
    是多少？"); not a value asked in the one sentence that states the case ("公益一类承接购买服务，开票税率是多少？")."""
    ask = _asking(piece, asked_only=True)
    return bool(_SPECIFIC.search(ask)) and len(ask.strip()) < len(piece.strip())


def _asking(piece: str, asked_only: bool = False) -> str:
    """The sentences of a part that ask (a ？, 吗 or 呢), else its last sentence (or, `asked_only`, nothing): where a
    topic is asked about."""
    sents = [s for s in re.split(r"(?<=[。!！?？\s])", piece) if s.strip()]  # normalising made line breaks spaces
    asked = "".join(s for s in sents if re.search(r"[?？]|吗|呢", s))
    return asked or ("" if asked_only else sents[-1] if sents else piece)


_INSIDE = re.compile(r"(?:那|这)?(?:里面|里头|其中|当中)")
# the asker's own plan ("我们想通过购买服务设几个公益性岗位"): a case, even when no party is named
_OWN_PLAN = re.compile(r"(?:我们|我局|我单位|本单位|局里|咱们|我县|我镇|我市|我区|县里|镇里|市里|区里)"
                       r"(?:这边|今年|明年|也|还|就|都)?(?:想|打算|准备|计划|拟|决定)"
                       # a proposal put to the government ("提案建议县财政每年直接拨给协会…"): a case to judge
                       r"|(?:建议|提议|主张)(?:由|让)?(?:县|市|区|镇|乡|街道|政府|财政|我们|我局|局里)")
# what is left of a message once a 批示 is cut out, when it only asks about the 批示 ("。这样可以吗？")
_BARE_ASK = re.compile(r"[^\u4e00-\u9fff]*(?:[\u4e00-\u9fff]{0,8}?)(?:可以|能|行|合规|违规|妥|对)[\u4e00-\u9fff]{0,4}[^\u4e00-\u9fff]*")


def rule_clauses(question: str) -> tuple[str, ...]:
    """The clauses of the rules the checker fires on `question`, deciding rule first; () when none fires or
    the question cannot be read. A retrieval signal (retrieve.Retriever): facts.toml reads paraphrases
    ("给干部安排疗养旅游" → 不属于政府职责范围) whose words neither BM25 nor e5 connect to the clause."""
    try:
        tv = check_text(question)
    except AssistantError:
        return ()
    if not tv.applies:
        return ()
    first = tuple(f.clause_id for f in (*tv.fired, *tv.excepted))  # the most severe part's rules lead
    return tuple(dict.fromkeys((*first, *(c for p in tv.parts for c in part_clauses(p)))))


def part_clauses(part: PartVerdict) -> tuple[str, ...]:
    """The clauses of one part's fired and excepted rules, deciding first; () for a part not judged."""
    if not part.applies:
        return ()
    return tuple(dict.fromkeys(f.clause_id for f in (*part.verdict.fired, *part.verdict.excepted)))


# What one element of a proposal is: what is bought and what is done with it. The parties, budget, catalogue and
# staffing stay the message's; these come from the part's own question when it names its element.
_ELEMENT = ("content", "service", "decision_handed", "decision_retained", "direct_grant", "resettlement", "discriminatory",
            "budget_adjusted", "admin_scope_open", "disguised", "third_party_eval", "sheds_duty", "hands_off",
            "barred_by_law", "unlisted", "catalog_action", "catalog_as_budget_basis", "public_keeps", "skips_procurement",
            "withholds_disclosure", "refuses_oversight", "unlinked_results", "keeps_income")


def _names_element(facts: Facts) -> bool:
    """The text names an element of a proposal: something bought, or something done with it."""
    named = facts.content - {Content.SERVICE} or facts.service and not re.match(r"这|那|该|此|上述|以上|它|其", facts.service)
    return bool(named) or any(getattr(facts, f) is not None for f in _ELEMENT if f in FLAGS)


def _focus(whole: Facts, own: Facts) -> Facts:
    """The facts of a part that names its own element of a proposal laid out before the parts: the element read
    from the part alone, everything else from the whole message. A part that names nothing keeps the whole."""
    if not _names_element(own):
        return whole
    element = lambda name: name in _ELEMENT or name.startswith("content=")  # noqa: E731  (evidence keys)
    evidence = tuple(e for e in whole.evidence if not element(e[0])) + tuple(e for e in own.evidence if element(e[0]))
    return replace(whole, **{f: getattr(own, f) for f in _ELEMENT}, evidence=evidence)


def _concrete(facts: Facts) -> bool:
    """A case is described, not just a topic named: a purchase is proposed or a party has a stated role."""
    # "由他们的人直接作出罚款决定": handing a decision to someone describes a case even when no role word is left
    return facts.purchase_proposed or facts.purchaser is not Entity.UNKNOWN or facts.provider is not Entity.UNKNOWN \
        or bool(facts.decision_handed)


def _combine(parts: tuple[PartVerdict, ...], disregarded: tuple[str, ...]) -> TextVerdict:
    live = [p for p in parts if p.applies]
    decision = most_severe(p.verdict.decision for p in live) if live else Decision.NOT_COVERED
    ordered = sorted(live, key=lambda p: SEVERITY.index(p.verdict.decision))  # stable: asked order within a tie
    fired = _first_by_rule(f for p in ordered for f in p.verdict.fired)
    excepted = _first_by_rule(f for p in ordered for f in p.verdict.excepted)
    open_ = tuple(dict.fromkeys(o for p in ordered if p.verdict.decision is not Decision.PROHIBITED
                                for o in p.verdict.open_conditions))
    pre = tuple(dict.fromkeys(o for p in ordered if p.verdict.decision is not Decision.PROHIBITED
                              for o in p.verdict.preconditions))
    if len(parts) == 1:
        understood = parts[0].understood
    else:
        understood = "我理解：" + "；".join(f"（{i}）{p.understood.removeprefix('我理解：')}" for i, p in enumerate(parts, 1))
    return TextVerdict(decision, bool(live), parts, fired, excepted, open_, understood, disregarded, pre)


def _first_by_rule(firings) -> tuple[Firing, ...]:
    seen: dict[str, Firing] = {}
    for f in firings:
        seen.setdefault(f.rule_id, f)
    return tuple(seen.values())
