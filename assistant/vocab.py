"""The extraction vocabulary (corpus/facts.toml) loaded and validated: regexes for parties, roles,
content, yes/no facts, question shapes and instruction-like text, plus the checker's own typo fixes."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError
from .facts import FLAGS, Area, CatalogAction, Content, Entity
from .normalize import load_lexicon
from .rules import parse_enum
from .settings import ROOT

# ---- vocabulary ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FlagSpec:
    fact: str
    ask: re.Pattern | None
    no: re.Pattern | None
    yes: re.Pattern | None
    consume: bool = False
    negatable: bool = False
    needs: Entity | None = None
    prefer_yes: bool = False  # for facts where one positive statement outweighs a reassurance
    mentions: re.Pattern | None = None  # read the fact only when the question's text matches this
    subject: Entity | None = None  # when true, a party of this type with no role word is the fact's subject


@dataclass(frozen=True, slots=True)
class Vocab:
    clause: re.Pattern
    negation: re.Pattern  # a negation word at the end of the text before a match
    negation_after: re.Pattern  # a negation right after a match, closing its clause ("设备也没有")
    entity_negation: re.Pattern  # "不是/并非/不属于" right before a party name: that party is ruled out
    question_forms: re.Pattern
    entities: tuple[tuple[Entity, re.Pattern], ...]
    group: dict
    admin: FlagSpec
    roles: dict
    contents: tuple[tuple[Content, re.Pattern, re.Pattern | None], ...]
    areas: tuple[tuple[Area, re.Pattern], ...]
    catalog: tuple[tuple[CatalogAction, re.Pattern], ...]
    flags: tuple[FlagSpec, ...]
    question: dict
    instructions: dict  # patterns, directive (a 批示 whose words follow), rule_quote ("…"那条)
    bundle: dict
    goods_bought: dict  # before / after / itself: goods mentioned beside a bought service count only when bought
    lexicon: dict[str, tuple[str, str]]  # everyday word → (kind, value)
    typos: tuple[tuple[str, str], ...] = ()  # (wrong, right), longest first: the checker's own typo fixes
    lexicon_tail: re.Pattern | None = None  # after a lexicon word: it names a service ("买设备运维服务")
    shorthand: tuple[tuple[re.Pattern, str], ...] = ()  # staff shorthand → the full term ("购服" → "购买服务")

    def fix_typos(self, text: str) -> str:
        for wrong, right in self.typos:
            if wrong in text:
                text = text.replace(wrong, right)
        for pattern, full in self.shorthand:
            text = pattern.sub(full, text)
        return text


def _re(where: str, pats) -> re.Pattern | None:
    if pats is None:
        return None
    pats = [pats] if isinstance(pats, str) else pats
    try:
        return re.compile("|".join(f"(?:{p})" for p in pats)) if pats else None
    except re.error as e:
        raise ConfigError(f"facts.toml {where} 的正则无效：{e} / invalid regex in {where}: {e}") from None


def _flag(where: str, d: dict) -> FlagSpec:
    needs = parse_enum(Entity, d["needs"]) if d.get("needs") else None
    subject = parse_enum(Entity, d["subject"]) if d.get("subject") else None
    return FlagSpec(d.get("fact", ""), _re(f"{where}.ask", d.get("ask")), _re(f"{where}.no", d.get("no")),
                    _re(f"{where}.yes", d.get("yes")), d.get("consume", False), d.get("negatable", False), needs,
                    d.get("prefer") == "yes", _re(f"{where}.mentions", d.get("mentions")), subject)


@lru_cache(maxsize=4)
def load_vocab(path: Path | None = None) -> Vocab:
    path = Path(path) if path else ROOT / "corpus" / "facts.toml"
    try:
        d = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"词表无法读取：{path}（{e}）/ cannot read vocabulary {path}") from None
    try:
        flags = tuple(_flag(f"[[flag]] {f['fact']}", f) for f in d["flag"])
        if bad := [f.fact for f in flags if f.fact not in FLAGS]:
            raise ConfigError(f"facts.toml [[flag]] 用了未知事实 {bad}，可选：{', '.join(FLAGS)} / unknown flag facts {bad}")
        lex = {}
        for term, target in d["lexicon"]["terms"].items():
            kind, _, value = target.partition(":")
            if kind not in ("content", "flag", "area"):
                raise ConfigError(f"facts.toml [lexicon.terms] {term!r} → {target!r}：类型应为 content/flag/area")
            lex[term] = (kind, value)
        t, r = d["text"], d["roles"]
        return Vocab(
            clause=_re("[text].clause", t["clause"]),
            negation=_re("[text].negation", t["negation"] + r"[^,，。;；!！?？\s]{0,6}$"),
            negation_after=_re("[text].negation_after", t["negation_after"]),
            entity_negation=_re("[text].entity_negation", t["entity_negation"] + "$"),
            question_forms=_re("[text].question_forms", t["question_forms"]),
            entities=tuple((parse_enum(Entity, e["value"]), _re(f"[[entity]] {e['value']}", e["patterns"]))
                           for e in d["entity"]),
            group={k: _re(f"[group_staffing].{k}", v) for k, v in d["group_staffing"].items()},
            admin=_flag("[admin_functions]", d["admin_functions"]),
            roles={k: _re(f"[roles].{k}", v) for k, v in r.items()},
            contents=tuple((parse_enum(Content, c["value"]), _re(f"[[content]] {c['value']}", c["patterns"]),
                            _re(f"[[content]] {c['value']}.exclude", c.get("exclude"))) for c in d["content"]),
            areas=tuple((parse_enum(Area, a["value"]), _re(f"[[area]] {a['value']}", a["patterns"])) for a in d["area"]),
            catalog=tuple((parse_enum(CatalogAction, c["value"]), _re(f"[[catalog_action]] {c['value']}", c["patterns"]))
                          for c in d["catalog_action"]),
            flags=flags,
            question={k: _re(f"[question].{k}", v) for k, v in d["question"].items()},
            instructions={k: _re(f"[instructions].{k}", v) for k, v in d["instructions"].items()},
            bundle={k: _re(f"[bundle].{k}", v) for k, v in d["bundle"].items()},
            goods_bought={k: _re(f"[goods_bought].{k}", v) for k, v in d["goods_bought"].items()},
            lexicon=_lexicon_words(lex, frozenset(d["lexicon"].get("ignore", ()))),
            typos=_typos(d.get("typos", {})),
            lexicon_tail=_re("[lexicon].service_tail", d["lexicon"].get("service_tail")),
            shorthand=tuple((_re(f"[[shorthand]] {e['full']}", e["patterns"]), e["full"]) for e in d.get("shorthand", ())),
        )
    except (KeyError, ValueError) as e:
        raise ConfigError(f"facts.toml 缺少或错误的字段：{e} / missing or invalid field {e}") from None


def _typos(raw: dict) -> tuple[tuple[str, str], ...]:
    """[typos] of facts.toml: right = [wrong, …]. Longest wrong first, so a longer fix is never cut short."""
    pairs = []
    for right, wrongs in raw.items():
        if not isinstance(wrongs, list) or not all(isinstance(w, str) and w for w in wrongs):
            raise ConfigError(f"facts.toml [typos] {right!r} 应为错字列表 / [typos] {right!r} must list misspellings")
        pairs += [(w, right) for w in wrongs if w != right]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _lexicon_words(terms: dict[str, tuple[str, str]], ignore: frozenset[str]) -> dict[str, tuple[str, str]]:
    """Everyday words of corpus/lexicon.toml whose notice term reads as a fact (e.g. 买岗位 → 公益性岗位)."""
    return {w: terms[t] for w, t in load_lexicon().synonyms if t in terms and w not in ignore}

