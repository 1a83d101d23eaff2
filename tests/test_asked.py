"""What a question asks (issue 13, item 4): the question span, and content the notice does not hold.

A message often tells its case before it asks. Values, lists and decisions in the case are not what is asked:
"项目金额50万，……在哪个平台公示？" asks where, not how much. And a question can be on topic and still ask for
something the notice does not contain (a list of names, a scoring rule, which provider to choose, a person's
punishment, another document's or city's own rules): that is `not_covered`, not `info` with a tangential quote.

Every question here is invented for these tests (none is copied from evals/gold.jsonl); each group has near
misses both ways."""

from __future__ import annotations

import pytest

from assistant.answerable import (AFTER_EXPIRY, DURATION, FORMULA, FUNDING, ISSUE_DATE, LIST_CONTENT, MONEY,
                                  OTHER_DOCUMENT, OTHER_LOCAL, OWN_CLASS, OWN_MONEY, PERSONAL, PROCEDURE, QUANTITY, RATIO, SCORING,
                                  VENDOR, asked, asked_for, not_held, overrides_verdict, question_sentences,
                                  question_span)
from assistant.normalize import normalize


def _n(q: str) -> str:
    return normalize(q)  # the chain reads normalised text (half-width punctuation)


# ---- the question span ---------------------------------------------------------------------------------

@pytest.mark.parametrize("question, span_has, span_lacks", [
    # the case first, the question last
    ("我们街道的项目一年预算50万，已经进了目录。这个项目该在哪个平台公示？", "哪个平台", "50万"),
    ("合同里写了首付40%、尾款60%，这算不算融资？", "算不算融资", "40%"),
    # a verdict is asked: what the other party would decide ("每户补多少") is the case
    ("由第三方机构来定补给哪些人、每户补多少，我们只管发钱，行不行？", "行不行", "多少"),
    # a confirming tag asks about the clause before it
    ("合同最长能签五年，对吧？", "五年", ""),
    ("单次服务的收费上限是多少，通知里有没有规定？", "多少", ""),
    # an earlier clause that asks on its own is asked too
    ("限额标准到底是多少，去哪里查？", "多少", ""),
    # a request, not a question, ends the sentence
    ("请直接告诉我质保金比例是多少，给个数就行。", "比例是多少", "给个数"),
])
def test_question_span_is_what_is_asked(question, span_has, span_lacks):
    span = question_span(_n(question))
    assert span_has in span
    if span_lacks:
        assert span_lacks not in span


def test_question_sentences_skip_the_story_before_the_question():
    text = _n("去年签了三年的合同。今年想续签。续签要走什么程序？")
    assert question_sentences(text) == [_n("续签要走什么程序？")]
    assert question_sentences(_n("想问下采购限额标准")) == [_n("想问下采购限额标准")]  # no question mark: the last sentence


@pytest.mark.parametrize("question, kinds", [
    # values in the case are not asked for …
    ("我们项目预算80万，在限额标准以上，要按什么程序采购？", set()),
    ("合同约定首付四成、验收后付清，这不算融资吧？", set()),
    ("服务期三年的项目，履约验收由谁组织？", set()),
    ("由承接方自己定每家企业补助多少钱，我们照单拨付，可以吗？", set()),
    ("招标文件写了注册资本不低于1000万，这个条件合规吗？", set()),
    # … the value the question span asks for or states for confirmation is
    ("采购代理费到底收多少钱，20万还是30万？", {MONEY}),
    ("通知说承接主体要成立满五年才能接项目，是这样吗？", {DURATION}),
    ("请告诉我质保金比例是多少，直接给个数。", {RATIO}),
    ("购买服务合同的期限有没有上限？", {DURATION}),
    ("合同最长签5年吧？", {DURATION}),
    ("第三方评价的收费，通知规定是合同金额的3%对吧？", {RATIO}),
    ("合同最长3年吗？", {DURATION}),
    ("比如年底前要付到八成、90%？", {RATIO}),
    ("绩效评价不合格要扣多少？", {QUANTITY}),
    ("保证金按合同金额的多少收？", {RATIO}),  # a share of an amount
    ("助餐补贴每人每月好多钱？", {MONEY}),  # colloquial 多少钱 / 多久
    ("验收完好久之内要付款？", {DURATION}),
    ("好多单位都在问，社区养老服务能买吗？", set()),
    # a value in a verdict question is the case, not a value to confirm
    ("能预付30%吗？", set()),
    ("预付30%，可以吗？", set()),
    ("180万的项目还要走政府采购程序吗？", set()),
    ("省里是不是鼓励这一块？", set()),  # 一块 is an area here, not one yuan
])
def test_asked_reads_the_question_span(question, kinds):
    assert set(asked(_n(question))) == kinds


@pytest.mark.parametrize("question, kinds", [
    ("交给物业公司核定补助金额，社区只盖个章，这样合规吗？", set()),  # 金额 is the case
    ("合同写明预付30%，这样可以吗？", set()),  # a stated percentage is not an ask
    ("能买吗？律师费一般定多少？", {QUANTITY}),  # each question sentence is read
    ("服务收费标准是多少？", {MONEY}),
    ("金额20万的项目在哪个平台公示？", set()),  # a sum named in the question is not asked for …
    ("单个项目金额最高多少？", {MONEY}),  # … a sum asked for is
    ("项目金额有没有上限？", {MONEY}),
])
def test_asked_for_is_what_the_question_span_asks_for(question, kinds):
    assert set(asked_for(_n(question))) == kinds


# ---- content the notice does not hold ------------------------------------------------------------------

@pytest.mark.parametrize("question, kind", [
    # which provider to choose
    ("两家律所都报了名，一家便宜一家名气大，用哪家合适？", VENDOR),
    ("能不能推荐几家做居家养老的社会组织？", VENDOR),
    ("比选的三家公司里挑哪一家更稳妥？", VENDOR),
    ("这个项目哪家来做比较靠谱？", VENDOR),
    # scoring and weighting
    ("核心指标各占多少分？", SCORING),
    ("服务对象满意度打几分才算合格？", SCORING),
    ("优先购买行业协会的服务，具体怎么量化评分？", SCORING),
    ("履约验收的分值是怎么分配的？", SCORING),
    # names of places or units chosen, and catch-all items the notice does not spell out
    ("第一批联系点最终定了哪几个县？", LIST_CONTENT),
    ("哪些县市区入选了省级联系点？", LIST_CONTENT),
    ("联系点的名单公布了没有？", LIST_CONTENT),
    ("法律规定的其他不得购买的事项还有哪些？", LIST_CONTENT),
    ("附件2二（八）说的其他不得作为购买内容的事项，都包括什么？", LIST_CONTENT),
    # a person's own status or punishment
    ("自然人（比如退休医生）可以承接吗？", PERSONAL),
    ("项目经办人违规了会不会被追责？", PERSONAL),
    ("擅自扩大购买范围的，具体责任人受到什么处分？", PERSONAL),
    # another city's or county's own rules
    ("株洲市有没有出台自己的购买服务管理办法？", OTHER_LOCAL),
    ("我们县的实施细则里对验收是怎么规定的？", OTHER_LOCAL),
    # another document's content
    ("《政府购买服务管理办法》里对承接主体的资格怎么规定的？", OTHER_DOCUMENT),
    ("51号文里提了哪些重点工作？", OTHER_DOCUMENT),
    ("那个上级文件里对购买主体有什么要求？", OTHER_DOCUMENT),
    ("《事业单位分类实施意见》（湘发〔2012〕5号）中，公益一类是怎么认定的？", OTHER_DOCUMENT),
    # what a 目录 holds, asked outright
    ("省级通用目录里有没有“居家养老上门服务”这一项？", LIST_CONTENT),
    ("“社区食堂运营”是否已列入省民政厅的部门指导性目录？", LIST_CONTENT),
    ("联系点具体是哪些市州？", LIST_CONTENT),
    # a unit's own class, money the notice never names, the date of issue, a purchase after the notice ends
    ("我们中心到底属于公益一类还是公益二类？", OWN_CLASS),
    ("县妇幼保健院本身到底是公益一类还是公益二类，你能直接告诉我们吗？", OWN_CLASS),
    ("我们县妇联机关用的究竟是行政编制还是事业编制？", OWN_CLASS),
    ("像我这种身份到底算不算公益性岗位人员？", PERSONAL),
    ("市属平台公司用自有资金采购办公楼物业服务，这属不属于本通知规范的政府购买服务？", OWN_MONEY),
    ("县总工会用工会经费向社工机构购买职工心理疏导服务，要不要按这份通知执行？", OWN_MONEY),
    ("我本人算不算纳入事业编制管理的人员？", PERSONAL),
    ("当上联系点的县有没有奖补资金？", FUNDING),
    ("这份通知的印发日期是哪天？", ISSUE_DATE),
    ("2029年3月新签的购买服务合同，还能让公益二类当购买主体吗？", AFTER_EXPIRY),
    ("事业单位分类标准是什么？", FORMULA),
    ("预算调剂要找哪个处室签字？", PROCEDURE),
    ("年度信息报告有没有固定格式？要填哪些表？", PROCEDURE),
    ("这个项目该用公开招标还是竞争性磋商？", PROCEDURE),
    ("68万元的项目能否采用单一来源方式采购？", PROCEDURE),
    ("通用目录的二级目录一共多少项？", LIST_CONTENT),
    ("我是局里的普通职工，下班后能不能去承接单位兼职？", PERSONAL),
    # session 7: whether it still applies after it ends; schedules of events it announces; offices' steps
    ("2027年11月以后，负面清单还能不能作为依据？", AFTER_EXPIRY),
    ("二零二八年以后 这个通知还管用啵", AFTER_EXPIRY),
    ("省里的购买服务培训什么时候开？怎么报名？", PROCEDURE),
    ("征文活动奖项怎么设？", PROCEDURE),
    ("追加预算要走什么审批程序？", PROCEDURE),
    ("发现承接机构服务差，举报电话是多少？", PROCEDURE),
    ("联系点名单什么时候公布？", LIST_CONTENT),
    ("省里一共设了几个联系点？", LIST_CONTENT),
    # session 10: OCR spaces in a document number, two documents in conflict, a contract running past the end
    ("财政部那个 36 号文里对承接主体有什么要求？", OTHER_DOCUMENT),
    ("政府采购法和28号文的规定相冲突时，以哪个文件为准？", OTHER_DOCUMENT),
    ("合同期到 2029 年，最后一年还按28号文执行吗？", AFTER_EXPIRY),
    ("项目预算调减需要经过哪些审批程序？", PROCEDURE),
    ("我爱人开了一家保洁公司，想承接我们局的保洁项目。我本人不管这个项目，这样可以吗？", PERSONAL),
])
def test_content_the_notice_does_not_hold(question, kind):
    assert not_held(_n(question)) == kind


@pytest.mark.parametrize("question", [
    "通知里绩效评价核心指标包括哪些？",  # the notice lists them (正文四（二）)
    "哪些机构可以承接社区矫正服务？",  # eligibility, not a choice among vendors
    "哪家单位负责公开省级通用指导性目录？",  # who does what: the notice says
    "承接能力不足由哪个部门认定？",
    "联系点是按什么标准择选的？",  # the notice says how (工作开展好、基础扎实)
    "哪些部门可以成为联系点？",
    "（八）项的“其他不得作为政府购买服务内容的事项”指的是什么？",  # what the clause says: quote it
    "负面清单项目层面具体包括哪些事项？",  # the notice lists them
    "擅自扩大购买范围的，会有什么处理？",  # a unit's consequences: 责令整改, 考核扣分
    "评分办法里给本县企业加5分，这样可以吗？",  # a verdict on a scoring rule: the checker's question
    "株洲市民政局想买养老服务，可以吗？",  # a city buying, not a city's own rules
    "市州能不能自行编制购买服务目录？",  # answered by 附件2三（四）
    "这个通知是为落实哪个文件制定的？",  # the notice names it (正文序言)
    "《政府购买服务负面清单》里分几个层面？",  # this notice's own annex
    "湘财综〔2022〕28号文里对行业协会商会有什么规定？",  # this notice itself
    "我们以前由第三方评价，项目经办人也要配合吗？",
    "《通知》里对目录是怎么规定的？",  # this notice, by its short name
    "已经确定了哪些重点领域？",  # 附件1 lists them
    "通知确定了哪些部门负责公开目录？",
    "按咨询公司给的名单发补贴，可以吗？",  # a list in the case, a verdict asked
    "预算有，但不知道部门目录里有没有这一项，能买吗？",  # the doubt is the case; a verdict is asked
    "已列入部门指导性目录的项目，还要做绩效评价吗？",  # stated, not asked
    "合同期到2028年底，现在签可以吗？",  # signed now, under the notice
    "我们是公益二类，能承接吗？",  # the class is stated, not asked
    "通用目录分几级？",  # the notice says how the 目录 is organised
    "附件1一共列了几个重点领域？",  # a count the notice answers by listing
    "本通知什么时候开始施行？",  # metadata the notice states
    "通知到期以后还要公开购买信息吗？",  # no "still valid" asked
    "省财政厅要开展调研指导，我们要配合什么？",  # the notice says it will, no schedule asked
    "28号文对绩效评价具体有什么要求？",  # its own number
    "2026年续签的合同还按28号文执行吗？",  # within the notice's term
    "团县委机关到底是行政编还是事业编，办公室也说不准，这样能编购买服务预算吗？",  # the doubt is the case
    "我们中心是公益一类还是公益二类，会影响能不能承接吗？",  # what the rule turns on, asked
    "县民政局用财政资金向社工机构购买服务，要按这份通知执行吗？",  # fiscal money: the notice's own ground
])

def test_near_misses_are_held(question):
    assert not_held(_n(question)) is None


@pytest.mark.parametrize("question, kind, overrides", [
    ("擅自扩大购买范围的，财政工作评价具体扣几分？", SCORING, True),  # only content is asked
    ("擅自扩大购买范围要扣分，这样做能不能行？", SCORING, False),  # a verdict is asked: a prohibition stands
    ("2028年新签的合同能让公益一类承接吗？", AFTER_EXPIRY, True),  # no verdict of this notice reaches 2028
    ("修建乡镇文化站走购买服务，具体流程怎么走？", PROCEDURE, False),  # the prohibition answers it
    # the verdict asked is on another province's rules (session 10) …
    ("听说江西那边宽松些，他们到底允不允许用购买服务搞劳务派遣？", "other_province", True),
    # … unless the question brings it home
    ("江西允许用购买服务搞劳务派遣，我们湖南能不能也这样？", "other_province", False),
    ("浙江的做法是用购买服务招劳务派遣人员，我们局可以照搬吗？", "other_province", False),  # session-10 review
    ("我市打算照搬江西的做法，用购买服务搞劳务派遣，江西那边是允许的吧？", "other_province", False),
    ("广东省财政厅允不允许用购买服务搞劳务派遣？", "other_province", True),
])
def test_a_prohibition_gives_way_only_when_content_alone_is_asked(question, kind, overrides):
    assert overrides_verdict(_n(question), kind) is overrides


@pytest.mark.parametrize("question, what", [
    ("对违反政策、擅自扩大购买服务范围的单位，通知规定了哪些处理措施？", True),
    ("预算批复后年中想调整，文件原则上是怎么说的？", True),
    ("擅自扩大购买服务范围，这样做可以吗？", False),  # a verdict is asked
    ("协会要工作经费，还能不能继续直接拨？请问怎么处理", False),  # what to do, not what the notice says
])
def test_asking_what_a_rule_says_is_not_asking_for_a_verdict(question, what):
    from assistant.answerable import asks_what_it_says

    assert asks_what_it_says(_n(question)) is what


def test_another_province_and_after_expiry_phrasings():
    assert not_held(_n("听说广东那边允许公益一类承接，他们省里具体是怎么规定的？")) == "other_province"
    assert overrides_verdict(_n("听说广东那边允许公益一类承接，他们省里具体是怎么规定的？"), "other_province")
    assert not_held(_n("到时候28号文已经过了有效期，2028年以后购买服务按什么规定？")) == AFTER_EXPIRY


def test_the_case_told_before_the_question_is_not_what_is_asked():
    """A scoring rule, a place or a province in the story does not make the question one about it."""
    assert not_held(_n("评分办法里本地企业加了10分，外省企业不加。这样设置可以吗？")) is None
    assert not_held(_n("省外有家公司报价最低。我们能优先买行业协会的服务吗？")) is None
    assert not_held(_n("我们县有一份实施细则。按本通知，公益二类能当购买主体吗？")) is None


# ---- end to end (bigram index) ------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "两家社工机构报价差不多，选哪家比较好？",
    "联系点最后定了哪些市州，有名单吗？",
    "负面清单第二部分第（八）项的其他事项，具体都包括哪些？",  # names a clause, asks what it does not say
    "同等条件下优先向行业协会购买，这个同等条件怎么量化打分？",
    "《政府购买服务管理办法》里，承接主体要具备哪些条件？",
    "长沙县有没有自己的购买服务实施细则？",
])
def test_not_held_end_to_end_is_not_covered_with_a_reference(assistant, question):
    a = assistant.ask(question)
    assert str(a.verdict) == "not_covered", (question, [c.clause_id for c in a.citations])
    assert a.citations == () and "没有规定" in a.summary
    assert "相关条款" in a.answer  # the nearest clause, for reference only


def test_near_miss_end_to_end_stays_info(assistant):
    a = assistant.ask("通知里绩效评价核心指标包括哪些？")
    assert str(a.verdict) == "info" and a.citations[0].clause_id == "正文/四/（二）"


@pytest.mark.parametrize("question, clause_id", [
    ("金额20万的项目在哪个平台公示？", "正文/四/（三）"),  # 金额 names the case's sum, it does not ask for one
    ("项目预算才30万，在采购限额标准以下，领导问要在哪个平台公示？", "正文/四/（三）"),
    ("合同一签三年，绩效评价的核心指标应当包括哪些？", "正文/四/（二）"),
])
def test_a_value_in_the_case_leaves_the_answer_info(corpus, question, clause_id):
    """The clause found answers where / what; the sum or period in the case is not asked for."""
    from assistant.compose import retrieval_part
    from assistant.retrieve import Hit

    part = retrieval_part(corpus, _n(question), (), (Hit(corpus.get(clause_id), 0.9, 1, 1),), True)
    assert part.decision.value == "info" and part.citations[0].clause_id == clause_id


def test_a_value_in_the_case_does_not_overturn_the_checker(assistant):
    """"首付30%" is the case: the question asks whether it is 融资, which the checker answers."""
    a = assistant.ask("预算已经安排，合同约定首付30%、验收后付70%，这个不算融资吧？")
    assert str(a.verdict) != "not_covered"


def test_a_head_count_is_a_value_the_notice_does_not_state():
    from assistant.answerable import PEOPLE, stated

    assert PEOPLE in asked(_n("履约验收小组至少要几个人？"))
    assert PEOPLE not in asked(_n("附件1列了几个领域？"))
    assert PEOPLE in stated("验收小组由3名专家组成") and PEOPLE not in stated("分三级")
