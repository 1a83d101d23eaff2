"""Who decides (附件2二、（二）) and what the contract leaves out (正文三、（三）, 四、（二）): invented help-desk
phrasings, not taken from any eval set, with near misses both ways.

- the decision stated as kept by government ("处罚还是我们自己定") → only auxiliary work is bought → allowed,
  the general preconditions listed as 前提;
- the decision itself handed over ("由它定谁拿补贴", "照它的名单拨钱", "我们只盖章") → prohibited;
- whether the decision goes too is stated as undecided ("是只做调研还是替我们拍板，还没定") → conditional;
- duties dropped from the contract (no 服务标准, no 绩效指标, 验收 done by the provider itself) → prohibited;
- the provider's own kit ("车和司机都由公司负责") is no goods bought; a place name is no typo (修山镇)."""

import pytest

from tests.checking import A, C, P, assert_reads, table

DECIDES = {
    "决定留在政府：买的是辅助": [
        ("请环境检测公司做水质采样化验，出数据给我们，罚不罚还是局里执法人员自己定，这个能买吗", A),
        ("第三方只做入户核查、写核查报告，能不能领救助金最终还是由民政局审核审批，这样可以买吗", A),
        ("巡查还是我们的执法队员去，只请公司把巡查记录整理成台账，这个能外包吧", A),
        ("智库只出政策研究报告供局党组决策参考，出不出台最后还是我们局自己研究决定，可以吗", A),
    ],
    "决定交出去": [
        ("评审公司看完材料后直接由它确定哪些合作社拿奖补，我们照它的名单拨钱，可以吗", P),
        ("街道把困难家庭救助资格的评议全交给物业公司来定，街道只盖章，这样行吗", P),
        ("咨询机构调查完直接决定谁能进保障名单，局里按它的结论执行，合规吗", P),
        ("想把行政处罚外包给保安公司，罚不罚、罚多少都由它说了算", P),
    ],
    "交不交决定还没定": [
        ("打算请公司参与项目审批，是只帮忙整理申报材料还是直接由它出审批意见，领导还没想好，能买吗", C),
        ("城管想外包街面巡查，至于后续的处罚要不要也让他们做，还没定，可以吗", C),
    ],
    "合同里该有的不写、验收交给承接方": [
        ("购买需求里不明确服务标准，让承接方自己看着办，行吗", P),
        ("合同不写绩效评价指标，也不约定双方责任，就写个总价，可以吗", P),
        ("验收也交给承接公司自己做，它自己出验收报告我们照着付钱，行不行", P),
        ("我们买社区保洁服务，合同里写明了服务标准和绩效指标，验收由我们局组织，这样可以吗", A),
    ],
    "承接方自带的、地名": [
        ("我们按趟买用车服务，车、司机、油费和保险都由汽车租赁公司负责，局里按出车次数结算，可以吗", A),
        ("镇里想给修山镇的高龄老人买上门助餐服务，找一家养老服务公司来做，可以吗", A),
        ("我们想用购买服务的钱直接买两辆校车，可以吗", P),
        ("防疫办想以购买服务名义采购一批防护服和消毒液备用，行吗", P),
        ("社区综合服务平台的房屋和场地建设，能打包成购买服务吗", P),
    ],
}


@pytest.mark.parametrize("category,question,want", table(DECIDES))
def test_who_decides_and_what_the_contract_holds(category, question, want):
    assert_reads(question, want)
