"""Does the cited text actually answer the question? A pure check on the answer *type*.

Retrieval can always find the clause nearest to a question; nearness is not an answer. A question that asks
for a specific value — an amount of money, a ratio or tax rate, a length of time, a date, "how many/much" —
is answered only if the cited text states a value of that kind. The notice states dates (2022年11月16日,
每年7月15日前), one duration (有效期5年), counts (分三级, 2大类) and no amounts of money or percentages at all,
so "限额标准是多少万元" / "预付款比例最多多少" / "合同最长能签几年" are not answered by the clause that
merely mentions 限额标准 / 合同.

Likewise a question that states a value for confirmation ("合同最长3年，对吧？") needs a value of that kind in
the cited text: "有效期是3年吧" is answered by 有效期5年 (to correct it), "合同最长3年吧" by nothing.

Count questions (几个/几类/哪几/多少条) are left alone: the notice answers them by enumeration.
"""

from __future__ import annotations

import re
from typing import Iterable

_CN = "一二三四五六七八九十两百千万零〇半"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"

# -- what a question asks for ------------------------------------------------------------------------
MONEY, RATIO, DURATION, DATE, QUANTITY = "money", "ratio", "duration", "date", "quantity"

# measure words that make 多少/几 a count the notice answers by listing (几个领域, 多少条, 哪几类)
_COUNT_MW = "个条项类级层种部分家批所名位款点章节段句"
_ASK = {
    MONEY: re.compile(r"多少钱|多少万|多少元|几万|几千|几百块|多少块|金额|多少经费|多少资金|多少费用|收费多少|费用多少"
                      r"|花了多少|花多少|给多少|发多少|拿多少|付多少|交多少|收多少|补多少|涨多少|加薪多少|报销多少"
                      r"|单价|指导价|收费标准|价格标准|定价标准|报价上限|最高限价"),
    RATIO: re.compile(r"比例|百分之|百分比|几个点|多少个点|税率|费率|利率|几成|折扣|%"),
    DURATION: re.compile(r"几年|多少年|多久|多长时间|多长期限|几天|多少天|几个月|多少个月|几日|多少日|几个工作日|期限是"
                         r"|几周|多少周|几小时|多少小时"),
    DATE: re.compile(r"几号|几月几日|几月几号|哪一天|哪天|什么日期|哪一年|哪年"),
}
_BARE_HOW_MUCH = re.compile(rf"多少(?![{_COUNT_MW}天年月日周钱万元块])")  # "标准是多少" / "最多能收多少"
# a value stated in the question for confirmation: "最长3年", "6月30日前", "20万", "5%"
_Q_DURATION = re.compile(rf"(?<![\d年月下上每次当这那同])(?:\d{{1,2}}|[{_CN}]{{1,3}})(?:个)?(?:年|天|个月|周|个工作日)(?![\d月度级])")
_Q_MONEY = re.compile(rf"{_NUM}\s*(?:万元|元|万|亿|块)")
_Q_RATIO = re.compile(rf"{_NUM}\s*%|百分之{_NUM}")

# -- what a text states ------------------------------------------------------------------------------
_DOCNO = re.compile(r"〔\d{4}〕\s*\d+\s*号|\(\d{4}\)\s*\d+\s*号|（\d{4}）\s*\d+\s*号")
_T_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日")
_T_DURATION = re.compile(rf"(?<![\d年月])(?:\d{{1,2}}|[{_CN}]{{1,3}})(?:个)?(?:年|天|个月|周|个工作日)(?![\d月度级])")
_T_MONEY = re.compile(rf"{_NUM}\s*(?:万元|元|亿元)")
_T_RATIO = re.compile(rf"{_NUM}\s*%|百分之{_NUM}")
_T_QUANTITY = re.compile(rf"\d+|[{_CN}]+(?:[{_COUNT_MW}]|大类)")


def asked(question: str) -> frozenset[str]:
    """The kinds of value the question asks for (or states for confirmation)."""
    kinds = set(_explicit(question))
    if _Q_DURATION.search(_T_DATE.sub("", question).replace("半年", "")):
        kinds.add(DURATION)
    if _Q_MONEY.search(question):
        kinds.add(MONEY)
    if _Q_RATIO.search(question):
        kinds.add(RATIO)
    if not kinds and _BARE_HOW_MUCH.search(question):
        kinds.add(QUANTITY)
    return frozenset(kinds)


def asked_for(question: str) -> frozenset[str]:
    """The kinds of value the question explicitly asks for ("税率多少", "最长能签几年"); a value merely
    mentioned ("一年几十场") does not count."""
    kinds = _explicit(question)
    return kinds or (frozenset({QUANTITY}) if _BARE_HOW_MUCH.search(question) else frozenset())


def _explicit(question: str) -> frozenset[str]:
    return frozenset(k for k, rx in _ASK.items() if rx.search(question))


def stated(text: str, *, doc_numbers: bool = False) -> frozenset[str]:
    """The kinds of value `text` states. Document numbers (湘财综〔2017〕39号) are names, not values,
    unless the question asks for one (`doc_numbers`)."""
    if not doc_numbers:
        text = _DOCNO.sub("", text)
    kinds = set()
    if _T_DATE.search(text):
        kinds.add(DATE)
    rest = _T_DATE.sub("", text)
    if _T_DURATION.search(rest):
        kinds.add(DURATION)
    if _T_MONEY.search(rest):
        kinds.add(MONEY)
    if _T_RATIO.search(rest):
        kinds.add(RATIO)
    if _T_QUANTITY.search(rest) or kinds & {MONEY, RATIO, DURATION}:
        kinds.add(QUANTITY)
    return frozenset(kinds)


def missing_value(question: str, texts: Iterable[str]) -> frozenset[str]:
    """Kinds of value the question asks for that none of `texts` states (empty = nothing missing)."""
    want = asked(question)
    if not want:
        return frozenset()
    docno = bool(re.search(r"文号|几号文|哪个文件|什么文件|哪份文件", question))
    have = frozenset().union(*(stated(t, doc_numbers=docno) for t in texts)) if texts else frozenset()
    return frozenset(want - have)


_KIND_ZH = {MONEY: "具体金额", RATIO: "具体比例或税率", DURATION: "具体期限或天数", DATE: "具体日期",
            QUANTITY: "具体数额"}


def describe(kinds: Iterable[str]) -> str:
    """The missing kinds in Chinese, for the answer text: "具体金额、具体比例或税率"."""
    return "、".join(_KIND_ZH[k] for k in (MONEY, RATIO, DURATION, DATE, QUANTITY) if k in set(kinds))


def answers(question: str, texts: Iterable[str]) -> bool:
    """True unless the question asks for a kind of value that the cited texts do not state."""
    return not missing_value(question, list(texts))
