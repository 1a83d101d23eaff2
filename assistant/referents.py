"""Several units set out first, one picked later: "县疾控中心是公益一类，县健康教育所是公益二类。…让后者来承接".

The intro names units with their class, staffing or funding; the question then points at one or two of them by
前者/后者, 甲/乙 or a demonstrative (那家公司, 这家律所, 该中心). The ones not pointed at are bystanders: their
class must not be read as a party's. So the pronoun is written out as the unit's name with its class, and each bystander's
segment (its name with the description that follows it) is hidden before the reader sees the text.
Government bodies are never hidden: the question usually calls them 局里, 区里, 委里."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .facts import Entity
from .vocab import Vocab

MASK = "□"  # a hidden character: positions do not move
_SENTENCE = "。；;!！?？\n"
# list separators of an intro; 和/与/及 only before something named ("和一家律师事务所")
_SEP = re.compile(r"[，,、：:；;。!！?？\n]|(?:和|与|及|以及)(?=一家|一所|一个|[省市县区镇乡某]|它下属)"
                  r"|(?<=[局委办府])(?:下面|下属|下设|所属)(?:有|的)?(?:两|三|几)?(?:个|家|所)?(?:直属)?(?:单位|机构)?")
_ASIDE = re.compile(r"[（(][^（）()]{0,30}[）)]")
# a segment that only describes the unit before it: "公益二类", "承担行政职能", "经费完全由财政保障"
_DESCRIPTOR = re.compile(r"^(?:它|其|都|均|也)?(?:是|为|属于?|系|定为|已定为)?(?:一家|一个|一所)?"
                         r"(?:不具备|不承担|承担|无|有|没有|具有)?(?:行政职能的)?"
                         r"(?:公益[一二]类|从事生产经营|生产经营类|尚未(?:完成)?(?:分类|定类)|未(?:分类|定类)|已(?:完成)?(?:分类|定类)|"
                         r"承担行政职能|具备行政职能|行政职能|纳入事业编制|(?:机关)?使用(?:行政|事业)编制|事业编|行政编|"
                         r"经费|人员经费|全额|差额|自收自支|依法登记|社会组织|民办|企业)")
# a unit's own name: ends in what a body is called
_NAME = re.compile(r"(?:(?!是|属于)[\u4e00-\u9fff]){1,14}?(?:中心|站|所|院|馆|宫|学校|中学|小学|学院|幼儿园|局|委|"
                   r"(?<=[政府委])办|残联|妇联|文联|侨联|工商联|社科联|科协|工会|协会|学会|商会|委员会|联合会|基金会|"
                   r"公司|企业|机构|组织|平台|事务所|集团|合作社|旅行社|报社|队|团委|团县委|剧团)"
                   r"(?![\u4e00-\u9fff]{0,2}(?:管理|领域))")
_IS = re.compile(r"^(?:是|为|属于|系)(?!否|不是)")  # "…服务中心是民政登记的民办非企业单位": a description too
_THERE_IS = re.compile(r"^(?:辖区内|辖区|本地|当地|另外|还|另)?有(?=一家|一所|一个|[省市县区镇乡某])")
_LABEL = re.compile(r"^(甲|乙|丙)(?:是|为|：|:|单位是?)")
_PAIR = re.compile(r"前者|后者")
# 甲/乙 as a reference, not where they are defined ("甲是县社会福利院")
_LETTER = re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=[由向让给和与]))(甲|乙|丙)(?![方级类等]|是(?!否|不是)|为|[：:]|单位)")
_DEMONSTRATIVE = re.compile(r"(?:那|这|该)(?:一)?(?:家|所|个)?([\u4e00-\u9fff]{1,3}?)(?=来|去|承接|作为|提供|负责|开展|做|"
                            r"购买|买|向|由|也|想|能|可以|[,，。?？的])")


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int  # through the descriptions that follow it
    name: str
    entity: Entity | None
    label: str = ""
    listed: bool = True  # its item only names and describes it ("县科协纳入事业编制管理"), no action of its own
    desc: tuple[str, ...] = ()  # what the intro says of it: "公益二类", "承担行政职能"


def _entity(text: str, v: Vocab) -> Entity | None:
    found = [(m.start(), x) for x, pat in v.entities for m in pat.finditer(text) if m.group()]
    return min(found, key=lambda t: t[0])[1] if found else None


def _pieces(head: str) -> list[tuple[int, int]]:
    """The intro's list items; a separator inside an aside ("（公益一类，无行政职能）") does not split."""
    flat = _ASIDE.sub(lambda m: "（" + "_" * (len(m.group()) - 2) + "）", head)
    cuts = [0, *(x for m in _SEP.finditer(flat) for x in (m.start(), m.end())), len(head)]
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2) if cuts[i + 1] > cuts[i]]


def _name(item: str) -> tuple[str, bool]:
    """The unit's name in a list item, and whether the item only names and describes it ("县科协纳入事业编制管理")
    rather than telling something it does. The longest name that leaves only a description wins: 县社会福利院, not 县社."""
    ends = [j for j in range(2, len(item) + 1) if _NAME.fullmatch(item, 0, j)]
    for j in reversed(ends):
        after = item[j:]
        after = after[a.end():] if (a := _ASIDE.match(after)) else after
        if not after.strip("。；;，, ") or _DESCRIPTOR.match(after) or _IS.match(after):
            return item[:j], True
    if m := _NAME.search(item):
        return m.group(), False
    return "", False


def _intro_units(head: str, v: Vocab) -> list[_Unit]:
    units: list[_Unit] = []
    for s, e in _pieces(head):
        body = head[s:e]
        if _DESCRIPTOR.match(body) and units:
            u = units[-1]
            units[-1] = _Unit(u.start, e, u.name, u.entity or _entity(body, v), u.label, u.listed, (*u.desc, body))
            continue
        label = (m.group(1) if (m := _LABEL.match(body)) else "")
        rest = body[m.end():] if label else body
        rest = rest[t.end():] if (t := _THERE_IS.match(rest)) else rest
        name, listed = _name(rest)
        if not name:
            continue
        after = rest[rest.find(name) + len(name):]
        desc = [a.group()[1:-1]] if (a := _ASIDE.match(after)) else []
        if listed and (more := after[a.end():] if a else after).strip("。；;，, "):
            desc.append(more)
        units.append(_Unit(s, e, name, _entity(body, v), label, listed, tuple(desc)))
    return units


def _written(u: _Unit, v: Vocab) -> str:
    """A unit written out in place of its pronoun, its class kept: "勘测设计院（从事生产经营活动的事业单位）";
    one described by a predicate is written as what it is said to be ("是民政登记的民办非企业单位")."""
    desc = [re.sub(r"^(?:是|为|属于?|系|已?定为)|[。；;，,\s]+$", "", d) for d in u.desc]
    if desc and _IS.match(u.desc[0]) and _entity(desc[0], v) is not None:
        return "，".join(desc)
    return f"{u.name}（{'，'.join(desc)}）" if desc else u.name


def _named_again(tail: str, u: _Unit) -> bool:
    short = re.sub(r"^(?:一家|一所|一个|某|[省市县区镇乡])", "", u.name)
    return u.name in tail or len(short) >= 3 and short in tail


def _demonstrated(tail: str, units: list[_Unit], v: Vocab) -> set[int]:
    """The units a demonstrative picks: 那家公司 (by kind), 该中心 / 该站 (by the end of the name, one unit only)."""
    picked: set[int] = set()
    for m in _DEMONSTRATIVE.finditer(tail):
        noun = m.group(1)
        kind = _entity(noun, v)
        hits = {i for i, u in enumerate(units) if kind is not None and kind is u.entity or u.name.endswith(noun)}
        if len(noun) >= 2 or len(hits) == 1:
            picked |= hits
    return picked


def focus(text: str, v: Vocab) -> str:
    """`text` with 前者/后者/甲/乙 written out and the bystanders of a several-unit intro hidden."""
    refs = [m.start() for p in (_PAIR, _LETTER, _DEMONSTRATIVE) for m in p.finditer(text)]
    if not refs:
        return text
    start = max(text.rfind(c, 0, min(refs)) for c in _SENTENCE) + 1
    head, tail = text[:start], text[start:]
    units = _intro_units(head, v)
    if len(units) < 2:
        return text
    chosen: set[int] = set()  # picked by a pronoun or a demonstrative: the question chooses among the units
    if _PAIR.search(tail):
        former, latter = units[-2], units[-1]
        chosen |= {len(units) - 2 + k for k, w in enumerate(("前者", "后者")) if w in tail}
        tail = tail.replace("前者", _written(former, v)).replace("后者", _written(latter, v))
    for i, u in enumerate(units):
        letter = f"(?:(?<![\u4e00-\u9fff])|(?<=[由向让给和与])){u.label}(?![方级类等])"
        if u.label and re.search(letter, tail):
            chosen.add(i)
            tail = re.sub(letter, _written(u, v), tail)
    chosen |= _demonstrated(tail, units, v)
    # bystanders are hidden only where several units are set out and the question picks among them
    others = [i for i, u in enumerate(units) if u.entity is not Entity.ADMIN_ORGAN]
    if not chosen or len(others) < 2:
        return head + tail
    for i in others:
        u = units[i]
        if i not in chosen and u.listed and u.entity is not None and not _named_again(tail, u):
            item = head[u.start:u.end]
            end = u.start + len(item.rstrip("。；;，,、 \n"))
            head = head[:u.start] + MASK * (end - u.start) + head[end:]
    return head + tail
