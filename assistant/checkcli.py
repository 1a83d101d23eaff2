"""Structured entry to the checker: `python -m assistant check …` and `POST /api/check`.

Both build Facts from named values (Chinese or English enum keys), run the pure checker and report the
verdict plus a checklist of every 附件2 item: triggered ✗, clear ✓, unknown ? (needs confirmation)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .errors import InvalidInputError
from .inputs import shown, validate_text
from .facts import ENUMS, FLAGS, INSTITUTIONS, ROLES, Content, Entity, Facts
from .rules import Verdict, check, load_rules, parse_enum
from .settings import Settings
from .verdict import Decision

# Labels other parts of the project (the web form) use for the same entities.
ENTITY_ALIASES = {
    "具有行政管理职能的事业单位": Entity.ADMIN_INSTITUTION, "具有行政职能的事业单位": Entity.ADMIN_INSTITUTION,
    "参公事业单位": Entity.ADMIN_INSTITUTION, "党的机关、人大、政协等": Entity.ADMIN_ORGAN, "国家机关": Entity.ADMIN_ORGAN,
    "从事生产经营活动的事业单位": Entity.PRODUCTION, "尚未分类的事业单位": Entity.UNCLASSIFIED,
    "使用行政编制的群团组织机关": Entity.GROUP_ADMIN, "纳入事业编制管理且经费完全或主要由财政保障的群团组织": Entity.GROUP_FUNDED,
    "事业单位": Entity.INSTITUTION, "群团组织": Entity.GROUP,
}
# yes/no about what is bought → the content kind it adds (the form asks "是否涉及工程或货物？")
CONTENT_FLAGS = {"construction": Content.WORKS, "works": Content.WORKS, "goods": Content.GOODS,
                 "bundle": Content.BUNDLE, "financing": Content.FINANCING, "staffing": Content.STAFFING,
                 "admin_duty": Content.ADMIN_DUTY, "not_gov_duty": Content.NOT_GOV_DUTY}
FLAG_ALIASES = {"sufficient_staff": "staff_sufficient", "admin_functions": "admin_functions"}
TRI = {"是": True, "yes": True, "true": True, "否": False, "no": False, "false": False,
       "不确定": None, "unknown": None, "未说明": None, "": None}
KEYS = ("purchaser", "provider", "participant", "asker", "service", "content", "area", "catalog_action", "admin_functions",
        *FLAGS, *CONTENT_FLAGS, *FLAG_ALIASES)

# Short labels for the checklist rows. Which rows there are comes from rules.toml (checklist_items): every
# 附件2 item a prohibiting rule rests on; an item without a short label here shows the clause's own label.
SHORT_LABELS = dict((
    ("附件2/一/（一）", "不具备行政职能的公益一类事业单位、事业编制且财政保障的群团组织作购买或承接主体"),
    ("附件2/一/（二）", "公益二类和生产经营类事业单位作购买主体"),
    ("附件2/一/（三）", "尚未分类的事业单位参与"),
    ("附件2/二/（一）", "不属于政府职责范围的服务事项"),
    ("附件2/二/（二）", "应当由政府直接履职的事项（行政决策、执法、监督）"),
    ("附件2/二/（三）", "货物、工程及工程和服务打包的项目"),
    ("附件2/二/（四）", "融资行为"),
    ("附件2/二/（五）", "人员招聘、劳务派遣、设置公益性岗位"),
    ("附件2/二/（六）", "财政没有安排预算的服务事项"),
    ("附件2/二/（七）", "现有人员设备足以保障履职的事项"),
    ("附件2/二/（八）", "法律、行政法规和国务院规定不得购买的其他事项"),
    ("附件2/三/（一）", "以不合理条件对承接主体差别或歧视待遇"),
    ("附件2/三/（二）", "公益二类承担事项的经费未调至主管部门"),
    ("附件2/三/（三）", "对行业协会商会直接拨款（安置分流人员资金除外）"),
    ("附件2/三/（四）", "省级部门自行调整目录、市县部门自行编制目录"),
))


def checklist_items(rules=None) -> tuple[tuple[str, str], ...]:
    """(clause_id, label) of every 附件2 item (一、（一） level) some prohibiting rule rests on, in the notice's order."""
    from .document import load_corpus
    from .settings import Settings

    rules = load_rules() if rules is None else rules
    items = {r.clause_id for r in rules if r.effect is Decision.PROHIBITED
             and r.clause_id.startswith("附件2/") and r.clause_id.count("/") == 2}
    return tuple((c.clause_id, SHORT_LABELS.get(c.clause_id, c.label))
                 for c in load_corpus(Settings().corpus_dir).clauses if c.clause_id in items)


def _valid(values) -> str:
    return "、".join(values)


def parse_entity(raw: Any, key: str) -> Entity:
    if raw is None or raw == "":
        return Entity.UNKNOWN
    if isinstance(raw, str):
        s = validate_text(raw, key, 100)
        if s in ENTITY_ALIASES:
            return ENTITY_ALIASES[s]
        try:
            return parse_enum(Entity, s)
        except ValueError:
            pass
    raise InvalidInputError(f"{key} 的取值 {shown(raw)} 无效，可选：{_valid(e.value for e in Entity)}（或英文键 "
                            f"{', '.join(e.name.lower() for e in Entity)}）",
                            en=f"invalid {key} {shown(raw)}; choose one of {', '.join(e.name.lower() for e in Entity)}")


def parse_tri(raw: Any, key: str) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and len(raw) < 20 and raw.strip().lower() in TRI:
        return TRI[raw.strip().lower()]
    raise InvalidInputError(f"{key} 的取值 {shown(raw)} 无效，可选：true、false、null（或 是、否、不确定）",
                            en=f"invalid {key} {shown(raw)}: use true, false or null")


def facts_from_payload(payload: dict) -> tuple[Facts, dict[str, bool | None]]:
    """Facts from a JSON-like dict, plus the explicit answers about content (for the checklist)."""
    if not isinstance(payload, dict):
        raise InvalidInputError("请求体必须是 JSON 对象 / the body must be a JSON object")
    if unknown := sorted(set(payload) - set(KEYS)):
        names = ", ".join(shown(k) for k in unknown[:5])
        raise InvalidInputError(f"未知字段 {names}，可用字段：{', '.join(KEYS)}",
                                en=f"unknown keys {names}; valid keys: {', '.join(KEYS)}")
    values: dict[str, Any] = {}
    evidence: list[tuple[str, str]] = []
    for role in ROLES:
        if (e := parse_entity(payload.get(role), role)) is not Entity.UNKNOWN:
            values[role] = e
            evidence.append((role, str(payload[role]).strip()))
    for name, enum in ENUMS.items():
        if name not in ROLES and payload.get(name) not in (None, ""):
            text = validate_text(payload[name], name, 100)
            try:
                values[name] = parse_enum(enum, text)
            except ValueError:
                raise InvalidInputError(f"{name} 的取值 {shown(payload[name])} 无效，可选：{_valid(e.value for e in enum)}",
                                        en=f"invalid {name} {shown(payload[name])}; choose one of "
                                           f"{', '.join(e.name.lower() for e in enum)}") from None
            evidence.append((name, str(payload[name])))
    for key in FLAGS:
        if key in payload:
            values[key] = parse_tri(payload[key], key)
    if "sufficient_staff" in payload:
        values["staff_sufficient"] = parse_tri(payload["sufficient_staff"], "sufficient_staff")
    if "admin_functions" in payload:  # the flag belongs to whichever party is a 事业单位
        v = parse_tri(payload["admin_functions"], "admin_functions")
        role = next((r for r in ROLES if values.get(r) in INSTITUTIONS), "purchaser")
        values[f"{role}_admin_functions"] = v
    content: set[Content] = set()
    raw = payload.get("content")
    raw = [] if raw is None or raw == "" else raw  # absent; not `or []`, which let 0, false and {} through
    if not isinstance(raw, (str, list)) or len(raw) > len(Content) * 2:
        raise InvalidInputError(f"content 必须是文本或文本列表，可选：{_valid(x.value for x in Content)}",
                                en="content must be a string or a short list of strings")
    for c in [raw] if isinstance(raw, str) else raw:
        text = validate_text(c, "content", 100)  # outside the try: its own message says what is wrong
        try:
            content.add(parse_enum(Content, text))
        except ValueError:
            raise InvalidInputError(f"content 的取值 {shown(c)} 无效，可选：{_valid(x.value for x in Content)}",
                                    en=f"invalid content {shown(c)}; choose one of "
                                       f"{', '.join(x.name.lower() for x in Content)}") from None
    answers = {k: parse_tri(payload[k], k) for k in CONTENT_FLAGS if k in payload}
    content |= {CONTENT_FLAGS[k] for k, v in answers.items() if v}
    service = payload.get("service")  # None is absent; a falsy wrong type (0, false, []) is still refused
    service = validate_text("" if service is None else service, "service", Settings.load().max_question_chars)
    if service:  # read what the service is ("修路" is 工程) with the free-text vocabulary
        from .extract import extract, load_vocab
        from .normalize import normalize

        got = extract(normalize(service), load_vocab())
        content |= got.content or {Content.SERVICE}
        if "area" not in values and got.area.value != "未说明":
            values["area"] = got.area
        evidence += [(f, w) for f, w in got.evidence if f.startswith(("content=", "area"))]
        answers["_pure_service"] = got.content <= {Content.SERVICE}
    for role in ROLES:  # 承担行政职能的事业单位 has them; a contradicting flag is the user's error to fix
        if values.get(role) is Entity.ADMIN_INSTITUTION and values.get(f"{role}_admin_functions") is False:
            raise InvalidInputError(f"{role} 为承担行政职能的事业单位，但 admin_functions 为 false / contradictory {role}")
    facts = Facts(**values, content=frozenset(content), service=service.strip(), evidence=tuple(evidence))
    return facts, answers


def checklist(facts: Facts, verdict: Verdict, answers: dict[str, bool | None]) -> list[dict]:
    """Every 附件2 item: triggered (a prohibiting rule fired), clear (the facts rule it out), unknown."""
    fired: dict[str, list[str]] = {}
    for f in verdict.fired:
        if f.effect is Decision.PROHIBITED:
            fired.setdefault(f.clause_id, []).extend(f.matched)
    parties = [facts.purchaser, facts.provider]
    pure = answers.get("_pure_service", False)

    def content_status(*keys: str) -> str:
        said = [answers[k] for k in keys if k in answers]
        if None in said:
            return "unknown"
        return "clear" if said and not any(said) or pure else "unknown"

    def flag(name: str, bad: bool = True) -> str:
        v = facts.get(name)
        return "unknown" if v is None else "clear" if v != bad else "triggered"

    def party_status(bad: set[Entity], open_: set[Entity], roles=ROLES) -> str:
        ents = [facts.get(r) for r in roles]
        if any(e in open_ for e in ents) or facts.participant is not Entity.UNKNOWN and "participant" in roles:
            return "unknown"
        return "clear" if all(e is not Entity.UNKNOWN for e in ents[:2]) and not set(ents) & bad else "unknown"

    status = {
        "附件2/一/（一）": party_status({Entity.PUBLIC_1, Entity.GROUP_FUNDED}, {Entity.GROUP, Entity.INSTITUTION}),
        "附件2/一/（二）": "clear" if facts.purchaser not in (Entity.UNKNOWN, Entity.INSTITUTION) else "unknown",
        "附件2/一/（三）": party_status({Entity.UNCLASSIFIED}, {Entity.INSTITUTION}),
        "附件2/二/（一）": content_status("not_gov_duty"),
        "附件2/二/（二）": content_status("admin_duty"),
        "附件2/二/（三）": content_status("construction", "works", "goods", "bundle"),
        "附件2/二/（四）": content_status("financing"),
        "附件2/二/（五）": content_status("staffing"),
        "附件2/二/（六）": flag("budget", bad=False),
        "附件2/二/（七）": flag("staff_sufficient"),
        "附件2/二/（八）": flag("barred_by_law"),
        "附件2/三/（一）": flag("discriminatory"),
        "附件2/三/（二）": flag("pi2_funds_moved", bad=False) if facts.pi2_in_house or Entity.PUBLIC_2 in parties else "clear",
        "附件2/三/（三）": "clear" if facts.direct_grant is not True or facts.resettlement else "unknown",
        "附件2/三/（四）": "clear",
    }
    out = []
    for cid, label in checklist_items():
        # only a fired rule marks ✗: a fact pointing at an item that an exception set aside stays "?"
        # an item the rules name but this function has no reading for yet stays "?" (needs confirmation)
        s = "triggered" if cid in fired else "unknown" if status.get(cid, "triggered") == "triggered" else status[cid]
        out.append({"clause_id": cid, "label": label, "status": s, "matched": list(dict.fromkeys(fired.get(cid, [])))})
    return out


def check_payload(payload: dict) -> dict:
    """The function behind POST /api/check: validate facts, check them, return a JSON-able dict."""
    facts, answers = facts_from_payload(payload)
    verdict = check(facts, load_rules())
    return {
        "decision": str(verdict.decision),
        "fired": [f.to_dict() for f in verdict.fired],
        "excepted": [f.to_dict() for f in verdict.excepted],
        "open_conditions": list(verdict.open_conditions),
        "preconditions": list(verdict.preconditions),
        "understood": facts.describe(),
        "checklist": checklist(facts, verdict, answers),
    }


# ---- the CLI ---------------------------------------------------------------------------------------

def add_arguments(p: argparse.ArgumentParser) -> None:
    ents = "、".join(e.value for e in Entity if e is not Entity.UNKNOWN)
    p.add_argument("--purchaser", help=f"购买主体 / purchaser: {ents}（或英文键 public_1 …）")
    p.add_argument("--provider", help="承接主体 / provider (same values)")
    p.add_argument("--participant", help="角色未定的参与方 / a party whose role is open")
    p.add_argument("--service", help="购买什么，例如 物业服务 / what is bought, in words")
    p.add_argument("--content", action="append", metavar="KIND",
                   help=f"购买内容类型，可多次 / kind of content: {'、'.join(c.value for c in Content)}")
    p.add_argument("--area", help="附件1 重点领域 / key area")
    p.add_argument("--catalog-action", help="目录编制或调整 / who compiled or changed a 目录")
    p.add_argument("--asker", help="提问方 / whose side: 购买主体 | 承接主体 (purchaser | provider)")
    p.add_argument("--admin-functions", action=argparse.BooleanOptionalAction, default=None,
                   help="该事业单位承担行政职能 / the 事业单位 has administrative functions")
    p.add_argument("--not-in-catalog", dest="in_catalog", action="store_false", default=None, help="未纳入指导性目录")
    for name, zh in FLAGS.items():
        if not name.endswith("admin_functions"):
            p.add_argument(f"--{name.replace('_', '-')}", dest=name, action=argparse.BooleanOptionalAction,
                           default=None, help=zh)
    p.add_argument("--staff-insufficient", dest="staff_sufficient", action="store_false", default=None, help="现有人员设备不足")
    p.add_argument("--json", action="store_true", help="输出 JSON / print JSON")


def run_check(args: argparse.Namespace) -> int:
    payload = {k: getattr(args, k) for k in ("purchaser", "provider", "participant", "asker", "service", "content", "area",
                                             "catalog_action", "admin_functions", *FLAGS)
               if getattr(args, k, None) is not None}
    result = check_payload(payload)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else format_result(result))
    return 0


_MARK = {"triggered": "✗", "clear": "✓", "unknown": "?"}


def format_result(r: dict) -> str:
    lines = [f"结论：{Decision(r['decision']).zh}（{r['decision']}）", r["understood"]]
    for f in r["fired"]:
        lines.append(f"· {f['clause_id']} [{f['rule_id']}] {f['explanation']}")
        lines.append(f"    原文：“{f['quote']}”" + (f"  （依据：{'、'.join(f['matched'])}）" if f["matched"] else ""))
    for f in r["excepted"]:
        lines.append(f"· 例外 {f['clause_id']} [{f['rule_id']}] {f['explanation']}")
    if r["open_conditions"]:
        lines.append("需确认：" + "；".join(r["open_conditions"]))
    if r.get("preconditions"):
        lines.append("前提：" + "；".join(r["preconditions"]))
    lines.append("负面清单逐项：")
    lines += [f"  {_MARK[c['status']]} {c['clause_id']} {c['label']}" for c in r["checklist"]]
    return "\n".join(lines)

