"""Session 15: questions asked as arguments (难道…不行？凭什么不行？既然…那…总不能…吧) and Hunan dialect typed by voice
input (冇得, 要得不, 么子, 咯个, 晓得, 哒). The polarity of the sentence must not decide the verdict. Invented
phrasings, not taken from any eval set, each with a near miss the other way. The vocabulary is in corpus/facts.toml
([question].eligibility, [typos]) and corpus/spans.toml (premise_since, is_it_category, unknown_whether)."""

import pytest

from tests.checking import A, C, N, P, assert_reads, table

CASES = {
    "反问句": [
        ("既然保洁能买，那把办公楼外墙翻新和保洁打包成一个服务项目，凭什么不行？", P),
        ("既然保洁能买，那县机关事务管理局向物业公司买办公楼保洁服务，目录预算都有，凭什么不行？", A),
        ("难道把低保对象的最终审批权交给社工机构也不行？反正是花钱请专业的人。", P),
        ("难道请社工机构协助低保入户调查也不行？审批还是民政局自己定，目录预算都有。", A),
        ("年中我们想把已经批下来的购买服务预算随手调一调，难道一点都不能动？", P),
    ],
    "既然…那…总不能…吧": [
        ("既然劳务派遣不行，那我们向培训机构购买职业技能培训服务、按培训人数付费，总不能也说成是变相用工吧？目录预算都有。", A),
        ("既然劳务派遣不行，那我们让劳务公司派三个人来局里坐班，总不能也说成是劳务派遣吧？", P),
    ],
    "评分加分": [
        ("评分办法里给以前和本局合作过的机构加10分，激励一下老伙伴，难道也不合规？", P),
        ("评分办法对所有投标机构用同一套服务质量标准打分，目录预算都有，难道也不合规？", A),
    ],
    "类别不清和问类别": [
        ("县图书情报所是事业单位，但不清楚是不是从事生产经营活动的，它作为购买主体买数据库服务行不行？", C),
        ("我们县疾控中心到底是不是公益一类？", N),
    ],
    "湘方言": [
        ("我是镇上的 镇里想把老村部拆哒重新修 修好以后请人运营 干脆把修房子跟运营打包成一个购买服务项目 要得不", P),
        ("我是镇上的 镇里想向保洁公司买村道保洁服务 钱安排哒 目录里也有 要得不", A),
        ("我们卫生院是事业单位 冇得行政职能的 是公益一类 想编一笔购买服务预算请外面的人来搞保洁 要得不", P),
        ("局里有个培训服务想买 下面的推广站讲它来承接 站是事业单位 但是么子类别我不晓得 咯个站能不能承接", C),
        ("村里有个老板开农家乐 要搞开业 镇里想出钱买个演出服务给他热闹哈 咯个能走购买服务不", P),
        ("县法律援助中心想请律所把行政复议决定书直接帮我们定下来 他们怎么定就怎么发 要得不", P),
    ],
}


@pytest.mark.parametrize("category,question,want", table(CASES))
def test_arguments_and_dialect_are_read(category, question, want):
    assert_reads(question, want)
