"""Homophone typos from pinyin IMEs are corrected against the notice's own vocabulary (assistant/normalize.py).
Invented misspellings, not taken from any eval set; correct sentences must come out unchanged."""

import subprocess
import sys

import pytest

from assistant.normalize import fix_homophones, load_homophones, normalize
from assistant.settings import ROOT

TYPOS = [
    ("公益以类单位能不能投标", "公益一类单位能不能投标"),
    ("公益二累医院想当买方", "公益二类医院想当买方"),
    ("我们是尚未分累的单位", "我们是尚未分类的单位"),
    ("尚味分类的单位能参加吗", "尚未分类的单位能参加吗"),
    ("事业单味能不能承接", "事业单位能不能承接"),
    ("我们有行政职嫩", "我们有行政职能"),  # 模糊音 en/eng
    ("机关用的是行政边制", "机关用的是行政编制"),
    ("群团组值能买服务吗", "群团组织能买服务吗"),
    ("谁来当购买主提", "谁来当购买主体"),
    ("按知道性目录执行", "按指导性目录执行"),
    ("付面清单里有没有", "负面清单里有没有"),
    ("劳务派前可以吗", "劳务派遣可以吗"),
    ("设置公益性刚位", "设置公益性岗位"),
    ("向行业鞋会商会购买", "向行业协会商会购买"),
    ("对商会直接拨宽", "对商会直接拨款"),
    ("搞差别带遇", "搞差别待遇"),
    ("这算歧视代遇吗", "这算歧视待遇吗"),
    ("请第三方做绩效平价", "请第三方做绩效评价"),
    ("以购买服务的名意付钱", "以购买服务的名义付钱"),
    ("国务院另有规顶", "国务院另有规定"),
    ("遇算没批能买吗", "预算没批能买吗"),
    ("不在幕录里", "不在目录里"),
    ("想用购买服务蓉资", "想用购买服务融资"),
    ("想购麦服务", "想购买服务"),
    ("从事生产经赢的事业单位", "从事生产经营的事业单位"),
    ("由主管部们购买", "由主管部门购买"),
    ("尚未分内的事业单位", "尚未分类的事业单位"),  # 模糊音 n/l
]


@pytest.mark.parametrize("typo,fixed", TYPOS)
def test_homophone_typo_is_corrected(typo, fixed):
    assert normalize(typo) == fixed


UNCHANGED = [
    "公益一类事业单位能承接吗",
    "我们是公益二类医院，想承接检测服务",
    "绩效工资的计算公式是什么",  # 公式 ≠ 公示
    "县里想向检测机构买服务",  # 构买 is not 购买: 构 belongs to 机构
    "县总工会机关用的是行政编制",  # 是行 is not 施行
    "能不能帮项目融点资",  # 点 is too common to be a typo of 垫
    "负面清单已经废止了吗",  # 经废 is not 经费
    "我们没有行政职能",  # 有 is read you, not its rare wei
    "附件2二、（三）怎么规定的",
    "二类事业单位能买吗",  # numerals are never changed
    "失业人员的就业培训能买吗",
    "预计明年实施",
    "考核合格以后按进度付款",
    "省直有关部门，各市（州）、县（市、区）财政局：",
]


@pytest.mark.parametrize("text", UNCHANGED)
def test_correct_text_is_unchanged(text):
    assert fix_homophones(text) == text


def test_the_notice_itself_is_never_corrected():
    hp = load_homophones()
    assert hp.notice and fix_homophones(hp.notice) == hp.notice


def test_vocabulary_comes_from_the_notice_and_the_lexicon():
    hp = load_homophones()
    assert {"公益一类", "尚未分类", "购买", "承接", "差别待遇", "名义"} <= hp.termset
    assert all(2 <= len(t) <= 6 for t in hp.terms)
    assert "木录" not in hp.known  # facts.toml [typos] lists misspellings, not vocabulary


def test_pypinyin_is_imported_only_when_a_window_looks_like_a_term():
    code = ("import sys; from assistant.normalize import normalize; normalize('今天天气怎么样'); "
            "print('pypinyin' in sys.modules); normalize('公益一累'); print('pypinyin' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
