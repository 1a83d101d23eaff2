"""A proposed purchase as typed, frozen facts — what the checker decides on.

"Unknown" is a value, never a guess: enum facts have an UNKNOWN member, yes/no facts are
True / False / None. Values are the notice's own words so rules.toml reads like the notice."""

from __future__ import annotations

import re

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any


class Entity(StrEnum):
    ADMIN_ORGAN = "行政机关"
    ADMIN_INSTITUTION = "承担行政职能的事业单位"
    PUBLIC_1 = "公益一类事业单位"
    PUBLIC_2 = "公益二类事业单位"
    PRODUCTION = "生产经营类事业单位"
    UNCLASSIFIED = "尚未分类事业单位"
    INSTITUTION = "事业单位（类别未说明）"
    GROUP_ADMIN = "群团组织（行政编制）"
    GROUP_FUNDED = "群团组织（事业编制、财政保障）"
    GROUP_SELF = "群团组织（事业编制、非财政保障）"
    GROUP = "群团组织（编制未说明）"
    SOCIAL_ORG = "社会组织"
    ASSOCIATION = "行业协会商会"
    ENTERPRISE = "企业"
    INDIVIDUAL = "个人"
    UNKNOWN = "未说明"


INSTITUTIONS = frozenset({Entity.ADMIN_INSTITUTION, Entity.PUBLIC_1, Entity.PUBLIC_2, Entity.PRODUCTION,
                          Entity.UNCLASSIFIED, Entity.INSTITUTION})


class Content(StrEnum):
    SERVICE = "服务"
    GOODS = "货物"
    WORKS = "工程"
    BUNDLE = "工程和服务打包"
    FINANCING = "融资"
    STAFFING = "人员招聘·劳务派遣·公益性岗位"
    ADMIN_DUTY = "行政决策·执法·监督"
    ADMIN_AUX = "履职辅助性服务"
    NOT_GOV_DUTY = "不属于政府职责的事项"


class Area(StrEnum):  # 附件1 key areas
    COMMUNITY = "城乡社区公共服务"
    HEALTH = "公共卫生服务"
    ELDERLY = "基本养老服务"
    EMPLOYMENT = "就业公共服务"
    EDUCATION = "教育公共服务"
    OTHER = "其他民生领域"
    UNKNOWN = "未说明"


class CatalogAction(StrEnum):  # who compiled or changed a 目录, and how
    PROVINCIAL_ADJUST = "省级部门自行调整修改部门目录"
    LOCAL_COMPILE = "市州·县市区部门自行编制目录"
    PROVINCIAL_COMPILE = "省级部门编制部门目录"
    LOCAL_FOLLOW = "市州·县市区部门按省级部门目录执行"
    UNKNOWN = "未说明"


class Asker(StrEnum):  # whose side the question is asked from ("我们想买…" / "我们能去投标吗")
    PURCHASER = "购买主体"
    PROVIDER = "承接主体"
    UNKNOWN = "未说明"


ENUMS: dict[str, type[StrEnum]] = {
    "purchaser": Entity, "provider": Entity, "participant": Entity,
    "area": Area, "catalog_action": CatalogAction, "asker": Asker,
}
# yes/no facts, with the Chinese label shown in "我理解：…"
FLAGS: dict[str, str] = {
    "purchaser_admin_functions": "购买主体行政职能",
    "provider_admin_functions": "承接主体行政职能",
    "participant_admin_functions": "参与方行政职能",
    "budget": "预算已安排",
    "budget_adjusted": "年中调整已确定的购买服务预算",
    "in_catalog": "已纳入指导性目录",
    "catalog_as_budget_basis": "以目录为由增加预算",
    "staff_sufficient": "现有人员设备足以履职",
    "direct_grant": "对行业协会商会直接拨款",
    "resettlement": "用于安置机构改革分流人员",
    "discriminatory": "对承接主体差别或歧视待遇",
    "catalog_consulted": "编目录已征求市县意见",
    "pi2_in_house": "事项现由公益二类事业单位承担",
    "pi2_funds_moved": "公益二类经费已调至主管部门",
    "pi1_shortfall": "超出公益一类承接能力",
    "shortfall_certified": "已经财政和主管部门认定",
    "third_party_eval": "第三方绩效评价",
    "sheds_duty": "借第三方推卸政府职责",
    "barred_by_law": "法律法规或国务院另有禁止",
    "hands_off": "买完付完就不再管（一买了之、一付了事）",
    "unlisted": "以负面清单没写为由购买",
    "public_keeps": "适宜购买的养老服务仍由公办养老机构提供",
    "skips_procurement": "限额以上不按政府采购程序、限额以下不公示",
    "withholds_disclosure": "合同或指导性目录不按规定公开",
    "unlinked_results": "绩效评价结果不与预算安排挂钩",
    "keeps_income": "事业单位承接取得的税后收入由单位按规定支配",
    "funds_pending": "相关经费调整为主管部门本级预算尚未完成",
    "refuses_oversight": "不接受财政、审计、社会或服务对象的监督",
    "disguised": "把禁止性事项换个名义纳入购买服务",
    "admin_unclear": "公益一类是否承担行政职能说不清",
    "admin_scope_open": "交给承接方的是否包括决策、审批、处置本身还没定",
    "decision_handed": "把决定本身（谁享受、给多少、结论）交给承接方",
    "decision_retained": "决定、审批、处罚仍由政府自己作出",
    "asks_direction": "问的是方向、领域或归类（是否与某条冲突）",
    "asks_role": "问的是能否担任某一角色",
    "commissioned": "以请/委托/外包给的说法提出具体购买",
    "asks_conditions": "问的是需要满足什么条件",
    "private_buyer": "购买方是企业或个人自己（不是政府购买）",
}
# Facts about the question's shape, not the purchase: read by the rules, not shown in "我理解：…"
SHAPE_FLAGS = frozenset({"asks_direction", "asks_role", "commissioned", "asks_conditions"})
# Who is not a government purchaser: their own purchases are not 政府购买服务, the notice does not decide them
NON_GOVERNMENT = frozenset({Entity.ENTERPRISE, Entity.INDIVIDUAL})
ROLES = ("purchaser", "provider", "participant")


@dataclass(frozen=True, slots=True)
class Facts:
    purchaser: Entity = Entity.UNKNOWN  # 购买主体
    provider: Entity = Entity.UNKNOWN  # 承接主体
    participant: Entity = Entity.UNKNOWN  # an entity whose role the question leaves open ("参与")
    asker: Asker = Asker.UNKNOWN  # the role of "我们" in the question
    purchaser_admin_functions: bool | None = None
    provider_admin_functions: bool | None = None
    participant_admin_functions: bool | None = None
    service: str = ""  # what is bought, in the asker's words ("物业服务")
    content: frozenset[Content] = frozenset()
    area: Area = Area.UNKNOWN
    catalog_action: CatalogAction = CatalogAction.UNKNOWN
    budget: bool | None = None
    budget_adjusted: bool | None = None  # 正文二、（二）: 支出预算一经确定，原则上不得调整
    in_catalog: bool | None = None
    catalog_as_budget_basis: bool | None = None
    staff_sufficient: bool | None = None
    direct_grant: bool | None = None
    resettlement: bool | None = None
    discriminatory: bool | None = None
    catalog_consulted: bool | None = None
    pi2_in_house: bool | None = None
    pi2_funds_moved: bool | None = None
    pi1_shortfall: bool | None = None
    shortfall_certified: bool | None = None
    third_party_eval: bool | None = None
    sheds_duty: bool | None = None
    barred_by_law: bool | None = None
    hands_off: bool | None = None  # 正文四、（二）: 防止出现"一买了之""一付了事"
    unlisted: bool | None = None  # "负面清单没写的都能买" — 正文三、（二）still limits the scope
    public_keeps: bool | None = None  # 附件1三、: "适宜购买的助餐服务，继续由公办敬老院提供"
    refuses_oversight: bool | None = None  # 附件2导语: "承接方只对购买方负责，不接受服务对象和社会监督"
    withholds_disclosure: bool | None = None  # 正文四、（三）: "只备案、不在信息平台公开""目录只在厅内部印发"
    unlinked_results: bool | None = None  # 正文四、（一）: "绩效评价结果与下年预算不挂钩""评价结果不作为预算依据"
    keeps_income: bool | None = None  # 正文一、（二）: "承接所得税后收入，单位能自己支配吗" (yes/no; "由谁支配" is information)
    funds_pending: bool | None = None  # 正文二、（二）: "经费还没调整为主管部门本级预算" — not refused, not yet done
    skips_procurement: bool | None = None  # 正文四、（三）: "限额以上不走政府采购程序直接指定" / 限额以下不公示
    admin_unclear: bool | None = None  # "我们是公益一类，有没有行政职能说不清楚": the exception is open, not denied
    admin_scope_open: bool | None = None  # "是只做调研还是替我们拍板，还没定": auxiliary or the decision itself
    decision_handed: bool | None = None  # "由它来定谁拿补贴""照它的名单拨钱": the decision is handed over
    decision_retained: bool | None = None  # "处罚还是我们自己定": only auxiliary work is bought
    disguised: bool | None = None  # 正文三、（二）: 严禁将禁止性事项（换个名义）纳入政府购买服务范围
    asks_direction: bool | None = None  # "属于重点领域吗""这个方向通知支持吗": about the category, not a proposal
    asks_role: bool | None = None  # "能当购买主体吗""能当承接方吗": about eligibility, not a proposal
    commissioned: bool | None = None  # "请X做…""外包给X": someone is buying, even if unnamed
    asks_conditions: bool | None = None  # "需要满足什么条件": list the preconditions (目录, 预算)
    private_buyer: bool | None = None  # a 企业/个人 buying for itself, no government party at all
    # (field, words in the question) — what the rules quote back as "matched"; not a fact itself
    evidence: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        for name, enum in ENUMS.items():
            v = getattr(self, name)
            if not isinstance(v, enum):
                raise ValueError(f"Facts.{name} must be a {enum.__name__}, got {v!r}")
        for name in FLAGS:
            v = getattr(self, name)
            if v not in (True, False, None) or isinstance(v, int) and not isinstance(v, bool):
                raise ValueError(f"Facts.{name} must be True, False or None, got {v!r}")
        if not isinstance(self.content, frozenset) or not all(isinstance(c, Content) for c in self.content):
            raise ValueError(f"Facts.content must be a frozenset of Content, got {self.content!r}")
        for role in ROLES:  # 承担行政职能的事业单位 has administrative functions by definition
            if getattr(self, role) is Entity.ADMIN_INSTITUTION:
                if getattr(self, f"{role}_admin_functions") is False:
                    raise ValueError(f"Facts.{role} is {Entity.ADMIN_INSTITUTION} but {role}_admin_functions is False")
                object.__setattr__(self, f"{role}_admin_functions", True)

    # Derived facts the rules may test, like any field.
    @property
    def any_party(self) -> frozenset[Entity]:
        return frozenset(getattr(self, r) for r in ROLES) - {Entity.UNKNOWN}

    @property
    def purchase_proposed(self) -> bool:
        """A concrete purchase is on the table, so the general preconditions (budget first, inside the
        目录) must be met: budget/目录/staffing is discussed, or a named service is bought by a known
        purchaser, or a service is asked about with no party or area to make it a general question.
        "May X be a provider?", "may 社区养老 be bought?", "is this a key area?" are eligibility or
        category questions, not proposals; "请X做…" proposes a purchase even when the buyer is unnamed."""
        if self.asks_direction or self.asks_role:
            return False  # "属于重点领域吗""能当承接方吗": a question about the category or role
        if self.asks_conditions or any(v is not None for v in (self.budget, self.in_catalog, self.staff_sufficient)):
            return True
        if Content.SERVICE not in self.content or self.asker is Asker.PROVIDER:
            return False  # a provider asking "may we bid?" is not proposing the purchase
        return self.purchaser is not Entity.UNKNOWN or self.asker is Asker.PURCHASER or bool(self.commissioned) or (
            self.provider is Entity.UNKNOWN and self.participant is Entity.UNKNOWN and self.area is Area.UNKNOWN)

    def get(self, name: str) -> Any:
        return getattr(self, name)

    def words(self, name: str) -> tuple[str, ...]:
        return tuple(w for f, w in self.evidence if f == name)

    def name(self, role: str, text: str = "") -> str:
        """The party in `role` as the question names it ("县卫健局"), or "" when only a verb was read.
        With `text`, a level prefix just before the name (省/市/县/区/乡/镇) is kept."""
        word = next((w for w in self.words(role) if not _ROLE_VERB.search(w)), "")
        if word and text and (i := text.find(word)) > 0:
            j = i
            while j > 0 and i - j < 2 and text[j - 1] in "省市县区乡镇州":
                j -= 1
            word = text[j:i] + word
        return word

    def describe(self, text: str = "") -> str:
        """'我理解：购买主体=县卫健局（行政机关）；购买内容=物业服务；预算=未说明…' — a party is shown by the
        name the question gives it (`text`: the question, for a level prefix), with its class."""
        out: list[str] = []
        for role, zh in (("purchaser", "购买主体"), ("provider", "承接主体"), ("participant", "参与方（角色未说明）")):
            e = getattr(self, role)
            if e is not Entity.UNKNOWN:
                adm = getattr(self, f"{role}_admin_functions")
                note = "" if e not in (Entity.PUBLIC_1, Entity.INSTITUTION) and adm is None or e is Entity.ADMIN_INSTITUTION else \
                    {True: "（有行政职能）", False: "（无行政职能）", None: "（行政职能未说明）"}[adm]
                name = self.name(role, text)
                out.append(f"{zh}={name}（{e}{note.strip('（）') and '，' + note.strip('（）')}）"
                           if name and name != str(e) else f"{zh}={e}{note}")
        if self.asker is not Asker.UNKNOWN:
            out.append(f"提问方={self.asker}")
        if self.content or self.service:
            kinds = "、".join(c.value for c in Content if c in self.content and c is not Content.SERVICE)
            what = "；".join(x for x in (self.service, kinds) if x)
            out.append(f"购买内容={what or Content.SERVICE.value}")
        if self.area is not Area.UNKNOWN:
            out.append(f"重点领域={self.area}")
        if self.catalog_action is not CatalogAction.UNKNOWN:
            out.append(f"目录={self.catalog_action}")
        for name, zh in FLAGS.items():
            v = getattr(self, name)
            if v is not None and not name.endswith("admin_functions") and name not in SHAPE_FLAGS:
                out.append(f"{zh}={'是' if v else '否'}")
        if self.purchase_proposed:  # the two preconditions are always shown, so a silent gap is visible
            out += [f"{zh}=未说明" for name, zh in (("budget", "预算"), ("in_catalog", "目录"))
                    if getattr(self, name) is None]
        return "我理解：" + ("；".join(out) if out else "未识别出购买主体、承接主体或购买内容")


_ROLE_VERB = re.compile(r"购买|承接|采购|外包|委托|投标|作为|当|请|买|接|给|做")
FACT_FIELDS = tuple(f.name for f in fields(Facts) if f.name != "evidence")
DERIVED = ("any_party", "purchase_proposed")
