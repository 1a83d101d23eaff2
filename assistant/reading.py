"""One question's text → Facts: parties and their roles, what is bought, yes/no facts, with negation.

The third stage of reading a message (parts → spans → facts): only the part's case spans are read — quoted rules,
the category asked about and the X of a contrast are hidden first (assistant/spans.py). The reader masks what it
has consumed so nothing is read twice. Vocabulary: corpus/facts.toml (assistant/vocab.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .facts import INSTITUTIONS, NON_GOVERNMENT, ROLES, Area, Asker, Content, Entity, Facts
from .normalize import expand
from .referents import MASK, focus
from .spans import case_text, mark, messages
from .vocab import FlagSpec, Vocab, load_vocab

# "不自己编目录""没有另外制定": the asker says they do not do it ("不是说…可以自行编制吗" is a claim, not a refusal)
_NOT_DOING = re.compile(r"(?<!是)(?:不|没有?|未|并未|不再)(?:打算|准备|想|会|需要|用)?(?:自己|自行|单独|另外|再)?(?:编|制定|制|搞|出)")  # hides a consumed span without moving positions or adding a clause boundary
# When one role has several candidates, the more restricted entity is the one the rules must see.
# a sentence that asks about the arrangement just told ("请问这样购买违规吗"): its role words belong to no party before it
# "…。这个公共卫生服务项目可以购买吗" / "…。可以购买吗" / "…。向专业公司买…行不行": the closing question asks about the
# whole case, its 购买 is no earlier party's
_ASKS_ABOUT_IT = re.compile(r"\s*(?:请问|请教|想问|问一下|问下|那么?)?[:：,，]?\s*(?:这样|这种|如此|上述|此种|这么"
                            r"|(?:这个|该|此|本|这项|这笔)[\u4e00-\u9fff]{0,12}?(?:项目|事项|服务|合同)"
                            r"|(?:可以|能|能不能|可不可以|能否|是否可以)(?:购买|买|采购)[吗么嘛]?[?？]?$"
                            # "…学校的消杀任务多。向专业公司买消毒消杀服务行不行": a subjectless purchase asked about
                            r"|向[^。?？]{1,16}?(?:买|购买|采购))")
_RESTRICTED = (Entity.UNCLASSIFIED, Entity.PUBLIC_1, Entity.GROUP_FUNDED, Entity.PUBLIC_2, Entity.PRODUCTION,
               Entity.INSTITUTION, Entity.GROUP, Entity.ADMIN_INSTITUTION, Entity.GROUP_SELF, Entity.GROUP_ADMIN,
               Entity.ASSOCIATION, Entity.SOCIAL_ORG, Entity.ENTERPRISE, Entity.INDIVIDUAL, Entity.ADMIN_ORGAN)
_GROUPS = frozenset({Entity.GROUP, Entity.GROUP_ADMIN, Entity.GROUP_FUNDED, Entity.GROUP_SELF})

# ---- facts from one question -----------------------------------------------------------------------

@dataclass
class _Party:
    entity: Entity
    spans: list[tuple[int, int]]
    words: list[str]
    roles: dict[str, list[str]] = field(default_factory=dict)  # role → cue words
    admin: bool | None = None
    admin_word: str = ""
    is_self: bool = False  # the party "我们" speaks for
    commissioned: bool = False  # named after "请/委托/外包给/向": someone is buying from it
    beneficiary: bool = False  # named after "给/为/替" before a purchase word: served, not buying


class _Reader:
    """One question's text, read once; consumed spans are masked so nothing reads them twice."""

    def __init__(self, text: str, v: Vocab):
        self.v, self.text = v, text
        # only the asker's own case gives facts: quoted rules, the category asked about and the X of a
        # contrast ("不买X，只买Y") are hidden (assistant/spans.py, corpus/spans.toml)
        self.spans = mark(text, hide=MASK)
        self.work = case_text(text, self.spans, hide=MASK)
        self.evidence: list[tuple[str, str]] = []
        self.values: dict = {}
        self.messages = messages(text)  # a forwarded thread's messages, newest first
        self.asked: dict[str, list[tuple[int, int]]] = {}  # fact → spans its `ask` covered (a question, not a fact)
        self.correction = max((m.end() for m in _CORRECTION.finditer(text)), default=0)  # text after the last one holds

    def newest(self, matches: list) -> list:
        """Of matches spread over a forwarded thread's messages, those in the newest message that has any: a
        later message that changes a condition ("最新情况：预算已批") replaces what the older ones said."""
        if self.correction and matches and any(m.start() >= self.correction for m in matches):
            # "预算好像还没安排。……更正一下：年初部门预算已经批复了": what follows a correction holds
            matches = [m for m in matches if m.start() >= self.correction]
        if len(self.messages) < 2 or not matches:
            return matches
        at = lambda m: sum(m.start() >= b for b in self.messages)  # noqa: E731
        first = min(at(m) for m in matches)
        return [m for m in matches if at(m) == first]

    def is_asked(self, fact: str, word: str) -> bool:
        """Is `word` inside a span the fact's `ask` covered ("取消对社会组织成立年限的限制" names no threshold set)?"""
        i = self.work.find(word)
        return i >= 0 and any(s <= i < e for s, e in self.asked.get(fact, ()))

    def consume(self, s: int, e: int) -> None:
        self.work = self.work[:s] + MASK * (e - s) + self.work[e:]

    def clause_start(self, pos: int) -> int:
        return max((m.end() for m in self.v.clause.finditer(self.work, 0, pos)), default=0)

    def negated(self, pos: int, end: int | None = None) -> bool:
        """A negation word just before `pos` in the same clause ("不涉及工程"), or — given the match's `end` —
        one right after it that closes the clause ("扫描设备也没有")."""
        before = self.work[self.clause_start(pos):pos][-8:]
        neg = self.v.negation.search(before)  # the negation word and the rest of the window after it
        # "为暂未就业的毕业生设置公益性岗位": 未/无/非 before 的 describes a noun (未就业的), it denies nothing after
        # ("不能买的行政决策事项" still denies)
        if neg and not (neg.group()[0] in "未无非" and "的" in neg.group()[1:]) \
                and not self.v.question_forms.search(before):
            return True
        return end is not None and bool(self.v.negation_after.match(self.work, end))

    def flag(self, spec: FlagSpec) -> tuple[bool | None, list[tuple[int, int, str]]]:
        """(value, spans) for one yes/no fact: an `ask` match masks what it covers; any `no` beats `yes`."""
        if spec.mentions and not spec.mentions.search(self.text):
            return None, []  # the fact is about a party the question does not name
        w = self.work
        asked = self.asked.setdefault(spec.fact, [])  # an earlier spec's (or the lexicon's) phrasings obey it too
        asked += [m.span() for m in spec.ask.finditer(w)] if spec.ask else []
        free = lambda m: not any(s < m.end() and m.start() < e for s, e in asked)  # noqa: E731
        nos = [m for m in spec.no.finditer(w) if free(m)] if spec.no else []
        yeses = [m for m in spec.yes.finditer(w) if free(m)] if spec.yes else []
        if spec.negatable:
            nos += [m for m in yeses if self.negated(m.start(), m.end())]
            yeses = [m for m in yeses if not self.negated(m.start(), m.end())]
        kept = self.newest(nos + yeses)
        nos, yeses = [m for m in nos if m in kept], [m for m in yeses if m in kept]
        hits = yeses if spec.prefer_yes and yeses else nos or yeses
        value = (hits is yeses) if hits else None
        return value, [(m.start(), m.end(), m.group()) for m in hits]


def admin_statement(text: str, vocab: Vocab) -> bool | None:
    """Does the text say a unit has (True) or lacks (False) 行政职能, party or not? None: it does not say."""
    return _Reader(vocab.fix_typos(text), vocab).flag(vocab.admin)[0]


def extract(text: str, vocab: Vocab | None = None) -> Facts:
    """Facts of one question (already normalised, instructions removed)."""
    v = vocab or load_vocab()
    rd = _Reader(_it_refs(focus(v.fix_typos(text), v), v), v)
    for spec in v.flags:  # capacity, 公益二类 funds, staff…: read first, they hide the parties they mention
        if spec.fact in rd.values:  # a later [[flag]] for the same fact only adds phrasings
            continue
        value, hits = rd.flag(spec)
        if value is None:
            continue
        rd.values[spec.fact] = value
        rd.evidence += [(spec.fact, w) for _, _, w in hits]
        if spec.consume:
            for s, e, _ in hits:
                rd.consume(s, e)
    for action, pat in v.catalog:  # "不自己编目录，按省厅的执行": the action is refused, not taken
        if m := next((m for m in pat.finditer(rd.work) if not _NOT_DOING.search(m.group())), None):
            rd.values["catalog_action"] = action
            rd.evidence.append(("catalog_action", m.group()))
            rd.consume(*m.span())
            break
    parties = _parties(rd)
    for spec in v.flags:  # "市疾控是公益一类，活儿超出他们能干的量": the 公益一类 is what the fact is about
        if spec.subject and rd.values.get(spec.fact) is True:
            # "卫健委下属公益一类医院接不过来的服务，能不能向社会力量购买": the 购买 after a capacity shortfall
            # is the 主管部门's; only "我们（医院）…购买" keeps the 公益一类 as the buyer
            subjects = [p for p in parties if p.entity is spec.subject and (
                p.roles == {"participant": []} or set(p.roles) == {"purchaser"} and not p.is_self)]
            for p in subjects:
                for s, e in p.spans:
                    rd.consume(s, e)
            parties = [p for p in parties if p not in subjects]
    present = {p.entity for p in parties}
    for p in parties:  # a name is not content: "物业公司", "社区服务中心"
        for s, e in p.spans:
            rd.consume(s, e)
    for spec in v.flags:  # a fact that only counts for a named party (direct grants → 行业协会商会)
        if spec.needs and spec.needs not in present and spec.fact in rd.values:
            del rd.values[spec.fact]
            rd.evidence = [(f, w) for f, w in rd.evidence if f != spec.fact]
    content, service = _content(rd)
    if rd.values.get("decision_retained"):  # "处罚还是我们自己定": what is bought assists a duty, it is not the duty
        content.add(Content.ADMIN_AUX)
        if not rd.values.get("decision_handed"):  # "为决策提供法律意见，决策仍由镇政府作出": the duty is named, not bought
            content.discard(Content.ADMIN_DUTY)
    lex_hits = _lexicon(rd)
    for kind, value, word in lex_hits:
        if kind == "content":
            exclude = next((x for k, _, x in v.contents if k is Content(value)), None)
            i = rd.work.find(word)
            if exclude and any(m.start() < i + len(word) and i < m.end() for m in exclude.finditer(rd.work)):
                continue  # "线上招聘会": the content's own exclusions hold for its everyday words too
            content.add(Content(value))
            rd.evidence.append((f"content={value}", word))
        elif kind == "flag" and value not in rd.values and not rd.is_asked(value, word) \
                and (value != "direct_grant" or Entity.ASSOCIATION in present):
            rd.values[value] = True
            rd.evidence.append((value, word))
        elif kind == "area" and "area" not in rd.values:
            rd.values["area"] = Area(value)
            rd.evidence.append(("area", word))
    if "area" not in rd.values:
        for area, pat in v.areas:
            m = next((m for m in pat.finditer(rd.work) if not rd.negated(m.start())), None)
            if m:
                rd.values["area"] = area
                rd.evidence.append(("area", m.group()))
                break
    if "area" in rd.values and not content & {Content.GOODS, Content.WORKS, Content.FINANCING, Content.STAFFING}:
        content.add(Content.SERVICE)
    values = dict(rd.values)
    if values.get("pi2_funds_moved") is True and "budget" not in values:
        values["budget"] = True  # "经费已调整到局本级预算": the money is in the buyer's budget
    values["asker"] = _asker(rd, parties)
    if any(p.commissioned for p in parties):  # "请X做…""外包给X": a purchase is proposed, buyer named or not
        values["commissioned"] = True
    for role in ROLES:
        cands = [p for p in parties if role in p.roles]
        if cands:
            # a 企业/个人 is the buyer only when no government party could be ("商务局想请会展公司…买")
            best = min(cands, key=lambda p: (role == "purchaser" and p.entity in NON_GOVERNMENT,
                                             _RESTRICTED.index(p.entity)))
            values[role] = best.entity
            if best.admin is not None:
                values[f"{role}_admin_functions"] = best.admin
            rd.evidence += [(role, w) for w in (*best.words, *best.roles[role])]
            if best.admin_word:
                rd.evidence.append((f"{role}_admin_functions", best.admin_word))
    buyer = next((p for p in parties if "purchaser" in p.roles and p.entity is values.get("purchaser")), None)
    if buyer and buyer.entity in NON_GOVERNMENT and "provider" not in buyer.roles and all(
            p.entity in NON_GOVERNMENT | {Entity.SOCIAL_ORG, Entity.ASSOCIATION} for p in parties):
        values["private_buyer"] = True  # "国企自己对外采购保洁": nobody in government is buying
    return Facts(**values, content=frozenset(content), service=service, evidence=tuple(dict.fromkeys(rd.evidence)))


_ASIDE = re.compile(r"[（(][^（）()]{1,24}[）)]")


def _units(head: str, v: Vocab) -> list[tuple[int, int, Entity]]:
    """The units named in `head`, in order, each with its aside ("勘测设计院（从事生产经营活动的事业单位）")."""
    found = sorted((m.start(), m.start() - m.end(), m.end(), x) for x, pat in v.entities for m in pat.finditer(head)
                   if m.group())
    units: list[tuple[int, int, Entity]] = []
    for s, _, e, x in found:
        if units and s < units[-1][1]:
            continue  # inside the one before, or inside its aside
        if m := _ASIDE.match(head, e):
            e = m.end()
        if not units or head[units[-1][0]:units[-1][1]] != head[s:e]:
            units.append((s, e, x))
    return units


# 它 as the one a job is handed to ("交给它来承接", "向它购买", "由它承接"); "给它定类", "替它购买" are other matters
_IT = re.compile(r"(?:交给|交由|委托给?|向|由|让|请)它(?!们)(?=来|去|承接|作为|当|做|购买|买|采购|提供|负责|[,，。?？])")


def _it_refs(text: str, v: Vocab) -> str:
    """"福利院已定为公益二类。民政局想把托养服务交给它来承接": 它 names the last unit named before its clause (never one
    in its own clause, the one doing the handing); written out so the party is read. Not a government body: a job is
    handed to a unit, not back to a bureau, so such an antecedent is a misreading."""
    out, last = [], 0
    for m in _IT.finditer(text):
        at = m.end() - 1
        start = max(text.rfind(c, 0, m.start()) for c in "，,。；;!！?？\n") + 1
        units = _units(text[:start], v)
        if units and units[-1][2] is not Entity.ADMIN_ORGAN:
            s, e, _ = units[-1]
            out += [text[last:at], text[s:e]]
            last = at + 1
    return "".join(out) + text[last:] if out else text


def _mentions(rd: _Reader) -> list[tuple[int, int, Entity]]:
    cands = []
    for prio, (entity, pat) in enumerate(rd.v.entities):
        cands += [(m.start(), prio, -(m.end() - m.start()), m.end(), entity) for m in pat.finditer(rd.work) if m.group()
                  and not rd.v.entity_negation.search(rd.work, max(0, m.start() - 6), m.start())]  # "我们不是公益一类"
    cands.sort()
    out: list[tuple[int, int, Entity]] = []
    for s, _, _, e, entity in cands:
        if not out or s >= out[-1][1]:
            out.append((s, e, entity))
    return out


def _stated(rd: _Reader, pat: re.Pattern, unknown: re.Pattern | None) -> bool:
    """Whether `pat` is stated: found, not negated ("不使用行政编制"), in a sentence that does not ask about it
    or call it unknown."""
    for m in pat.finditer(rd.work):
        if rd.negated(m.start()):
            continue
        s = max(rd.work.rfind(c, 0, m.start()) for c in "。?？!！\n") + 1
        e = min((i for i in (rd.work.find(c, m.end()) for c in "。?？!！\n") if i >= 0), default=len(rd.work))
        if unknown is None or not unknown.search(rd.work, s, e):
            return True
    return False


def _parties(rd: _Reader) -> list[_Party]:
    v, r = rd.v, rd.v.roles
    mentions = _joined(rd, _mentions(rd))
    if any(e in _GROUPS for _, _, e in mentions):
        g = v.group
        admin, funded = _stated(rd, g["admin"], g.get("unknown")), _stated(rd, g["funded"], g.get("unknown"))
        # "有行政编也有事业编，经费主要靠财政": both kinds of staffing — which one applies stays open
        kind = (Entity.GROUP if admin and funded else Entity.GROUP_ADMIN if admin else Entity.GROUP_FUNDED if funded
                else Entity.GROUP_SELF if g["self_funded"].search(rd.work) else Entity.GROUP)
        mentions = [(s, e, kind if x in _GROUPS else x) for s, e, x in mentions]
    # role words inside "政府购买服务" are the name of the policy, not an action
    roles_text = re.sub("(?<=政府)购买服务|(?<=政府)购买(?=的)|(?<=的)购买服务|(?<=承接)购买服务|(?<=承接了)购买服务|(?<=承接过)购买服务|(?<=参与)购买服务|购买服务(?=改革|工作|政策|制度|信息|平台|联系点|目录|领域|范围)",
                        MASK * 4, rd.work)
    parties: list[_Party] = []
    for i, (s, e, entity) in enumerate(mentions):
        nxt = mentions[i + 1][0] if i + 1 < len(mentions) else len(rd.work)
        after = roles_text[e:nxt]
        if r["not_party_after"].search(after):  # "教育局下属中学": the bureau is the parent, not a party
            continue
        if r["object_before"].search(roles_text, 0, s):  # "新建医院": the building, not a party
            continue
        target = next((p for p in parties if p.entity == entity or
                       {entity, p.entity} <= INSTITUTIONS and Entity.INSTITUTION in (entity, p.entity)), None)
        if entity is Entity.INSTITUTION and re.search("(?:我们|咱们|我|本)$", rd.work[max(0, s - 2):s]):
            # "我们是民办学校…向我们学校购买": "我们学校" is the party the asker already named, not another school
            target = next((p for p in parties if p.is_self), target)
        if target is None:
            target = _Party(entity, [], [])
            parties.append(target)
        elif entity is not Entity.INSTITUTION:  # "学校…公益一类": the specific name wins
            target.entity = entity
        target.spans.append((s, e))
        target.words.append(rd.text[s:e])
        before = roles_text[rd.clause_start(s):s]
        if re.fullmatch(r"[\u4e00-\u9fff×Xx]{0,12}[（(]?", before) and (cs := rd.clause_start(s)) and roles_text[cs - 1] in ":：":
            before = roles_text[rd.clause_start(cs - 1):cs] + before  # a form field "承接方：县X中心": the label gives the role
        if r["self"].search(before) or r["self_word"].match(rd.work, s):
            target.is_self = True
        # cues may run past the next party ("接政府的项目") but must start before it; a question mark
        # ends them (a follow-up question is read on its own, see _inherit)
        # an aside right after the party ("事业单位（县宾馆，还没转企），想把…外包") does not use up the window
        if (aside := re.match(r"[（(][^）)]{1,20}[）)][,，]?", roles_text[e:])) and e + aside.end() < nxt:
            e = e + aside.end()
        # the next form field ("来源：X局 承接方：Y") is another party's line
        window = re.split(r"[?？!！;；]|(?:\s+|\s*[|｜]\s*)[\u4e00-\u9fff]{2,8}[:：]", roles_text[e:e + 30], maxsplit=1)[0]
        window = r["other_subject"].split(window, maxsplit=1)[0]  # see facts.toml [roles].other_subject
        # a role stated in the party's own sentence is its role: "公证处也想参与投标。预算已在年初编报" —
        # the next sentence's 编报 is about the budget, not about the 公证处
        own, _, later = window.partition("。")
        if any(r[k].search(own[:nxt - e]) for k in ("provider_after", "purchaser_after")) or _ASKS_ABOUT_IT.match(later):
            window = own  # "…社工进学校做心理辅导。请问这样购买违规吗": the question's 购买 is not the school's
        room = nxt - e
        if m := r["purchaser_label"].search(before):  # a form field "购买主体：县人民医院（公益二类）"
            target.roles.setdefault("purchaser", []).append(m.group())
            continue
        if (m := _AS_BUYER.match(window)) and not _NOT_BY.search(before):
            # "委托县自来水公司（生产经营类事业单位）作为购买主体，代局里采购": the role it is given is the buyer's
            target.roles.setdefault("purchaser", []).append(m.group())
            continue
        buy = next((m for m in r["purchaser_after"].finditer(window) if m.start() < room), None)
        if not r["provider_before"].search(before) and r["beneficiary_before"].search(before) and buy and \
                not any(k in target.roles for k in ("provider", "purchaser")):
            # "教育局想给农村学校买课程服务": the school is served; 买 is the bureau's
            target.beneficiary = True
            subject = next((p for p in reversed(parties) if p is not target and not p.beneficiary), None)
            if subject is not None and "provider" not in subject.roles:
                subject.roles.pop("participant", None)
                subject.roles.setdefault("purchaser", []).append(buy.group())
            continue
        if m := r["provider_before"].search(before):
            target.roles.setdefault("provider", []).append(m.group())
            target.commissioned = target.commissioned or bool(r["commission"].search(m.group()))
            # "学校的消杀任务多…向专业公司买": a unit named only as the owner of something (学校的) is not the buyer
            subject = next((p for p in reversed(parties) if p is not target and "provider" not in p.roles
                            and not all(_OWNER_OF.match(roles_text, e) for _, e in p.spans)), None)
            if subject and (m := r["purchaser_after"].search(window[:room])):  # "民政局向X购买": 购买 is 民政局's
                subject.roles.pop("participant", None)
                subject.roles.setdefault("purchaser", []).append(m.group())
        elif r["served_before"].search(before) and (m := r["provider_after"].search(window[:room])) \
                and m.group().startswith("提供") and not target.roles:
            target.beneficiary = True  # "为山区学校提供校车服务": the school is served, someone else provides
        else:
            for role, key in (("provider", "provider_after"), ("purchaser", "purchaser_after"), ("participant", "participant")):
                m = next((m for m in r[key].finditer(window) if m.start() < room
                          and not (role == "purchaser" and (_NOT_BY.search(window, 0, m.start())
                                                            or _NAMES_NEXT.match(window, m.start())))), None)
                if m and (role != "participant" or not target.roles):
                    target.roles.setdefault(role, []).append(m.group())
        if not target.roles and (pro := r["pronoun"].search(roles_text, e, nxt)):
            # "…还是事业单位，平时搞经营。它能当购买方吗": the pronoun's sentence gives the role
            said = re.split(r"[?？!！;；。]", roles_text[pro.end():pro.end() + 30], maxsplit=1)[0]
            for role, key in (("provider", "provider_after"), ("purchaser", "purchaser_after")):
                if m := r[key].search(said):
                    target.roles.setdefault(role, []).append(m.group())
                    break
    _self_buyer(rd, roles_text, parties)
    if any(q.entity is Entity.ADMIN_ORGAN for q in parties):  # facts.toml [roles].helper_after, bystander_after
        for p in parties:
            helper = "provider" not in p.roles and any(r["helper_after"].match(roles_text, e) for _, e in p.spans)
            if p.entity is not Entity.ADMIN_ORGAN and not p.is_self and (helper or r.get("bystander_after") and any(
                    r["bystander_after"].match(roles_text, e) for _, e in p.spans)):
                p.roles.clear()
                p.beneficiary = True
    for p in parties:  # "公益二类不能参加…那我们医院想当承接方": a stated role says how it takes part
        if p.roles.keys() & {"provider", "purchaser"}:
            p.roles.pop("participant", None)
    buyers = [p for p in parties if "purchaser" in p.roles]
    providers = [p for p in parties if "provider" in p.roles]
    # a government buyer is named and the provider too, or nothing says anyone takes the job on
    named = bool(buyers) and not any(b.entity in INSTITUTIONS for b in buyers) and (
        any(b is not q for b in buyers for q in providers) or not r["provider_cue"].search(rd.work))
    # "把学校、车站的消杀交给专业公司做": a provider that is no 事业单位 takes the job on; a 事业单位 named with
    # no role word is where or for whom the service is done (on the gold questions read so, none was conditional)
    named = named or any(q.entity in _MARKET for q in providers)
    if not buyers:  # the one bureau of a purchase question whose own sentence was set aside buys
        _sole_bureau_buys(rd, roles_text, parties)
    for p in parties:
        if p.beneficiary and not p.roles:  # served by the purchase: no role of its own
            continue
        if not p.roles and p.entity is Entity.INSTITUTION and named:
            # "疾控中心人手紧张，卫健委向社会组织购买…": buyer and provider are named; a 事业单位 with no role
            # word is the background, not a party whose class decides anything — the asker's own school too
            # ("我是小学校长…县教育局想买校车服务")
            continue
        if not p.roles:  # no role word: the question leaves the role open
            p.roles["participant"] = []
    _admin_functions(rd, parties)
    return parties


# "…说不行" / "…指出…": a bureau that only comments (财政局说不行) is no buyer
_COMMENTS = re.compile(r"[\u4e00-\u9fff]{0,2}(?:说|指出|认为|提醒|告知|答复|审核|意见|退回|否定|否决|要求)")


def _sole_bureau_buys(rd: _Reader, roles_text: str, parties: list[_Party]) -> None:
    """"县人社局原想招编外人员…，现在改为向专业机构购买咨询服务": the bureau's own sentence was a refused plan
    (set aside), so no role word is left beside it; the one bureau named in a purchase is the buyer."""
    bureaus = [p for p in parties if p.entity is Entity.ADMIN_ORGAN and not p.roles and not p.beneficiary]
    buy = re.search("购买|采购", roles_text)
    if len(bureaus) != 1 or not buy or any(p.roles for p in parties if p.entity is Entity.ADMIN_ORGAN):
        return
    if any(_COMMENTS.match(roles_text, e) for _, e in bureaus[0].spans):
        return
    if not any(MASK * 3 in roles_text[e:e + 6] for _, e in bureaus[0].spans):
        return  # its own words are there and give no role: the role stays open
    bureaus[0].roles["purchaser"] = [buy.group()]


def _self_buyer(rd: _Reader, roles_text: str, parties: list[_Party]) -> None:
    """"由我们当购买主体签合同""由厂里作为购买主体": the unit the message speaks for (or the one 事业单位
    named) buys, though the party was named sentences before (facts.toml [roles].self_buyer)."""
    m = rd.v.roles.get("self_buyer") and rd.v.roles["self_buyer"].search(roles_text)
    if not m:
        return
    units = [p for p in parties if p.entity in INSTITUTIONS | _GROUPS]
    own = [p for p in units if p.is_self]
    # "县卫健局。…我们作为购买主体向医院购买": a bare 我们 beside a named bureau is the bureau
    generic = re.search("我们|我单位|本单位", m.group()) and any(p.entity is Entity.ADMIN_ORGAN for p in parties)
    if not own and len(units) == 1 and not generic:
        own = units
    for p in own[:1]:
        p.roles.setdefault("purchaser", []).append(m.group())


_AS_BUYER = re.compile(r"[）)]?[,，]?\s*(?:作为|当|做|担任)(?:合同)?(?:购买主体|购买方|采购人|甲方)")
# "学校的消杀任务", not "公益二类事业单位的主管部门": 的 and what the unit has, not the unit it belongs to
_OWNER_OF = re.compile(r"的(?!主管|上级|下属|所属|部门|机关|局|单位|领导|党组)")
# "不再由所里当购买主体，由林业局来买", "检测院不再当购买主体": the role is refused ("能不能由所里当" still asks it)
_NOT_BY = re.compile(r"(?:(?<!能)(?:不再|不能|不|不是|不用|无需)由[\u4e00-\u9fff]{0,4}|(?<!能)(?:不再|不能再|不再是|不得|不是|并非|不作为|不当))$")
# "…，购买主体是县文旅局": the label names the party after it, not the one before
_NAMES_NEXT = re.compile(r"购买(?:主体|方|单位)\s*(?:是|为|系|[:：])")
# "更正一下：…" / "纠正一下，…": the asker corrects what was said before
_CORRECTION = re.compile(r"(?:更正|纠正)(?:一下)?[:：,，]|说错了[,，。]|搞错了[,，。]")
_MARKET = frozenset({Entity.SOCIAL_ORG, Entity.ASSOCIATION, Entity.ENTERPRISE})  # not 个人: its standing is asked


def _joined(rd: _Reader, mentions: list[tuple[int, int, Entity]]) -> list[tuple[int, int, Entity]]:
    """One party named twice in a row is one mention: "公益二类医院", "中学（公益一类）",
    "一所公办小学，属于公益一类事业单位". The more specific name gives the type."""
    out: list[tuple[int, int, Entity]] = []
    for s, e, entity in mentions:
        if out:
            ps, pe, pent = out[-1]
            between = rd.work[pe:s].strip(" ,，")
            if _compatible(pent, entity) and (between in ("", "的", "（") or len(between) <= 8 and rd.v.roles["copula"].search(between)):
                keep = pent if entity in (Entity.INSTITUTION, Entity.GROUP) else entity
                if re.search("还是(?!说|要|按|得)|或者|或是|抑或|^或", between) and pent != entity \
                        and Entity.INSTITUTION not in (pent, entity) and {pent, entity} <= INSTITUTIONS:
                    keep = Entity.INSTITUTION  # "到底是公益一类还是公益二类": the class is not known
                close = rd.work.find("）", e, e + 2)
                out[-1] = (ps, close + 1 if between == "（" and close >= 0 else e, keep)
                continue
        out.append((s, e, entity))
    return out


def _asker(rd: _Reader, parties: list[_Party]) -> Asker:
    """Whose side the question is on: the party "我们" speaks for, or "我们" doing a role word."""
    me = next((p for p in parties if p.is_self), None) or _headed_by(rd, parties)
    if me is not None and me.roles.keys() & {"provider", "purchaser"}:
        return Asker.PROVIDER if "provider" in me.roles else Asker.PURCHASER
    r = rd.v.roles
    for m in r["self_word"].finditer(rd.work):  # "我们想买…" / "我们能去投标吗": up to the clause end or a named party
        if rd.work[max(0, m.start() - 1):m.start()] == "把":
            continue  # "局里把我们原来干的活改成购买服务": we are what is acted on, not the one who buys
        # 24 characters: "我们打算给外卖骑手、快递员这些劳动者买…" names whom it serves before 买
        rest = re.split(f"{rd.v.clause.pattern}|{MASK}", rd.work[m.end():m.end() + 24], maxsplit=1)[0]
        pro, pur = r["provider_after"].search(rest), r["purchaser_after"].search(rest)
        # "县民政局想向我们购买…": the 购买 after "向我们" is the buyer's, and we are the provider
        from_us = (pro or pur) and re.search("(?:(?<!面)向|从)$", rd.work[max(0, m.start() - 2):m.start()])
        if pro or pur or r["commission_self"].search(rd.work, max(0, m.start() - 4), m.start()):
            role = "provider" if from_us or not pur or pro and pro.start() < pur.start() else "purchaser"
            if me is not None and not me.roles.keys() & {"provider", "purchaser"}:
                # "我们是一家公益二类医院…我们作为承接方接这个活" / "…交给我们来做": the role is the party's
                me.roles.pop("participant", None)
                me.roles[role] = [m.group()]
            return Asker.PROVIDER if role == "provider" else Asker.PURCHASER
    return Asker.UNKNOWN


# a message headed by the unit it comes from ("桂阳县某公益二类事业单位，单位有部分财政补助。问题：我们能不能…",
# "问题清单（沅陵县总工会）"): a heading, at most a place name before the unit, then its description
_HEADING = re.compile(r"\s*(?:问题清单|疑问清单|问题汇总表?|咨询函|来函)?\s*[（(:：]?\s*(?:(?![我是的])[\u4e00-\u9fff]){0,8}?(?:某|一家|一个|一所)?")


def _headed_by(rd: _Reader, parties: list[_Party]) -> _Party | None:
    """The unit a message is headed by, when "我们" later speaks for it: not a government body (its "我们" may be
    anyone), and with no role in its own heading sentence."""
    if not parties:
        return None
    first = min(parties, key=lambda p: p.spans[0][0])
    s, e = first.spans[0]
    heading = re.split(r"[。\n]|问题[:：]|背景[:：]", rd.work[e:], maxsplit=1)[0]
    if s > 12 or first.entity is Entity.ADMIN_ORGAN or set(first.roles) - {"participant"} \
            or not _HEADING.fullmatch(rd.work[:s]) or rd.v.roles["purchaser_after"].search(heading) \
            or rd.v.roles["provider_after"].search(heading):
        return None
    return first


def _compatible(a: Entity, b: Entity) -> bool:
    fam = lambda x: "inst" if x in INSTITUTIONS else "group" if x in _GROUPS else x.value  # noqa: E731
    return fam(a) == fam(b)


def _admin_functions(rd: _Reader, parties: list[_Party]) -> None:
    """行政职能 statements belong to the nearest 事业单位 party."""
    value, hits = rd.flag(rd.v.admin)
    for s, e, _ in hits:  # "承担行政执法职能" says who the party is, not that 执法 is being bought
        rd.consume(s, e)
    insts = [p for p in parties if p.entity in INSTITUTIONS]
    if value is None or not insts:
        return
    pos = hits[0][0]
    best = min(insts, key=lambda p: min(abs(s - pos) for s, _ in p.spans))
    if best.entity is Entity.ADMIN_INSTITUTION and value is False:
        return  # "承担行政职能的事业单位" contradicts "没有行政职能": keep the name, it is explicit
    best.admin, best.admin_word = value, hits[0][2]
    if value and best.entity is Entity.INSTITUTION:
        best.entity = Entity.ADMIN_INSTITUTION


def _content(rd: _Reader) -> tuple[set[Content], str]:
    found: set[Content] = set()
    service = ""
    for kind, pat, exclude in rd.v.contents:
        for m in (_services(rd, pat, exclude) if kind is Content.SERVICE else _usable(rd, pat, exclude)):
            if kind is Content.SERVICE:
                if not (desc := _describe_service(rd.work, m)):  # "买服务", "相关服务": no service named
                    continue
                service = service or desc
            found.add(kind)
            rd.evidence.append((f"content={kind}", m.group()))
            if kind is Content.ADMIN_AUX:  # an auxiliary service is not the duty itself: hide every mention
                for a in pat.finditer(rd.work):  # ("执法中的辅助性工作，比如执法案卷整理")
                    rd.consume(*a.span())
            break
    if Content.GOODS in found and Content.SERVICE in found and not _goods_bought(rd):
        found.discard(Content.GOODS)  # a service is bought; the goods are the provider's or only mentioned
        rd.evidence = [(f, w) for f, w in rd.evidence if f != f"content={Content.GOODS}"]
    b = rd.v.bundle
    if Content.WORKS in found and (m := b["cue"].search(rd.work)) and b["service"].search(rd.work):
        found.add(Content.BUNDLE)
        rd.evidence.append((f"content={Content.BUNDLE}", m.group()))
    return found, service


def _usable(rd: _Reader, pat: re.Pattern, exclude: re.Pattern | None):
    """The matches of a content pattern that count: non-empty, outside its exclusions, not negated."""
    excluded = _excluded(rd, exclude)
    return (m for m in pat.finditer(rd.work) if _counts(rd, m, excluded))


def _services(rd: _Reader, pat: re.Pattern, exclude: re.Pattern | None):
    """The usable service matches; a "…服务" match that names no service or is excluded ("运维单列为购买服务":
    购买服务 is the policy's name) is searched once more without its 服务, for a service word it swallowed."""
    excluded = _excluded(rd, exclude)
    for m in pat.finditer(rd.work):
        if _counts(rd, m, excluded) and _describe_service(rd.work, m):
            yield m
        elif m.group().endswith("服务") and (inner := pat.search(rd.work, m.start(), m.end() - 2)) \
                and _counts(rd, inner, excluded):
            yield inner


def _excluded(rd: _Reader, exclude: re.Pattern | None) -> list[tuple[int, int]]:
    return [m.span() for m in exclude.finditer(rd.work)] if exclude else []


def _counts(rd: _Reader, m: re.Match, excluded: list[tuple[int, int]]) -> bool:
    return bool(m.group()) and not any(s < m.end() and m.start() < e for s, e in excluded) \
        and not rd.negated(m.start(), m.end())


def _goods_bought(rd: _Reader) -> bool:
    """Whether some goods mention is said to be bought (facts.toml [goods_bought])."""
    g = rd.v.goods_bought
    pat, exclude = next((p, x) for kind, p, x in rd.v.contents if kind is Content.GOODS)
    return any(g["itself"].search(m.group()) or g["before"].search(rd.work[max(0, m.start() - 8):m.start()])
               or g["after"].search(rd.work[m.end():m.end() + 16]) for m in _usable(rd, pat, exclude))


_VERBS = re.compile(r".*(?:想|要|能|可以|打算|计划|准备|购买|买|采购|承接|提供|做|开展|通过|用|来|请|把|将|的|向|给|是|为|了|和|与|或|个|项|些|批|种)")


def _describe_service(text: str, m: re.Match) -> str:
    """'民政局想购买社区居家养老服务' → '社区居家养老服务': the words before 服务, after the last verb."""
    if not m.group().endswith("服务"):  # "请□□□□送戏下乡" → "送戏下乡": the task, not the party named
        return re.sub("^(?:来|去)", "", m.group().rsplit(MASK, 1)[-1]) or m.group()
    head = _VERBS.sub("", m.group()[:-2])
    return head + "服务" if head else ""


def _lexicon(rd: _Reader) -> list[tuple[str, str, str]]:
    """Notice terms that expand() adds for everyday words (e.g. 买岗位 → 公益性岗位), read as facts."""
    if expand(rd.work) == rd.work:
        return []
    out = []
    for word, (kind, value) in rd.v.lexicon.items():
        i = rd.work.find(word)
        tail = rd.v.lexicon_tail
        if i >= 0 and not rd.negated(i, i + len(word)) and not (tail and tail.match(rd.work, i + len(word))):
            out.append((kind, value, word))
    return out

