"""Who is who in the 我理解 line (issue 13.5): a unit named as the thing built is no party, whose 购买服务项目 it is
names the buyer, and building words inside a department's name change nothing. Invented phrasings with near misses."""

import pytest

from assistant.extract import check_text


@pytest.mark.parametrize("question, verdict, says, never", [
    # the hospital / school is what is built: the bureau is the buyer, not "购买主体=医院"
    ("我们县卫健局能不能把新建医院和物业打包成购买服务？", "prohibited", "购买主体=县卫健局", "医院（事业单位"),
    ("县教育局想建一所学校，能走购买服务吗？", "prohibited", "购买内容=工程", "学校（事业单位"),
    ("能不能请公司帮我们建几所幼儿园，按年付服务费？", "prohibited", "购买内容=工程", "幼儿园（"),
    # "承接X的购买服务项目": X buys
    ("公益一类事业单位能承接县卫健局的购买服务项目吗？", "prohibited", "购买主体=县卫健局", "参与方（角色未说明）=县卫健局"),
    ("民政局的购买服务项目，社会组织能承接吗？", "allowed", "购买主体=民政局", "参与方"),
    # near misses: 建 inside a department's name, and a unit that itself renovates stays a party
    ("住建部门想把公租房的运营管理交给专业机构，可以吗？", "allowed", "购买主体=部门", "参与方"),
    ("城乡建设局想买物业服务可以吗", "allowed", "购买主体=局", "参与方"),
    ("县医院想把门诊楼装修一下，能走购买服务吗？", "prohibited", "医院", "购买主体=县卫健局"),
])
def test_roles_in_the_understood_line(question, verdict, says, never):
    tv = check_text(question)
    assert str(tv.decision) == verdict, tv.understood
    assert says in tv.understood and never not in tv.understood, tv.understood
