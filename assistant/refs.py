"""Exact lookup when a question names a clause by its number: "附件2第二部分第三项", "负面清单项目层面第5条",
"通知第二部分（二）", "二（三）", "附件2/二/（三）".

Deterministic and conservative: an ordinal counts only with a unit (第N部分/条/项…) or a bracketed
sub-number (二（三）), so "2022年11月30日前", "一类事业单位" or "第三方" never fire."""

from __future__ import annotations

import re
from typing import Iterable

from .clauses import Clause, cn_number
from .normalize import normalize

_N = r"[0-9]{1,2}|[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九]"  # only well-formed numerals
_CN = "零一二三四五六七八九十"
# 第N部分 / 第N条 / 第（N）项; a bare 第N only when a bracket follows (第二（三）)
_ORDINAL = re.compile(
    rf"第\s*(?:（({_N})）|({_N}))\s*(?:(部分|章|大项|条|项|点|款)|(?=（))"  # 1/2: number, 3: unit
    rf"|(?<![0-9])({_N})、?\s*（({_N})）"  # 4/5: 二（三） and 二、（三）
    rf"|（({_N})）\s*(?:项|条|款|点)?"  # 6: a bracketed sub-number on its own
)
_LAYER = re.compile(r"([\u4e00-\u9fff]{2})层面")
_ANNEX = re.compile(r"附件\s*([0-9]{1,2}|[一二三四五六七八九十])")  # 附件二二（八） = 附件二 + 二（八）
_MAIN = re.compile(r"通知|正文")
_NAMED = {"导语": "导语", "序言": "序言", "前言": "序言"}


def _int(s: str) -> int:
    return int(s) if s.isdigit() else cn_number(s)


def _cn(n: int) -> str:
    if n <= 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return f"{_CN[tens] if tens > 1 else ''}十{_CN[ones] if ones else ''}"


def _annex_aliases(clauses: Iterable[Clause]) -> dict[str, str]:
    """Names a reader uses for each annex: its title, and the title's tail (负面清单, 改革清单)."""
    out: dict[str, str] = {}
    for c in clauses:
        if c.kind == "annex" and "\n" in c.text:
            title = c.text.split("\n", 1)[1].strip()
            for alias in (title, title.replace("政府购买服务", ""), title[-4:] if title.endswith("清单") else ""):
                if len(alias) >= 4:
                    out.setdefault(alias, c.part)
    return out


def _part(q: str, clauses: tuple[Clause, ...]) -> str | None:
    if m := _ANNEX.search(q):
        return f"附件{_int(m.group(1))}"
    for alias, part in sorted(_annex_aliases(clauses).items(), key=lambda kv: -len(kv[0])):
        if alias in q:
            return part
    return "正文" if _MAIN.search(q) else None


def resolve(question: str, clauses: Iterable[Clause]) -> tuple[Clause, ...]:
    """The clause(s) the question names, in document order; () when it names none.

    Without a part ("二（三）") every part that has that path matches — 正文 first, as in the notice."""
    clauses = tuple(clauses)
    q = normalize(question)
    ids = {c.clause_id: c for c in clauses}
    literal = [cid for cid in ids if "/" in cid and cid in q]
    if literal:  # a clause ID typed as such; the longest one wins (附件2/二/（三） over 附件2/二)
        return (ids[max(literal, key=len)],)
    part = _part(q, clauses)
    parts = [part] if part else list(dict.fromkeys(c.part for c in clauses))
    for word, suffix in _NAMED.items():
        if part and word in q and f"{part}/{suffix}" in ids:
            return (ids[f"{part}/{suffix}"],)
    try:
        levels = _levels(q, clauses, parts)
    except ValueError:  # numerals that are no number (二二): the question names no clause we can trust
        return ()
    if levels is None:
        return ()
    found = []
    for p, l1, l2 in levels:
        cid = f"{p}/{l1}" + (f"/（{l2}）" if l2 else "")
        if cid in ids:
            found.append(ids[cid])
    order = {c.clause_id: i for i, c in enumerate(clauses)}
    return tuple(sorted(dict.fromkeys(found), key=lambda c: order[c.clause_id]))


def missing(question: str, clauses: Iterable[Clause]) -> str | None:
    """A clause the question names by number, in a named part, that the notice does not have ("附件2第二部分第（九）项",
    "附件2第四部分"), as the ID it would have; None when it names none or one that exists."""
    clauses = tuple(clauses)
    q = normalize(question)
    part = _part(q, clauses)
    if part is None or resolve(question, clauses):
        return None
    try:
        levels = _levels(q, clauses, [part])
    except ValueError:
        return None
    if not levels:
        return None
    p, l1, l2 = levels[0]
    return f"{p}/{l1}" + (f"/（{l2}）" if l2 else "")


def _levels(q: str, clauses: tuple[Clause, ...], parts: list[str]) -> list[tuple[str, str, str]] | None:
    """(part, level-1 numeral, level-2 numeral or "") candidates, or None when no clause is named."""
    first: int | None = None  # level 1 from an ordinal
    second: int | None = None
    for m in _ORDINAL.finditer(q):
        if m.group(4):  # 二（三）: both levels at once
            if first is None:
                first, second = _int(m.group(4)), _int(m.group(5))
        elif m.group(6):  # （三） alone: a level-2 number
            if second is None:
                second = _int(m.group(6))
        else:
            n = _int(m.group(1) or m.group(2))
            if first is None:
                first = n
            elif second is None:
                second = n
    layer = _LAYER.search(q)
    # 项目层面 names a section by its heading; the ordinal, if any, is then the item. "哪个层面" names none.
    sections = [c for c in clauses if c.kind == "section" and c.part in parts and layer.group(0) in c.text] \
        if layer else []
    if sections:
        item = second if second is not None else first
        if item is None:
            return None  # "主体层面那条" describes, it does not point at one clause
        return [(s.part, s.clause_id.split("/")[1], _cn(item)) for s in sections]
    if first is None:
        return None
    return [(p, _cn(first), _cn(second) if second else "") for p in parts]
