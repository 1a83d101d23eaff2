"""Issue 13: answers shaped for real queries — one verdict per sub-question in the order asked, general
preconditions listed as 前提 of an allowed answer, the specific clause first and no clause twice, honest
not_covered, roles named as asked. Phrasings are invented (none is a gold question), with near-misses."""


import pytest
from fastapi.testclient import TestClient

from assistant.answer import Citation, Part
from assistant.answerable import (AFTER_EXPIRY, FORMULA, LIST_CONTENT, OTHER_DOCUMENT, OTHER_LOCAL, OTHER_PROVINCE, OWN_CLASS,
                                  PERSONAL, metadata_asked, not_held)
from assistant.extract import check_text
from assistant.schema import AnswerModel
from assistant.verdict import Decision

GENERAL = {"已纳入本部门政府购买服务指导性目录", "财政已安排预算"}


def _contract_ok(answer, corpus):
    """The contract object validates, every quote (top and per part) is text[start:end], no clause twice."""
    AnswerModel.model_validate(answer.to_dict())
    for cites in (answer.citations, *(p.citations for p in answer.parts)):
        ids = [c.clause_id for c in cites]
        assert len(ids) == len(set(ids)), ids
        for c in cites:
            assert corpus.get(c.clause_id).text[c.start:c.end] == c.quote


def verdicts(question: str) -> list[str]:
    return [str(p.verdict.decision) for p in check_text(question).parts]


# ---- splitting -------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    # 一是/二是 in the asker's own words, prohibited second
    ("想请教一下，一是档案整理外包能不能做，二是用购买服务的名义给村里修一条水泥路行不行？", ["allowed", "prohibited"]),
    # the same two questions the other way round: verdicts stay with their part, in the order asked
    ("一是用购买服务的名义给村里修一条水泥路行不行，二是档案整理外包能不能做？", ["prohibited", "allowed"]),
    # 第一/第二
    ("第一，劳务派遣的人能不能用购买服务的钱发工资？第二，街道买居家养老助餐服务可以吗？", ["prohibited", "allowed"]),
    # ①② (circled numbers)
    ("①社区戒毒康复服务可以向社工机构买吗②我们能不能通过购买服务给协会直接拨一笔钱", ["allowed", "prohibited"]),
    # 另外
    ("县文旅局想买群众文化活动组织服务，可以吗？另外，能不能把新建文化站的工程一起打包进去？", ["allowed", "prohibited"]),
    # announced two questions, separated by commas only
    ("我有两个问题，公益一类的疾控中心能不能当承接主体，街道可不可以买社区托育服务", ["prohibited", "allowed"]),
    # 既…又…: an action in each half, the shared question after
    ("我们局既想把机关食堂外包给餐饮公司，又想通过购买服务的方式招两名编外文员，行吗？", ["allowed", "prohibited"]),
    # X和Y分别…
    ("社区心理疏导和公益性岗位设置分别能不能按购买服务来做？", ["allowed", "prohibited"]),
    # items to be judged each, stated not asked: quoted minutes, ①② proposals, contract articles
    ("局务会纪要：“会议议定：一、向社工机构购买社区养老助餐服务，经费已列入预算；二、以购买服务名义请建筑公司新建乡镇文化站。”"
     "请分别出具意见。", ["allowed", "prohibited"]),
    ("提请审查两项：①以政府购买服务方式新建城区排水管网；②向专业机构购买防汛知识宣传服务，预算已安排。", ["prohibited", "allowed"]),
    ("合同摘录：“第五条 乙方提供小区保洁服务。第六条 乙方另为甲方招聘两名编外文员。”请就第五条、第六条分别审查。",
     ["allowed", "prohibited"]),
    # announced, with 一是/二是 and commas inside each question: the list decides, not every comma
    ("两个问题想问下：一是街道能不能出钱请社工机构给独居老人送饭，每周三次？二是能不能让这家机构帮街道招两个网格员，工资由机构发？",
     ["allowed", "prohibited"]),
    # 1. 2. numbered questions, the second with no facts of its own (session 7)
    ("1. 街道能买社区养老助餐服务吗？2. 协会的工作经费能直接拨吗？", ["allowed", "prohibited"]),
    ("1. 街道能买社区养老助餐服务吗？2. 申报模板在哪里下载？", ["allowed", "not_covered"]),
    # a lead-in without a question mark is context, not a part (session 9)
    ("我们是县里的民政局：①向社工机构购买居家养老助餐服务可以吗？②能不能用购买服务的名义请劳务公司派两个人来局里坐班？",
     ["allowed", "prohibited"]),
    # a proposal laid out before the parts: each part judges its own element, not the others (session 9)
    ("一家物业公司的方案包括三块：小区日常保洁绿化，对乱停车直接开罚单，再新建一座停车楼、费用分五年付。"
     "①日常保洁绿化能买吗？②由公司直接开罚单可以吗？③新建停车楼分五年付可以吗？", ["allowed", "prohibited", "prohibited"]),
    ("一家律所的合作意见：派两名律师到局里坐班、由我们管考勤按人头付费，另外定期为群众提供公益法律咨询。"
     "①派人坐班按人头付费可以吗？②公益法律咨询服务向律所购买可以吗？", ["prohibited", "allowed"]),
    # a forwarded thread: only the newest message holds the parts; the older message is each part's background
    ("转发：助残项目\n发件人：县民政局 时间：2024-03-02\n两件事：①向康复机构购买残疾儿童康复训练服务可以吗？②能否用购买服务的名义采购一批轮椅直接发给残疾人？"
     "\n——原始邮件——\n发件人：社会事务股 时间：2024-03-01\n目录有，预算已安排。", ["allowed", "prohibited"]),
])
def test_multi_part_questions_get_one_verdict_per_part_in_order(question, expected):
    assert verdicts(question) == expected


@pytest.mark.parametrize("question", [
    "这家社工机构既有资质又有经验，能承接我们的养老项目吗？",  # 既…又… describing one party
    "这两个项目分别签合同可以吗？",  # 分别 about how, not a list of questions
    "购买主体和承接主体分别是谁？",  # 分别 in an information question
    "通知里说“一是加大力度，二是加强管理”，这句话怎么理解？",  # 一是/二是 inside a quotation
    "附件2一、（一）和二、（三）讲的是什么？",  # section numbers are not an enumeration
    "他这个人是一个很细心的人，能不能请他的公司承接物业服务？",  # 一个 is not 一是
    "会议纪要写着“一、加强预算管理；二、规范项目实施”，这两句话是什么意思？",  # a quoted list, one question about it
])
def test_near_misses_stay_one_question(question):
    assert len(check_text(question).parts) == 1


def test_a_value_question_after_an_eligibility_question_is_its_own_part(assistant, corpus):
    a = assistant.ask("有两个问题：街道买社区矫正服务可以吗；购买服务合同最长能签几年？")
    assert [str(p.verdict) for p in a.parts] == ["allowed", "not_covered"]
    assert a.verdict == "allowed"  # the most severe part leads
    _contract_ok(a, corpus)


def test_each_element_of_a_proposal_keeps_its_own_verdict_through_the_chain(assistant, corpus):
    a = assistant.ask("一家养护公司提出承接农村公路的路域保洁和日常巡查服务，同时建议把两段县道的改扩建工程打包进同一个服务合同。"
                      "目录预算都有。①路域保洁和巡查服务能买吗？②县道改扩建能打包进来吗？")
    assert [str(p.verdict) for p in a.parts] == ["allowed", "prohibited"]
    assert a.verdict == "prohibited" and a.parts[1].citations[0].clause_id == "附件2/二/（三）"
    _contract_ok(a, corpus)


def test_a_sum_asked_in_a_later_part_is_not_answered_with_a_permission(assistant, corpus):
    a = assistant.ask("街道想向托育机构购买社区普惠托育服务，目录和预算都有。一是能不能买？二是托育机构每月收费上限定多少？")
    assert [str(p.verdict) for p in a.parts] == ["allowed", "not_covered"]
    _contract_ok(a, corpus)


def test_most_severe_part_leads_and_each_part_keeps_its_own_clauses(assistant, corpus):
    a = assistant.ask("一是物业保洁外包能不能做，二是能不能用购买服务方式搞办公楼装修？")
    assert [str(p.verdict) for p in a.parts] == ["allowed", "prohibited"]
    assert a.verdict == "prohibited" and a.citations[0].clause_id == "附件2/二/（三）"
    assert a.parts[1].citations[0].clause_id == "附件2/二/（三）"
    assert all(c.clause_id != "附件2/二/（三）" for c in a.parts[0].citations)
    assert a.summary.startswith("不可以") and a.parts[0].summary.startswith("可以")
    _contract_ok(a, corpus)


def test_single_question_has_exactly_one_part(assistant, corpus):
    a = assistant.ask("公益一类事业单位能不能承接购买服务？")
    assert len(a.parts) == 1 and a.parts[0].verdict == a.verdict == "prohibited"
    assert a.parts[0].citations[0].clause_id == a.citations[0].clause_id == "附件2/一/（一）"
    _contract_ok(a, corpus)


# ---- policy: general preconditions -----------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "县司法局打算向律师事务所买公共法律服务，能行吗？",
    "乡里想把农村垃圾清运交给保洁公司，走购买服务可以不",
    "我们局想买一个会议会务服务，需要满足哪些前提？",
])
def test_only_general_preconditions_open_is_allowed_with_them_listed(assistant, corpus, question):
    a = assistant.ask(question)
    assert a.verdict == "allowed" and a.open_conditions == ()
    assert GENERAL <= set(a.preconditions) and "前提" in a.summary and "前提" in a.answer
    assert "正文/三/（三）" in [c.clause_id for c in a.citations]
    _contract_ok(a, corpus)


@pytest.mark.parametrize("question, verdict", [
    ("民政局想买养老服务，但今年没有预算，能先买吗？", "prohibited"),  # stated missing budget
    ("这项服务不在本部门指导性目录里，局里还能买吗？", "prohibited"),  # stated missing 目录
    ("我们是事业单位，能不能用财政资金作为购买主体买服务？", "conditional"),  # 行政职能 open: case-specific
    ("下属公益一类单位忙不过来，主管局能不能向社会力量买服务补充？", "conditional"),  # 认定 not yet done
])
def test_stated_missing_is_prohibited_and_case_specific_stays_conditional(question, verdict):
    tv = check_text(question)
    assert str(tv.decision) == verdict
    if verdict == "conditional":
        assert tv.open_conditions and not set(tv.open_conditions) & GENERAL


# ---- most specific clause first --------------------------------------------------------------------

@pytest.mark.parametrize("question, item", [
    ("县卫健局想向社会机构买消毒消杀服务，可以吗？", "附件1/二"),
    ("乡镇想给困难老人买助餐助洁服务，行不行？", "附件1/三"),
    ("县教育局想给山区学生购买校车服务，能买吗", "附件1/五"),
])
def test_key_area_purchase_cites_the_annex1_item_first_then_the_preconditions(assistant, corpus, question, item):
    a = assistant.ask(question)
    ids = [c.clause_id for c in a.citations]
    assert a.verdict == "allowed" and ids[0] == item
    assert ids.index("正文/三/（三）") > 0 and len(ids) == len(set(ids))
    assert a.parts[0].citations[0].clause_id == item
    _contract_ok(a, corpus)


# ---- answerability ---------------------------------------------------------------------------------

@pytest.mark.parametrize("question, kind", [
    ("浙江省的购买服务负面清单跟我们一样吗？", OTHER_PROVINCE),
    ("别的省是怎么规定购买服务预算的？", OTHER_PROVINCE),
    ("这个文件到期以后按哪个文件执行？", AFTER_EXPIRY),
    ("政府采购法第二十二条对供应商有什么要求？", OTHER_DOCUMENT),
    ("102号令里承接主体要具备哪些条件？", OTHER_DOCUMENT),
    ("民政厅的部门指导性目录里具体有哪些项目？", LIST_CONTENT),
    ("省级联系点名单能发我一份吗", LIST_CONTENT),
    ("履约验收的评分权重怎么定？", FORMULA),
    ("服务费用按什么公式计算？", FORMULA),
    ("我本人是退休教师，个人能不能承接社区的托管服务？", PERSONAL),
    ("公务员能兼职给社工机构干活拿报酬吗", PERSONAL),
    ("我是县里的编外人员，我这个身份算不算事业编，以后能不能转正", PERSONAL),
    ("某区残联是不是属于纳入事业编制管理且经费完全由财政保障的群团组织？", OWN_CLASS),
    ("就业补助资金的管理办法是否允许列支场地租金？", OTHER_LOCAL),
])
def test_content_the_notice_does_not_hold_is_recognised(question, kind):
    assert not_held(question) == kind


@pytest.mark.parametrize("question", [
    "湖南的负面清单分几个层面？",  # our own province
    "目录里没有的服务事项能买吗？",  # a rule about the 目录, not its contents
    "购买服务需要满足哪些条件？",
    "这个通知有效期到哪天？",
    "评分办法给本地企业加分算不算歧视？",  # a prohibition question, not a formula
    "我们单位是事业单位，能当购买主体吗？",  # a unit, not a person
    "承接的培训公司是外省注册的，这个影响它承接吗？",  # a provider from elsewhere, not another province's rules
    "县残联是不是使用行政编制的群团组织机关，能作为购买主体吗？",  # the staffing decides a verdict asked
])
def test_near_misses_are_not_flagged_as_not_held(question):
    assert not_held(question) is None


@pytest.mark.parametrize("question", [
    "江苏那边的政府购买服务限额标准是多少？",
    "湖北那边的负面清单和我们不一样，湖北是不是允许以劳务派遣方式用工？",
    "我个人能不能去承接街道的养老服务项目？",
    "政府购买服务绩效评价的得分怎么计算？",
    "省财政厅的联系点名单有哪些单位？",
])
def test_not_held_is_answered_not_covered_naming_the_nearest_clause(assistant, corpus, question):
    a = assistant.ask(question)
    assert a.verdict == "not_covered" and a.citations == () and a.rules == ()
    assert "本通知" in a.summary and "没有规定" in a.summary
    _contract_ok(a, corpus)


@pytest.mark.parametrize("question, clause, words", [
    ("这份文件的发文字号是多少？", "正文/标题", "湘财综〔2022〕28号"),
    ("这个通知是哪个部门印发的？", "正文/标题", "湖南省财政厅"),
    ("这个通知主送哪些单位？", "正文/主送", "各市（州）"),
    ("这份通知什么时候开始生效？", "正文/施行", "2022年11月16日"),
    ("到2029年这个通知还有效吗", "正文/施行", "2027年11月15日"),
    ("报销单上要写文件依据，这份通知的文号是多少？", "正文/标题", "湘财综〔2022〕28号"),  # 文件依据 is no other document
])
def test_metadata_questions_are_answered_from_the_document(assistant, corpus, question, clause, words):
    a = assistant.ask(question)
    assert a.verdict == "info" and a.citations[0].clause_id == clause
    assert words in a.summary
    _contract_ok(a, corpus)


def test_a_file_number_of_another_document_is_not_this_notices():
    assert metadata_asked("这个通知是落实财政部哪个文件的？文号多少") == ()


# ---- roles and the value object --------------------------------------------------------------------

@pytest.mark.parametrize("question, shown", [
    ("县卫健局能不能购买家庭医生签约服务？", "购买主体=县卫健局（行政机关）"),
    ("市民政局想买社区养老服务，可以吗", "购买主体=市民政局（行政机关）"),
    ("镇政府能把垃圾清运外包给公司吗", "承接主体=公司（企业）"),
])
def test_understood_names_the_party_as_asked(question, shown):
    assert shown in check_text(question).understood


def test_part_is_a_frozen_value_that_refuses_a_clause_twice(corpus):
    clause = corpus.get("附件2/一/（一）")
    c = Citation(clause.clause_id, clause.label, clause.text[3:10], 3, 10)
    p = Part("问题", Decision.PROHIBITED, "不可以。", (c,))
    with pytest.raises(AttributeError):
        p.verdict = Decision.ALLOWED  # frozen
    with pytest.raises(ValueError, match="twice"):
        Part("问题", Decision.PROHIBITED, "不可以。", (c, c))
    with pytest.raises(ValueError):
        Part("问题", "prohibited", "不可以。", (c,))  # a Decision, not a bare string
    assert p.to_dict()["citations"][0]["quote"] == clause.text[3:10]


def test_rest_ask_returns_200_with_parts(assistant):
    from assistant.api import create_api

    client = TestClient(create_api(assistant), raise_server_exceptions=False)
    r = client.post("/api/ask", json={"question": "①公益一类能承接吗？②社区养老服务能买吗？"})
    assert r.status_code == 200
    body = AnswerModel.model_validate(r.json())
    assert [p.verdict for p in body.parts] == ["prohibited", "allowed"] and body.verdict == "prohibited"
    assert body.parts[0].citations[0].clause_id == "附件2/一/（一）"


def test_batch_lines_carry_parts(assistant, tmp_path):
    import json

    from assistant.batch import run_batch

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "question": "一是物业外包行吗，二是能不能买办公楼装修？"}, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch(src, out, assistant=assistant, log=lambda *a, **k: None)
    line = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert line["id"] == "a" and [p["verdict"] for p in line["parts"]] == ["allowed", "prohibited"]


def test_ui_shows_a_badge_per_part(assistant, corpus):
    from assistant.ui_render import answer_html

    a = assistant.ask("一是物业外包行吗，二是能不能买办公楼装修？")
    html = answer_html(a, corpus)
    assert html.count('class="part"') == 2
    assert html.index('data-part="1" data-verdict="allowed"') < html.index('data-part="2" data-verdict="prohibited"')
    assert html.count("verdict-badge") == 3  # the top badge and one per part


def test_readme_cites_the_contract_in_the_repo_and_it_specifies_parts():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert "docs/CONTRACT.md" in (root / "README.md").read_text("utf-8")
    contract = (root / "docs" / "CONTRACT.md").read_text("utf-8")
    assert '"parts"' in contract and "General preconditions" in contract


@pytest.mark.parametrize("question", [
    "想申报省级联系点，需要准备哪些申请材料？",
    "购买服务合同有没有统一的模板，在哪下载？",
    "派驻人员的工资有没有最低标准？",
])
def test_procedures_templates_and_standards_are_not_held(question):
    assert not_held(question) is not None


def test_a_rule_question_mentioning_materials_is_not_flagged():
    assert not_held("承接主体提供的服务材料不合格，能不能扣款？") is None
