"""Generalisation of the free-text checker: invented colloquial phrasings per category, written without
looking at any eval set. Each category has phrasings that must reach the verdict and near misses that must
not be prohibited (or must not fire the category's rule). Categories follow how Hunan finance staff talk:
entity types, 工程, bundles, 融资, staffing, no budget, staff sufficiency, 目录, direct grants,
discrimination, typos, negation, 公益一类 capacity shortfall and the 预算一经确定 rule."""

import pytest

from assistant.extract import check_text, extract, load_vocab
from assistant.facts import Content, Entity
from assistant.normalize import normalize

P = "prohibited"


def _ids(tv):
    return {f.rule_id for f in tv.fired} | {f.rule_id for f in tv.excepted}


# (question, expected decision) — the decision of the whole message
DECIDES = {
    "全额拨款 = 公益一类": [
        ("我们是全额拨款事业单位，没有行政职能，想花钱买保洁服务", P),
        ("全额拨款的单位能去投标政府购买服务项目吗", P),
        ("财政全额保障的事业单位能承接购买服务吗", P),
    ],
    "差额拨款 = 公益二类": [
        ("差额拨款的事业单位想用财政资金买审计服务，行吗", P),
        ("差额事业单位能当购买主体吗", P),
        ("我们是差额补助的事业单位，能不能作为买方采购服务", P),
        ("差额拨款的事业单位能承接政府购买服务吗", "allowed"),  # near miss: provider is fine
    ],
    "自收自支·企业化管理·经营性": [
        ("我们是企业化管理的事业单位，想用经费买物业服务，行吗", P),
        ("自收自支单位能不能当买方", P),
        ("经营性事业单位能编购买服务预算吗", P),
        ("自收自支的事业单位能中标政府购买服务项目吗", "allowed"),
    ],
    "没定类·未分类": [
        ("我们所类别至今没确定，能去接政府的项目吗", P),
        ("单位还没定类，能买服务吗", P),
        ("分类还没落地的事业单位可以参与政府购买服务吗", P),
        ("类别待定的事业单位能不能承接购买服务", P),
        ("已经定类为公益二类的单位能承接吗", "allowed"),
    ],
    "事业编·行政编 群团": [
        ("团县委走事业编，经费靠财政，能承接青少年服务项目吗", P),
        ("县科协是事业编制、吃财政饭的，想买科普服务", P),
        ("工会的人是事业编，钱都是财政拨的，能买服务吗", P),
        ("妇联机关用的是行政编，想向社工机构买服务，预算有了，也在目录里，可以吗", "allowed"),
    ],
    "工程：盖/建/修/刷/装/改/扩/铺/挖": [
        ("能不能用购买服务的方式把村里的水渠修一下", P),
        ("给学校刷一遍外墙能走购买服务吗", P),
        ("老旧小区改造能按购买服务做吗", P),
        ("给办公楼加装电梯可以购买服务吗", P),
        ("镇里想盖个新的综合楼，走政府购买服务行不行", P),
        ("挖几口山塘能不能用购买服务的钱", P),
        ("村里要铺水泥路，能走购买服务吗", P),
        ("乡镇卫生院住院楼的扩建能否政府购买服务", P),
    ],
    "打包：工程 + 后续服务": [
        ("把新建体育馆和建成后五年的运营一起招标，按购买服务走行吗", P),
        ("道路修好以后的养护也一并放进这个购买服务项目，可以吗", P),
        ("污水管网建设期加运维期二十年合成一个购买服务项目", P),
        ("保洁和绿化养护打包成一个服务项目可以吗", "conditional"),  # near miss: two services
    ],
    "融资：借/贷/垫/先干后付": [
        ("让承接企业先出钱把活干了，政府以后分五年还，可以吗", P),
        ("能不能拿购买服务合同去银行抵押贷款", P),
        ("社会资本出资先建，政府分期付费，叫购买服务行吗", P),
        ("先干后付款，钱明年再给，这样买服务可以吗", P),
    ],
    "人员：派人坐班/顶岗/借调/临聘": [
        ("想请物业公司派三个人常驻我们办公室，帮我们干日常文秘", P),
        ("窗口缺人，找劳务公司送几个人来顶岗，能走购买服务吗", P),
        ("借调两名同志到局里上班的费用能走购买服务吗", P),
        ("临聘人员的工资能列进购买服务吗", P),
        ("雇几个临时人员来值班，用购买服务的钱可以吗", P),
    ],
    "没有预算：没列/没排/年底再说/先买后补": [
        ("今年的预算里没列这一项，先采购了再说，行吗", P),
        ("钱的事年底再说，先把服务买了可以吗", P),
        ("预算还没编进去，能先签合同买服务吗", P),
        ("这个培训服务预算没排上，能不能先做后补", P),
    ],
    "现有人员设备足够": [
        ("科里人多得很，闲着也是闲着，还想外包文印服务，可以吗", P),
        ("我们自己完全干得了，为什么还要花钱请外面的公司做保洁", P),
        ("仪器设备都闲放着，还要花钱买检测服务吗", P),
        ("单位人手富余，还能买档案整理服务吗", P),
    ],
    "目录：自己编/自己改/不按省里的": [
        ("县财政局说我们可以自拟一个购买服务目录，对吗", P),
        ("市里能不能自己定一份政府购买服务目录", P),
        ("省教育厅想在部门指导性目录里自己加几项，可以吗", P),
        ("区里不按省级部门的目录，自己搞一套行吗", P),
        ("县里按照省级部门的指导性目录执行购买服务，对吗", "allowed"),
    ],
    "直接拨款给协会商会": [
        ("能不能给商会无偿拨点办公经费", P),
        ("行业协会办活动，财政直接补贴一笔钱可以吗", P),
        ("财政奖励一笔资金给建筑业协会行吗", P),
        ("向行业协会购买行业调查服务可以吗", "allowed"),
        ("商会承接我们局的购买服务项目可以吗", "allowed"),
    ],
    "差别·歧视待遇": [
        ("招标时写明只限本市注册企业，可以吗", P),
        ("要求投标公司年营业额过亿，有问题吗", P),
        ("外地公司一律不考虑，可以吗", P),
        ("想直接指定那家公司来做，不让别人参加，行吗", P),
        ("要求承接方具备与服务相关的专业资质，可以吗", "allowed"),
    ],
    "错别字（同音·形近）": [
        ("法律或者国务院规订禁止购买的事项能买吗", P),
        ("县里自己编一个木录来执行，行吗", P),
        ("财政直接拔款给商会行吗", P),
        ("招标岐视外地企业可以吗", P),
    ],
    "公益一类能力不足 → 视条件": [
        ("县疾控是公益一类，检测量远远超出他们能承担的范围，卫健局想向第三方检测机构买服务补充", "conditional"),
        ("市一医院属于公益一类，病人太多根本忙不过来，卫健委能买点社会力量的服务补上吗", "conditional"),
        ("公益一类的妇幼保健院人手严重不够，主管部门想另外向社会机构购买服务，行吗", "conditional"),
        ("我们是公益一类，人手不足，能自己花钱买服务吗", P),  # near miss: the 公益一类 buys itself
    ],
    "预算一经确定原则上不得调整": [
        ("购买服务预算年初定了，到年中还能随便改吗", P),
        ("已经批复的购买服务预算，下半年能不能调增一些", P),
        ("执行过程中想把购买服务的支出预算调剂给别的项目，可以吗", P),
        ("公益二类承担的服务，经费预算调整到了主管部门，由主管部门购买，可以吗", "allowed"),
    ],
}
CASES = [(cat, q, d) for cat, rows in DECIDES.items() for q, d in rows]


@pytest.mark.parametrize("category,question,decision", CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_category_phrasing_decides(category, question, decision):
    tv = check_text(question)
    assert tv.decision == decision, (tv.understood, [f.rule_id for f in tv.fired])


# Near misses that must NOT fire a category's prohibiting rule (the decision may be anything else).
NOT_FIRING = [
    ("neg-2-3-works", "办公楼的物业管理服务能买吗"),
    ("neg-2-3-works", "电梯维保服务能购买吗"),
    ("neg-2-3-works", "我们想建立档案管理制度，能买咨询服务吗"),
    ("neg-2-3-works", "这个项目不涉及任何施工，只是保洁服务，可以买吗"),
    ("neg-2-3-works", "施工部分没有，只买设施运维服务"),
    ("neg-2-3-bundle", "保洁和保安服务一起打包采购可以吗"),
    ("neg-2-4", "物业服务费按月支付可以吗"),
    ("neg-2-4", "购买金融知识宣传服务可以吗"),
    ("neg-2-4", "我们没有融资，只是正常买服务"),
    ("neg-2-5", "请律所提供法律顾问服务可以吗"),
    ("neg-2-5", "购买驻场运维服务可以吗"),
    ("neg-2-5", "为失业人员购买就业指导服务"),
    ("neg-2-6", "预算和目录的情况还不清楚，能买吗"),
    ("neg-2-6", "预算已经下达，能买物业服务吗"),
    ("neg-2-6", "预算不是问题，已经批了，能买保洁服务吗"),
    ("neg-2-7", "人手不够、也没有检测仪器，想买检测服务，预算已批，在目录里"),
    ("neg-2-7", "我们人员紧张，设备老化，想买运维服务"),
    ("neg-2-7", "自己干不了，想买专业的审计服务"),
    ("neg-2-3-goods", "我们确实人手不足、监测设备也没有，想买环境监测服务"),
    ("neg-3-4-local", "县里按省级部门目录执行可以吗"),
    ("neg-3-4-provincial", "省财政厅修订完善省级通用目录可以吗"),
    ("neg-3-4-provincial", "省直部门编制目录时充分征求了市县意见，可以吗"),
    ("neg-3-3", "通过购买服务支持行业协会发展可以吗"),
    ("neg-3-3", "给社会组织买服务可以吗"),
    ("neg-3-3", "虽然不能直接给商会拨款，商会来承接我们局的项目可以吗"),
    ("neg-3-1", "我们没有设置任何歧视性条件，只要求相关资质"),
    ("neg-3-1", "本地企业可以承接政府购买服务吗"),
    ("neg-3-1", "按照公平竞争原则选承接主体可以吗"),
    ("neg-1-1-participant", "县疾控是公益一类，检测量远远超出他们的承接能力，卫健局想向社会力量买服务"),
    ("neg-1-1-provider", "我们不是公益一类，是公益二类，能承接政府购买服务吗"),
    ("neg-1-1-provider", "我们不是公益一类，能承接政府购买服务吗"),
    ("neg-1-3", "我们并非尚未分类的单位，能去投标吗"),
    ("body-2-2-budget-fixed", "公益二类承担的服务经费预算调整至主管部门了，可以吗"),
    ("body-2-2-budget-fixed", "年初预算已经安排，能买物业服务吗"),
    ("body-2-2-budget-fixed", "预算调整的程序是什么"),
    ("neg-3-2", "预算定下来以后能不能再调"),
    ("neg-3-2", "这个项目没走购买服务，直接采购的货物"),
]


@pytest.mark.parametrize("rule_id,question", NOT_FIRING)
def test_near_miss_does_not_fire(rule_id, question):
    tv = check_text(question)
    assert rule_id not in _ids(tv), (tv.understood, [f.rule_id for f in tv.fired])


# ---- negation before and after the concept, within the clause -------------------------------------

def facts(q):
    return extract(normalize(q), load_vocab())


@pytest.mark.parametrize("q,kind,present", [
    ("扫描设备也没有，想买数字化服务", Content.GOODS, False),
    ("没有设备，想买检测服务", Content.GOODS, False),
    ("想买几台扫描设备", Content.GOODS, True),
    ("施工不涉及，只买保洁", Content.WORKS, False),
    ("并非工程项目，是养护服务", Content.WORKS, False),
    ("项目里有施工", Content.WORKS, True),
    ("融资不涉及，只是正常付费", Content.FINANCING, False),
])
def test_negation_before_or_after(q, kind, present):
    assert (kind in facts(q).content) is present


@pytest.mark.parametrize("q,value", [
    ("人手够，设备也齐全", True), ("人手不足，设备也没有", False), ("人手不够、设备也不够", False),
    ("我们自己干得了", True), ("我们自己干不了", False), ("人员闲着没事干", True),
])
def test_staff_sufficiency_reads_negations(q, value):
    assert facts(q).staff_sufficient is value


@pytest.mark.parametrize("q,entity", [
    ("我们不是公益一类，是公益二类，能承接吗", Entity.PUBLIC_2),
    ("并非尚未分类的单位，而是公益二类，能承接吗", Entity.PUBLIC_2),
    ("这家医院不属于公益一类，能投标吗", Entity.INSTITUTION),
])
def test_negated_entity_is_not_a_party(q, entity):
    assert facts(q).any_party == {entity}


def test_shortfall_subject_is_not_a_party():
    f = facts("县疾控是公益一类，检测量远远超出他们能干的量，卫健局想向社会力量买服务")
    assert f.pi1_shortfall is True and Entity.PUBLIC_1 not in f.any_party


def test_typo_fixes_are_data():
    v = load_vocab()
    assert ("木录", "目录") in v.typos and v.fix_typos("规订") == "规定"
