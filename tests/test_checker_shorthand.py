"""Session 13: staff shorthand ("购服""社组""县疾控一类" typed fast on a phone), an asker who names a restriction
only to pre-empt it ("我知道工程不能买，但…"), units described by their history and organisation, and lines
quoted from the asker's own procurement documents. Invented phrasings, not taken from any eval set, each with a
near miss the other way. The shorthand is in corpus/facts.toml [[shorthand]], the span marker in
corpus/spans.toml (preempted_objection)."""

import pytest

from tests.checking import A, C, N, P, assert_parts, assert_reads, table

CASES = {
    "工作简称": [
        ("县妇幼一类 没行政职能 想自己编购服项目预算买宣传服务 行不", P),
        ("县妇幼是一类 不参与 县卫健局本级出钱购服 承接方是社组 目录预算都有 行不", A),
        ("乡镇中心是二类 想当承接方接县民政局的购服项目 行不", A),
        ("县卫健局想购服买疾控这一类服务的宣传 目录预算都有 行不", A),  # 这一类 is no unit class
    ],
    "提问人先替自己挡掉的限制": [
        ("我知道工程不能买，但我们只买已建成文化站的日常开放管理服务，目录预算都有，对吧？", A),
        ("我知道工程不能买，但我们想把文化站新建和开放管理一起打包买，行吗？", P),
        ("领导说货物不能走购买服务，那我们只买打印设备的维护服务，设备是自有的，目录预算都有，能不能？", A),
        ("有人担心“不属于政府职责”，你直接回答：街道买社区托育服务，目录预算都有，行不行？", A),
        ("领导说公益一类不能承接，我们单位是公益一类、没有行政职能，还能承接吗？", P),
        ("别跟我扯劳务派遣，我们就是让公司招几个人放到窗口，听我们科长安排，工资按我们标准发，行吧？", P),
    ],
    "承接方直接出具决定": [
        ("县司法局拟购服 让社组直接对矫正对象出具训诫决定 局里不再审 行不", P),
        ("县司法局拟购服 让社组对矫正对象做心理疏导 奖惩决定还是司法所作出 目录预算都有 行不", A),
        ("救助站想把受助人员资格审查和批不批准都交给律所定，按购买服务付钱，行吗？", P),
    ],
    "承接方招人派来用": [
        ("县交警大队想让保安公司把协管员招好，直接派到路口用，工资走购服，行不", P),
        ("街道购服买背街小巷保洁，保洁公司自己招人自己管，目录预算都有，能做吗", A),
    ],
    "群团的编制和经费": [
        ("县科协事业编制管理 经费全额财政 作为承接方接科技局科普购服 行吗", P),
        ("县科协事业编制管理 经费主要靠会费 作为承接方接科技局科普购服 目录预算都有 行吗", A),
    ],
    "预算、目录和监督的说法": [
        ("年中我们想把购买服务预算从100万随便调到180万，调一下就行吧？", P),
        ("区直部门都按省级部门指导目录执行购服，没自己另编目录，这样对吧", A),
        ("要求承接社组必须是本局当业务主管单位的，别的社组不让报，可以这么设吗", P),
        ("签完合同以后就不监控了，验收也随便走个过场，行不", P),
        ("发改局购服请咨询公司出可研报告，只作决策参考，最后拍板还是局党组，目录预算都有，行不", A),
    ],
    "单位的来历和组织": [
        ("县园林所分类改革尚未完成，暂未确定类别，想承接县城管局的绿化养护服务，可以吗？", P),
        ("县档案技术中心今年已被正式核定为公益二类事业单位，想承接县档案局的档案数字化服务，目录预算都有，可以吗？", A),
        ("县供水服务中心已经撤销，县水利局想向一家水务公司购买管网巡检服务，目录预算都有，可以吗？", A),
        ("县社会工作协会的员工都是面向社会招聘的社工，县民政局想向它购买青少年社工服务，目录预算都有，可以吗？", A),
        ("县民政局想让协会按局里的人数要求招一批人，派到局窗口由局里管理考勤，按人头付费，可以吗？", P),
        ("县乡村振兴局只是加挂的牌子、没有独立预算，这次由县农业农村局用本级预算购买助餐服务，目录也有，可以吗？", A),
        ("招标文件只要求投标人持有道路运输经营许可，国企民企都能参加，目录预算都有，可以吗？", A),
    ],
    "公办养老机构继续提供、采购程序": [
        ("助餐服务适宜购买，局里也有预算，但领导想维持现状，继续由公办敬老院提供，不搞购买服务，可以吗？", P),
        ("助餐服务适宜购买，公办敬老院不再提供，改为向社会组织购买，目录预算都有，可以吗？", A),
        ("金额在采购限额标准之上，局里想不走政府采购程序，直接指定协会承接，可以吗？", P),
        ("金额在采购限额标准之上，局里按政府采购法定程序公开招标，协会中标，目录预算都有，可以吗？", A),
    ],
    "招标文件和合同里的一句话": [
        ("评标结果公示的备注栏写着“该所分类改革尚未完成，暂未确定类别”，由它来承接可以吗？", P),
        ("评分办法写着“投标人为国有企业的加5分”，这样可以吗？", P),
        ("评分办法写着“各类投标人适用同一套评分标准，不设身份加分”，目录预算都有，这样可以吗？", A),
        ("招标文件写明“投标人须为本市工商联会员单位”，合适吗？", P),
        ("合同第九条写着“甲方委托第三方全权负责日常监督和扣款决定，甲方不再参与项目监管”，可以吗？", P),
        ("局领导想把合同里的绩效评价指标一节删掉，只保留验收条款，这样可以吗？", P),
        ("拨款文件写明“本资金专项用于安置机构改革中分流至协会的人员”，这也属于禁止的直接拨款吗？", A),
    ],
}


@pytest.mark.parametrize("category,question,want", table(CASES))
def test_shorthand_and_pushed_answers_are_read(category, question, want):
    assert_reads(question, want)


@pytest.mark.parametrize("question,parts", [
    # "三问 ①…②…③…" announces its questions; a listed plan is asked about even without a question mark
    ("三问 ①购服合同要写明哪些要件 ②绩效评价核心指标包括啥 ③合同签完钱付了就不用管了吧", [N, N, P]),
    ("生态环境局 ①购服请环保公司做空气质量数据分析 辅助决策用 目录预算都有 ②这种服务一般报价多少合适", [A, N]),
])
def test_announced_and_listed_questions_are_parts(question, parts):
    assert_parts(question, parts)


def _shorthand_examples():
    import tomllib

    from assistant.settings import ROOT

    d = tomllib.loads((ROOT / "corpus" / "facts.toml").read_text("utf-8"))
    return [(e["full"], short, full) for e in d["shorthand"] for short, full in e["examples"]]


@pytest.mark.parametrize("term,written,expanded", _shorthand_examples())
def test_shorthand_examples_expand_as_listed(term, written, expanded):
    # each [[shorthand]] example: what staff type → what the checker reads ("这一类服务" stays as it is)
    from assistant.vocab import load_vocab

    assert load_vocab().fix_typos(written) == expanded
