"""The negative-list rules (corpus/rules.toml) and the pure checker over Facts.

A rule fires when any of its `when` alternatives holds (all conditions of an alternative, AND) and none of
its `unless` alternatives does. An exception is a rule with `excepts`: when it fires, it beats exactly the
rules it names — nothing else. `requires` are the preconditions the notice names; a required fact left
open becomes an open condition (conditional), one stated the wrong way drops the rule (a prohibitive
rule states that case).

Policy (issue 13): the preconditions every purchase has — in the department's 指导性目录, budget arranged,
existing staff and equipment not sufficient (GENERAL_FACTS) — do not make an answer conditional. Left open,
they are listed as `preconditions` (前提) of an `allowed` verdict; `conditional` is kept for open conditions
specific to the case (the class of a 事业单位, 行政职能, 认定 not yet done…). Stated the wrong way they
still drop the rule, and the prohibitive rule for that case decides."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from .errors import ConfigError
from .facts import DERIVED, ENUMS, FACT_FIELDS, FLAGS, Content, Entity, Facts
from .settings import ROOT
from .verdict import SEVERITY, Decision, most_severe

EFFECTS = (Decision.PROHIBITED, Decision.ALLOWED, Decision.CONDITIONAL, Decision.NOT_COVERED)
_PART_PRIORITY = {"附件2": 20, "附件1": 15, "正文": 10}  # the list item before the 正文 restating it
_UNKNOWN = ("unknown", "未说明", "未知")

Value = Any  # an enum member, True/False/None
GENERAL_FACTS = frozenset({"in_catalog", "budget", "staff_sufficient"})  # see the module docstring


@dataclass(frozen=True, slots=True)
class Require:
    label: str  # shown to the user as an open condition, e.g. "财政已安排预算"
    fact: str = ""  # "" = the notice names a condition no fact can settle: always open
    value: bool = True

    @property
    def general(self) -> bool:
        """A precondition of every purchase (目录, 预算, 人员设备), not one specific to the case."""
        return self.fact in GENERAL_FACTS


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    clause_id: str
    effect: Decision
    quote: str  # verbatim substring of the clause text
    explanation: str
    when: tuple[tuple[tuple[str, frozenset[Value]], ...], ...]  # OR of ANDs of (fact, accepted values)
    unless: tuple[tuple[tuple[str, frozenset[Value]], ...], ...] = ()
    excepts: tuple[str, ...] = ()
    requires: tuple[Require, ...] = ()
    priority: int = 10

    def match(self, facts: Facts) -> tuple[str, ...] | None:
        """The question's words that made the rule fire, or None when it does not."""
        if any(all(_holds(facts, f, vs) for f, vs in alt) for alt in self.unless):
            return None
        for alt in self.when:
            if all(_holds(facts, f, vs) for f, vs in alt):
                return tuple(dict.fromkeys(w for f, vs in alt for w in _words(facts, f, vs)))
        return None


@dataclass(frozen=True, slots=True)
class Firing:
    rule_id: str
    clause_id: str
    effect: Decision
    matched: tuple[str, ...]
    explanation: str
    quote: str
    beats: tuple[str, ...] = ()  # for an exception: the fired rules it set aside
    open: tuple[str, ...] = ()  # open case-specific conditions of this rule
    preconditions: tuple[str, ...] = ()  # open general preconditions (目录, 预算…): listed, not conditional

    def to_dict(self) -> dict:
        d = {"rule_id": self.rule_id, "clause_id": self.clause_id, "effect": str(self.effect),
             "matched": list(self.matched), "explanation": self.explanation, "quote": self.quote}
        if self.beats:
            d["beats"] = list(self.beats)
        return d


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    fired: tuple[Firing, ...]  # deciding rule first
    excepted: tuple[Firing, ...]  # exceptions that applied
    open_conditions: tuple[str, ...]  # case-specific conditions left open (→ conditional)
    preconditions: tuple[str, ...] = ()  # general preconditions left open (listed as 前提)


def _holds(facts: Facts, name: str, accepted: frozenset[Value]) -> bool:
    v = facts.get(name)
    return bool(v & accepted) if isinstance(v, frozenset) else v in accepted


def _words(facts: Facts, name: str, accepted: frozenset[Value]) -> tuple[str, ...]:
    if name == "any_party":
        return tuple(w for r in ("purchaser", "provider", "participant") if facts.get(r) in accepted
                     for w in facts.words(r) or (str(facts.get(r)),))
    if name == "purchase_proposed":
        return ()
    v = facts.get(name)
    if isinstance(v, frozenset):
        return tuple(w for c in sorted(v & accepted) for w in facts.words(f"{name}={c}") or (str(c),))
    return facts.words(name) or ((str(v),) if isinstance(v, StrEnum) else ())


def check(facts: Facts, rules: Sequence[Rule]) -> Verdict:
    """Pure: the same facts and rules always give the same verdict; no I/O, retrieval or model."""
    fired: list[tuple[Rule, Firing]] = []
    for rule in rules:
        matched = rule.match(facts)
        if matched is None:
            continue
        got = [(r, facts.get(r.fact) if r.fact else None) for r in rule.requires]
        if any(v is not None and v != r.value for r, v in got):
            continue  # a precondition stated the wrong way: the prohibitive rule for that case decides
        open_ = tuple(r.label for r, v in got if v is None and not r.general)
        pre = tuple(r.label for r, v in got if v is None and r.general)
        effect = Decision.ALLOWED if rule.effect is Decision.CONDITIONAL and not open_ else rule.effect
        fired.append((rule, Firing(rule.id, rule.clause_id, effect, matched, rule.explanation, rule.quote,
                                   open=open_, preconditions=pre)))
    ids = {r.id for r, _ in fired}
    exceptions = [(r, f) for r, f in fired if r.excepts]
    beaten = {x for r, _ in exceptions for x in r.excepts}
    excepted = tuple(Firing(f.rule_id, f.clause_id, f.effect, f.matched, f.explanation, f.quote,
                            beats=tuple(x for x in r.excepts if x in ids), open=f.open,
                            preconditions=f.preconditions) for r, f in exceptions)
    kept = [(r, f) for r, f in fired if not r.excepts and r.id not in beaten]
    order = {r.id: i for i, r in enumerate(rules)}
    kept.sort(key=lambda rf: (SEVERITY.index(rf[1].effect), -rf[0].priority, order[rf[0].id]))
    effects = [f.effect for _, f in kept] + [f.effect for f in excepted]
    decision = most_severe(effects) if effects else Decision.NOT_COVERED
    if decision is Decision.PROHIBITED:  # the permissive rules that also matched decide nothing here
        kept = [(r, f) for r, f in kept if f.effect is Decision.PROHIBITED]
    live = () if decision is Decision.PROHIBITED else (*(f for _, f in kept), *excepted)
    open_ = tuple(dict.fromkeys(o for f in live for o in f.open))
    pre = tuple(dict.fromkeys(o for f in live for o in f.preconditions))
    return Verdict(decision, tuple(f for _, f in kept), excepted, open_, pre)


# ---- loading and validating corpus/rules.toml -------------------------------------------------------

def _value(rule_id: str, name: str, raw: Any) -> Value:
    """Parse one accepted value of a condition; ConfigError naming the rule and field if invalid."""
    def bad(valid) -> ConfigError:
        return ConfigError(f"rules.toml 规则 {rule_id!r} 的条件 {name} 取值 {raw!r} 无效，可选：{', '.join(map(str, valid))}"
                           f" / rule {rule_id!r}, field {name}: invalid value {raw!r}")
    if name in FLAGS or name == "purchase_proposed":
        if raw is True or raw is False:
            return raw
        if isinstance(raw, str) and raw.lower() in _UNKNOWN and name in FLAGS:
            return None
        raise bad((True, False, "unknown"))
    enum = ENUMS.get(name) or (Entity if name == "any_party" else Content if name == "content" else None)
    try:
        return parse_enum(enum, raw)
    except ValueError:
        raise bad([e.value for e in enum]) from None


def parse_enum(enum: type[StrEnum], raw: Any) -> StrEnum:
    """Accept the Chinese value ('公益一类事业单位'), the English key ('public_1') or a unique short form ('公益一类')."""
    if isinstance(raw, enum):
        return raw
    if isinstance(raw, str):
        s = raw.strip()
        for e in enum:
            if s == e.value or s.lower() == e.name.lower():
                return e
        hits = [e for e in enum if s and s in e.value]
        if len(hits) == 1:
            return hits[0]
    raise ValueError(raw)


_CONDITION_FIELDS = frozenset(FACT_FIELDS) - {"service"} | set(DERIVED)
_KEYS = {"id", "clause_id", "effect", "quote", "explanation", "when", "unless", "excepts", "requires", "priority"}


def _conditions(rule_id: str, key: str, raw: Any) -> tuple:
    alts = [raw] if isinstance(raw, dict) else raw
    if not isinstance(alts, list) or not all(isinstance(a, dict) and a for a in alts):
        raise ConfigError(f"rules.toml 规则 {rule_id!r} 的 {key} 应为表或表的数组 / rule {rule_id!r}: {key} must be a table")
    out = []
    for alt in alts:
        conds = []
        for name, vals in alt.items():
            if name not in _CONDITION_FIELDS:
                raise ConfigError(f"rules.toml 规则 {rule_id!r} 的 {key} 用了未知事实 {name!r}，可选：{', '.join(sorted(_CONDITION_FIELDS))}"
                                  f" / rule {rule_id!r}: unknown fact {name!r}")
            vals = vals if isinstance(vals, list) else [vals]
            conds.append((name, frozenset(_value(rule_id, name, v) for v in vals)))
        out.append(tuple(conds))
    return tuple(out)


def _rule(i: int, d: dict) -> Rule:
    rid = d.get("id") if isinstance(d.get("id"), str) else f"#{i + 1}"
    for k in ("id", "clause_id", "effect", "quote", "explanation", "when"):
        if k not in d or isinstance(d[k], str) and not d[k].strip():
            raise ConfigError(f"rules.toml 规则 {rid!r} 缺少字段 {k} / rule {rid!r} is missing {k}")
    if extra := set(d) - _KEYS:
        raise ConfigError(f"rules.toml 规则 {rid!r} 有未知字段 {sorted(extra)} / rule {rid!r}: unknown field(s)")
    if d["effect"] not in EFFECTS:
        raise ConfigError(f"rules.toml 规则 {rid!r} 的 effect {d['effect']!r} 无效，可选：{', '.join(EFFECTS)}"
                          f" / rule {rid!r}: invalid effect")
    reqs = []
    for r in d.get("requires", []):
        if not isinstance(r, dict) or not isinstance(r.get("label"), str) or set(r) - {"label", "fact", "value"} \
                or r.get("fact", "") not in ("", *FLAGS) or not isinstance(r.get("value", True), bool):
            raise ConfigError(f"rules.toml 规则 {rid!r} 的 requires 项 {r!r} 无效：需要 label，fact 取自 {', '.join(FLAGS)}"
                              f" / rule {rid!r}: invalid requires entry")
        reqs.append(Require(r["label"], r.get("fact", ""), r.get("value", True)))
    part = d["clause_id"].split("/", 1)[0]
    return Rule(rid, d["clause_id"], Decision(d["effect"]), d["quote"], d["explanation"],
                _conditions(rid, "when", d["when"]), _conditions(rid, "unless", d.get("unless", [])) if d.get("unless") else (),
                tuple(d.get("excepts", ())), tuple(reqs), int(d.get("priority", _PART_PRIORITY.get(part, 10))))


def parse_rules(data: dict, *, corpus=None) -> tuple[Rule, ...]:
    """Validate a parsed rules.toml. With `corpus`, also check clause IDs and verbatim quotes."""
    rules = tuple(_rule(i, d) for i, d in enumerate(data.get("rule", [])))
    if not rules:
        raise ConfigError("rules.toml 中没有任何 [[rule]] / no [[rule]] in rules.toml")
    ids = [r.id for r in rules]
    if dup := sorted({x for x in ids if ids.count(x) > 1}):
        raise ConfigError(f"rules.toml 规则编号重复：{', '.join(dup)} / duplicate rule ids")
    for r in rules:
        if missing := [x for x in r.excepts if x not in ids]:
            raise ConfigError(f"rules.toml 规则 {r.id!r} 的 excepts 指向不存在的规则 {missing} / rule {r.id!r}: excepts unknown rules")
        if corpus is not None:
            if r.clause_id not in corpus:
                raise ConfigError(f"rules.toml 规则 {r.id!r} 的 clause_id {r.clause_id!r} 不存在 / rule {r.id!r}: no such clause")
            if r.quote not in corpus.get(r.clause_id).text:
                raise ConfigError(f"rules.toml 规则 {r.id!r} 的 quote 不是 {r.clause_id} 原文的子串 / "
                                  f"rule {r.id!r}: quote is not verbatim in {r.clause_id}")
    return rules


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """Load, validate (schema, clause IDs, verbatim quotes) and cache the rules. Default corpus/rules.toml."""
    from .document import load_corpus

    path = Path(path) if path else ROOT / "corpus" / "rules.toml"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"规则文件无法读取：{path}（{e}）/ cannot read rules {path}") from None
    return parse_rules(data, corpus=load_corpus(path.parent if (path.parent / "document.toml").exists()
                                                 else ROOT / "corpus"))
