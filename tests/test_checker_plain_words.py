"""Session 19: the notice's terms never said — bodies described by staffing and funding (人都是公务员身份, 一部分靠
收费一部分靠财政补), roles named by money (出钱的一方, 干活的一方), the 目录 as a list of what may be contracted out,
works, decisions and staff described by what happens; options weighed side by side (方案A/B, 一种…另一种…) and a
rejected option (已经否了). Invented phrasings, not taken from any eval set, each with a near miss the other way.
Vocabulary: corpus/facts.toml ([[shorthand]], [[content]], [[entity]]), corpus/spans.toml (retracted);
options: assistant/extract.py."""

import pytest

from tests.checking import A, C, P, assert_parts, assert_reads, table

CASES = {
    "身份和经费": [
        ("县科协机关的人都是公务员身份，科协想用财政的钱请机构做科普讲座，能自己当出钱的一方吗？", A),
        ("县科协的人都占事业身份的名额，经费全由财政出，科协想自己当出钱的一方请机构做科普讲座，可以吗？", P),
        ("县里有个挂着事业牌子、实际对外开门营业、自负盈亏的招待所，它想用上级拨的钱请公司做宣传，它能当出钱的一方吗？", P),
    ],
    "目录和钱": [
        ("市里那张可外包事项的清单上有社区矫正帮扶，我们能拿这个当理由，找财政追加一笔开支吗？", P),
        ("县司法局觉得市里那张不合用，想自己另列一张本县可外包事项的清单执行，可以吗？", P),
    ],
    "做的事": [
        ("镇政府想请施工队把老礼堂推倒重砌、再加一层，按服务签合同，可以吗？", P),
        ("镇政府想请保洁公司每天打扫老礼堂，按月付钱，目录预算都有，可以吗？", A),
        ("县农业农村局想请公司把几条排水沟挖深、用水泥砌起来，按服务付钱，可以吗？", P),
        ("县市场监管局想让检测公司代表局里去门店检查，当场下整改通知书、盖局里的章，可以吗？", P),
        ("县市场监管局请检测公司抽检送来的样品、出检验报告，怎么处理由局里依法决定，目录预算都有，可以吗？", A),
        ("县卫健局向劳务公司“买服务”，人员由局里安排到各科室上班，按人头付钱，可以吗？", P),
        ("县交通运输局想请客运公司开通几条到偏远村的班车线，车辆由公司自备，按班次补贴，目录预算都有，可以吗？", A),
        ("县教育局想买五辆大巴交给学校自己开，按购买服务付钱，可以吗？", P),
    ],
    "被否掉的方案": [
        ("县教育局：几所公益一类中学的心理辅导需求超出学校能力，县财政局和县教育局已联合认定，经费已调整到局本级。让学校自己编预算去买的方案已经否了。现在由教育局向社会机构购买作补充，可以吗？", A),
        ("县教育局：几所公益一类中学的心理辅导需求超出学校能力，县财政局和县教育局已联合认定。现在想让学校自己编预算去买，可以吗？", P),
    ],
}


@pytest.mark.parametrize("category,question,want", table(CASES))
def test_plain_words_are_read(category, question, want):
    assert_reads(question, want)


@pytest.mark.parametrize("question,parts", [
    ("县民政局有两个方案：方案A，向社工机构购买困境儿童关爱服务；方案B，以购买服务名义招5名编外人员到局里坐班。请分别判断。", [A, P]),
    ("县住建局有两种意见：一种是把新建公租房和以后的物业打包作为购买服务；另一种是新建另行招标，只买建成后的物业服务。两种意见分别可以吗？", [P, A]),
    ("县文旅局：甲方案，向演出公司购买送戏下乡服务；乙方案，用购买服务的名义买一批演出服装。甲、乙是否都可以？", [A, P]),
])
def test_each_option_is_a_part(question, parts):
    assert_parts(question, parts)
