"""Split a notice into clauses by its own numbering: 一、 / （一） / 附件N / unnumbered paragraphs.

A clause ID is `<part>/<level 1>/<level 2>` (e.g. `附件2/二/（三）`); its text is the clause's
non-empty source lines, stripped, joined by "\\n" — verbatim, so quotes can be checked by substring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from .errors import CorpusFormatError

SPLITTER_VERSION = "1"

_CN = "零一二三四五六七八九十"
SECTION = re.compile(r"^([一二三四五六七八九十]+)、")
ITEM = re.compile(r"^（([一二三四五六七八九十]+)）")
ANNEX = re.compile(r"^附件\s*(\d+)$")
ANNEX_LIST = re.compile(r"^附件[：:]")
LIST_LINE = re.compile(r"^\d+[、.．]")
NOTE = re.compile(r"^(\S{2,8}?)选项\s*[:：]")
EFFECTIVE = re.compile(r"(自|从).{0,24}起?施行|有效期")
DOC_NO = re.compile(r"〔\d{4}〕\d+号$")


def cn_number(s: str) -> int:
    """一 → 1, 十 → 10, 十三 → 13, 二十一 → 21 (enough for a notice's numbering)."""
    if "十" not in s:
        return _CN.index(s)
    tens, _, ones = s.partition("十")
    return (_CN.index(tens) if tens else 1) * 10 + (_CN.index(ones) if ones else 0)


@dataclass(frozen=True, slots=True)
class Clause:
    clause_id: str  # "附件2/二/（三）"
    label: str  # "附件2《政府购买服务负面清单》二、（三）"
    parent: str | None  # "附件2/二"
    part: str  # "正文" | "附件1" | "附件2" | "附注"
    heading: tuple[str, ...]  # headings above this clause, outermost first
    text: str  # verbatim: stripped source lines joined by "\n"
    line_start: int  # 1-based source lines, inclusive
    line_end: int
    kind: str  # title | addressee | preface | section | item | closing | effective | attachments | signature | annex | intro | note

    def __post_init__(self) -> None:
        if not self.text:
            raise ValueError(f"Clause {self.clause_id!r} has empty text")

    @property
    def short_label(self) -> str:
        """Compact chip label, e.g. `附件2 二、（三）`."""
        if "》" in self.label:
            rest = self.label.split("》", 1)[1]
            return f"{self.part} {rest}" if rest else self.part
        if self.label.startswith("通知正文 "):
            return "正文 " + self.label.removeprefix("通知正文 ")
        return self.label

    @property
    def context(self) -> str:
        """Text with its part and headings, as embedded and indexed."""
        return " > ".join((*self.heading, self.text))

    def to_dict(self) -> dict:
        return {"clause_id": self.clause_id, "label": self.label, "parent": self.parent, "text": self.text}


Line = tuple[int, str]  # (1-based line number, stripped text)


def read_lines(data: bytes | str) -> list[Line]:
    """Decode line by line so a bad byte is reported with its line number."""
    if isinstance(data, str):
        raw = data.split("\n")
    else:
        raw = []
        for no, chunk in enumerate(data.split(b"\n"), 1):
            try:
                raw.append(chunk.decode("utf-8"))
            except UnicodeDecodeError as e:
                raise CorpusFormatError(
                    f"第{no}行不是有效的 UTF-8 文本（字节 {e.start}）/ line {no} is not valid UTF-8"
                ) from None
    lines = [(no, s.strip().lstrip("\ufeff")) for no, s in enumerate(raw, 1)]
    return [(no, s) for no, s in lines if s]


def split(data: bytes | str) -> tuple[Clause, ...]:
    """Parse a whole notice. Raises CorpusFormatError naming the offending line."""
    lines = read_lines(data)
    if not lines:
        raise CorpusFormatError("通知文本为空 / the notice text is empty")
    parts = _split_parts(lines)
    out: list[Clause] = []
    for name, body in parts:
        if name == "正文":
            out += _main_part(body)
        elif name == "附注":
            out += _note_part(body)
        else:
            out += _annex_part(name, body)
    seen: dict[str, Clause] = {}
    for c in out:
        if c.clause_id in seen:
            raise CorpusFormatError(f"第{c.line_start}行：条款编号 {c.clause_id} 重复 / duplicate clause {c.clause_id}")
        seen[c.clause_id] = c
    return tuple(out)


def _split_parts(lines: list[Line]) -> list[tuple[str, list[Line]]]:
    parts: list[tuple[str, list[Line]]] = [("正文", [])]
    for no, s in lines:
        if m := ANNEX.match(s):
            parts.append((f"附件{m.group(1)}", []))
        elif NOTE.match(s) and parts[-1][0] != "附注":
            parts.append(("附注", []))
        parts[-1][1].append((no, s))
    return parts


def _clause(cid, label, parent, part, heading, lines: Sequence[Line], kind) -> Clause:
    return Clause(cid, label, parent, part, tuple(heading), "\n".join(s for _, s in lines),
                  lines[0][0], lines[-1][0], kind)


def _main_part(lines: list[Line]) -> list[Clause]:
    first = next((i for i, (_, s) in enumerate(lines) if SECTION.match(s)), None)
    if first is None:
        raise CorpusFormatError(
            f"第{lines[0][0]}行起的正文中没有“一、”式编号章节 / no numbered section (一、) in the main text"
        )
    head, body = lines[:first], lines[first:]
    # Signature: short trailing lines with no sentence punctuation (the issuer, a date).
    sig: list[Line] = []
    while body and len(body[-1][1]) <= 30 and not re.search(r"[。；：:，]|^\d+[、.]|^附件", body[-1][1]) \
            and not SECTION.match(body[-1][1]) and not ITEM.match(body[-1][1]):
        sig.insert(0, body.pop())
    addr = next((i for i, (_, s) in enumerate(head) if s[-1] in "：:" and len(s) <= 100), None)
    if addr is not None:
        title, preface = head[:addr], head[addr + 1:]
    else:
        n = next((i for i, (_, s) in enumerate(head) if "。" in s), len(head))
        title, preface = head[:n], head[n:]
    if not title:
        raise CorpusFormatError(f"第{lines[0][0]}行：正文开头找不到标题 / the main text has no title")
    doc_title = "".join(s for _, s in title if not DOC_NO.search(s)) or title[0][1]
    root = (doc_title,)
    out = [_clause("正文/标题", "通知标题", None, "正文", (), title, "title")]
    if addr is not None:
        out.append(_clause("正文/主送", "主送机关", None, "正文", root, [head[addr]], "addressee"))
    if preface:
        out.append(_clause("正文/序言", "通知正文 序言", None, "正文", root, preface, "preface"))
    tail: list[Line] = []
    sections, rest = _numbered(body, stop=lambda s: bool(EFFECTIVE.search(s) or ANNEX_LIST.match(s)))
    out += _emit(sections, "正文", "通知正文 ", root)
    i = 0
    while i < len(rest):
        no, s = rest[i]
        if ANNEX_LIST.match(s):
            group = [rest[i]]
            while i + 1 < len(rest) and LIST_LINE.match(rest[i + 1][1]):
                i += 1
                group.append(rest[i])
            out.append(_clause("正文/附件", "通知正文 附件目录", None, "正文", root, group, "attachments"))
        elif EFFECTIVE.search(s) and not any(c.clause_id == "正文/施行" for c in out):
            out.append(_clause("正文/施行", "通知正文 施行日期", None, "正文", root, [rest[i]], "effective"))
        else:
            tail.append(rest[i])
        i += 1
    if tail:
        out.append(_clause("正文/结语", "通知正文 结语", None, "正文", root, tail, "closing"))
    if sig:
        out.append(_clause("正文/落款", "通知落款", None, "正文", root, sig, "signature"))
    return out


def _annex_part(name: str, lines: list[Line]) -> list[Clause]:
    head = [lines[0]]
    rest = lines[1:]
    if rest and not SECTION.match(rest[0][1]) and not ITEM.match(rest[0][1]) and len(rest[0][1]) <= 40 \
            and "。" not in rest[0][1]:
        head.append(rest.pop(0))
    title = head[1][1] if len(head) > 1 else ""
    label = f"{name}《{title}》" if title else name
    root = (f"{name} {title}".strip(),)
    first = next((i for i, (_, s) in enumerate(rest) if SECTION.match(s)), None)
    if first is None:
        raise CorpusFormatError(
            f"第{lines[0][0]}行：{name} 没有任何“一、”式条目 / {name} has no numbered items"
        )
    out = [_clause(name, label, None, name, (), head, "annex")]
    if first:
        out.append(_clause(f"{name}/导语", f"{label}导语", name, name, root, rest[:first], "intro"))
    sections, trailing = _numbered(rest[first:], stop=lambda s: False)
    assert not trailing
    out += _emit(sections, name, label, root, parent=name)
    return out


def _note_part(lines: list[Line]) -> list[Clause]:
    key = NOTE.match(lines[0][1]).group(1)
    return [_clause(f"附注/{key}", f"附注 {key}选项", None, "附注", (), lines, "note")]


def _numbered(lines: list[Line], stop) -> tuple[list[dict], list[Line]]:
    """Group lines into sections → items (+ a trailing unnumbered 末段); stop() marks where the tail begins."""
    sections: list[dict] = []
    for k, (no, s) in enumerate(lines):
        if m := SECTION.match(s):
            _expect(no, s, len(sections) + 1, cn_number(m.group(1)), "、")
            sections.append({"num": m.group(1), "line": (no, s), "items": [], "closing": []})
        elif stop(s) and sections:
            return sections, lines[k:]
        elif m := ITEM.match(s):
            sec = sections[-1]
            _expect(no, s, len(sec["items"]) + 1, cn_number(m.group(1)), "（）")
            sec["items"].append((m.group(1), (no, s)))
        else:
            sections[-1]["closing"].append((no, s))
    return sections, []


def _expect(no: int, s: str, want: int, got: int, style: str) -> None:
    if got != want:
        fmt = (lambda n: f"{_cn(n)}、") if style == "、" else (lambda n: f"（{_cn(n)}）")
        raise CorpusFormatError(
            f"第{no}行：编号“{fmt(got)}”不连续，此处应为“{fmt(want)}” / line {no}: numbering out of order: {s[:20]}"
        )


def _cn(n: int) -> str:
    if n <= 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return f"{_CN[tens] if tens > 1 else ''}十{_CN[ones] if ones else ''}"


def _emit(sections: list[dict], part: str, label: str, root: tuple[str, ...], parent: str | None = None):
    for sec in sections:
        sid = f"{part}/{sec['num']}"
        yield _clause(sid, f"{label}{sec['num']}、", parent, part, root, [sec["line"]], "section")
        path = (*root, sec["line"][1])
        for num, line in sec["items"]:
            yield _clause(f"{sid}/（{num}）", f"{label}{sec['num']}、（{num}）", sid, part, path, [line], "item")
        if sec["closing"]:
            yield _clause(f"{sid}/末段", f"{label}{sec['num']}、末段", sid, part, path, sec["closing"], "closing")


def by_id(clauses: Iterable[Clause]) -> dict[str, Clause]:
    return {c.clause_id: c for c in clauses}
