"""Session 14: purchases that cross units (a 事业单位 signing "on behalf of" its bureau, a 群团 that only helps a
named bureau), a provider that only pays wages, goods inside a service package, a provider that fixes the numbers,
deposits set by ownership, idle staff while buying. Invented phrasings, not taken from any eval set, each with a
near miss the other way. The vocabulary is in corpus/facts.toml ([roles].purchaser_after, [roles].helper_after and
the flags named in each comment)."""

import pytest

from tests.checking import A, C, P, assert_reads, table

CASES = {
    "代主管局作为购买主体的事业单位": [
        ("县文旅局让下属的县群艺馆（公益二类事业单位）代表局里作为购买主体，签非遗展演服务合同并付款，行吗？", P),
        ("县农业农村局让下属的县农机服务中心（公益二类事业单位）代局里与农机公司签订机耕服务合同，行吗？", P),
        ("县文旅局作为购买主体签非遗展演服务合同，县群艺馆（公益二类事业单位）参与投标承接，目录预算都有，行吗？", A),
    ],
    "只做辅助工作的群团和单位": [
        ("县民政局和县妇联联合为留守妇女购买心理关爱服务，预算在民政局已安排，合同由民政局签，县妇联只负责摸排对象，可以吗？", A),
        ("市卫健委和市红十字会联合购买应急救护培训，市卫健委出钱并签合同，市红十字会负责推荐学员，目录预算都有，可以吗？", A),
        ("县民政局和县妇联联合为留守妇女购买心理关爱服务，合同由县妇联签，县妇联的编制和经费情况还没核实，可以吗？", C),
    ],
    "买了就不再参与监管": [
        ("县卫健局请一家机构替各科室出具验收结论，以后就不再参与履约监管了，行吗？", P),
        ("县卫健局请第三方机构做绩效评价，履约监管仍由局里负责，目录预算都有，行吗？", A),
    ],
    "承接方只代发工资": [
        ("县税务局的窗口服务外包，人员由局里挑选、安排和考勤，外包公司只负责代发工资，行吗？", P),
        ("县税务局购买窗口导办服务，人员由服务公司自己招聘和管理，按服务量结算，目录预算都有，行吗？", A),
    ],
    "服务包里的货物": [
        ("县教育局的教学运维服务包里还包括给各校采购安装电子白板，整体按购买服务签，行吗？", P),
        ("县教育局只购买各校现有电子白板的运维服务，设备是学校自有的，目录预算都有，行吗？", A),
        ("县司法局想统一购买一套普法短视频制作服务，目录预算都有，可以吗？", A),
        ("县司法局想走购买服务统一买一套摄像设备，可以吗？", P),
    ],
    "评审机构直接定数": [
        ("市财政局购买预算评审服务，由评审机构直接核定各单位预算数，行吗？", P),
        ("市财政局购买预算评审服务，评审机构只出评审意见，预算数仍由财政局审核确定，目录预算都有，行吗？", A),
    ],
    "按所有制定保证金": [
        ("县民政局的招标文件规定，民营企业投标要交比国有企业高的保证金，合规吗？", P),
        ("县民政局购买居家养老服务，所有投标人的保证金标准一样，目录预算都有，可以吗？", A),
    ],
    "人员闲着还花钱买": [
        ("县体育局向公司购买健身指导服务，可下属体育馆的指导员没事可做，给体育馆的经费也一分没减，合规吗？", P),
        ("县体育局下属体育馆的指导员忙不过来，局里向公司购买健身指导服务作补充，目录预算都有，合规吗？", A),
    ],
}


@pytest.mark.parametrize("category,question,want", table(CASES))
def test_cross_unit_purchases_are_read(category, question, want):
    assert_reads(question, want)
