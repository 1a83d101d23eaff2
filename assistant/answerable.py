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
import tomllib
from functools import lru_cache
from typing import Iterable

from .settings import ROOT
from .spans import background_blanked

_CN = "一二三四五六七八九十两百千万零〇半"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"

# -- what a question asks for ------------------------------------------------------------------------
MONEY, RATIO, DURATION, DATE, QUANTITY, PEOPLE = "money", "ratio", "duration", "date", "quantity", "people"

# measure words that make 多少/几 a count the notice answers by listing (几个领域, 多少条, 哪几类)
_COUNT_MW = "个条项类级层种部分家批所名位款点章节段句"
_ASK = {  # 好多钱 / 好久 are 多少钱 / 多久 in southwestern (Hunan) speech
    MONEY: re.compile(r"(?:多少|好多)(?:钱|万|元|块)|几万|几千|几百块|几块钱|几元钱|金额(?:是|为|有|有没有|有无|能|可以|最[高低多少])*(?:多少|几|上限|下限|标准|限制)"
                      r"|(?:多少|多大)的?(?:金额|额度|数额)|多少经费|多少资金|多少费用|收费多少|费用多少"
                      r"|花了多少|花多少|给多少|发多少|拿多少|付多少|交多少|收多少|补多少|涨多少|加薪多少|报销多少"
                      r"|单价|指导价|收费标准|价格标准|定价标准|报价上限|最高限价"
                      # "每月收费上限定多少", "补贴标准一般给多少": a sum, not a count the notice lists
                      r"|(?:收费|费用|价格|价钱|补贴|补助|服务费|报酬|工资)[^,，。?？]{0,6}(?:多少|几何)"),
    # "30%" is a value, not an ask; "合同金额的多少" asks a share of an amount
    RATIO: re.compile(r"比例|百分之几|百分比|几个(?:百分)?点|多少个(?:百分)?点|税率|费率|利率|几成|折扣"
                      r"|(?:金额|总额|价款|合同额|合同价|预算)的(?:多少|几)"),
    DURATION: re.compile(r"几年|多少年|多久|好久(?=之内|以内|内|能|要|才)|多长时间|多长期限|几天|多少天|几个月|多少个月|几日|多少日|几个工作日"
                         r"|期限(?:是|有|有没有|是否有|多长|最长|最短|上限)"  # the notice states no time limit ("期限")
                         r"|几周|多少周|几小时|多少小时"),
    DATE: re.compile(r"几号|几月几日|几月几号|哪一天|哪天|什么日期|哪一年|哪年|哪个月|几月份|哪月"
                     # "“回头看”要在什么时候前完成", "征文的截止时间": a deadline, answered only by a clause giving a date
                     r"|(?:什么时候|何时|哪天)(?:之?前|以前|截止|为止)|截止(?:时间|日期)|最晚(?:什么时候|何时)"),
    # "验收小组至少要几个人": a head count (the notice states none; 几个领域 stays a count it answers by listing)
    # "招几名律师驻局": a few hired, not a head count asked
    PEOPLE: re.compile(r"(?<![招雇聘])(?:几个人|几名|几位|几人)|多少个?人|多少名|多少位"),
}
_BARE_HOW_MUCH = re.compile(rf"多少(?![{_COUNT_MW}天年月日周钱万元块])")  # "标准是多少" / "最多能收多少"
# a value stated in the question for confirmation: "最长3年", "6月30日前", "20万", "5%"
_Q_DURATION = re.compile(rf"(?<![\d年月下上每次当这那同])(?:\d{{1,2}}|[{_CN}]{{1,3}})(?:个)?(?:年|天|个月|周|个工作日)(?![\d月度级])")
_Q_MONEY = re.compile(rf"{_NUM}\s*(?:万元|元|万|亿)|(?<![这那哪每])(?:\d+|[{_CN}]{{2,}})\s*块")  # not "这一块"
_Q_RATIO = re.compile(rf"{_NUM}\s*%|百分之{_NUM}")

# -- what a text states ------------------------------------------------------------------------------
_DOCNO = re.compile(r"〔\d{4}〕\s*\d+\s*号|\(\d{4}\)\s*\d+\s*号|（\d{4}）\s*\d+\s*号")
_T_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月\d{1,2}日")
_T_DURATION = re.compile(rf"(?<![\d年月])(?:\d{{1,2}}|[{_CN}]{{1,3}})(?:个)?(?:年|天|个月|周|个工作日)(?![\d月度级])")
_T_MONEY = re.compile(rf"{_NUM}\s*(?:万元|元|亿元)")
_T_RATIO = re.compile(rf"{_NUM}\s*%|百分之{_NUM}")
_T_QUANTITY = re.compile(rf"\d+|[{_CN}]+(?:[{_COUNT_MW}]|大类)")
_T_PEOPLE = re.compile(rf"{_NUM}\s*(?:名|位)|\d+\s*人")


# -- what is asked: the question span ------------------------------------------------------------------
# A message often describes its case before it asks: "项目金额才30万，在限额标准以下……要在哪个平台公示？",
# "合同约定预付30%、验收后付70%，这个不涉及融资吧？", "由它来定哪些企业拿补贴、每家拿多少……可以吗？". The sums,
# rates and lists of the case are not what is asked. What is asked is the question span:
#   1. the question sentences — those ending in ？ (else those carrying a question word, else the last one);
#   2. of each, its last clause (after the last comma or colon), which is where Chinese puts the question;
#   3. plus the clause before it when the last clause only asks to confirm or to look it up ("合同最长3年，对吧？",
#      "单价上限是多少，通知里有没有规定？"), and plus earlier clauses that are direct questions of their own
#      ("限额标准是多少，怎么查？") when the last clause asks for content; never when the last clause asks
#      for a verdict ("…每家拿多少，我们照名单拨钱，可以吗？": 多少 there is what the other party would decide).
_SENTENCE = re.compile(r"[^。!！?？;；\n]+[。!！?？;；]*")  # not ".": 18.6万, "1. 2." numbering
_CLAUSE_CUT = re.compile(r"[,，:：]")
# a word that makes a sentence a question when it has no question mark ("能不能买吗" without ？)
_QUESTION_WORD = re.compile(r"[吗呢么]|能不能|可不可以|可否|能否|是否|是不是|有没有|算不算|行不行|要不要|会不会|哪|什么|啥"
                            r"|怎么|怎样|如何|多少|几[年天月日个项条次家号]|谁|为何|为什么|咋")
# a content question word: the clause asks *what*, not *whether* (whether-questions ask for a verdict)
_WH = re.compile(r"哪|什么|啥|怎么|怎样|如何|多少|几(?![十百千万])|谁|咋|还是")  # 还是: "20万还是50万？"
# the embedding verbs of a case: "由它来定哪些企业拿补贴", "不确定要不要…": the wh-word is not asked
_EMBEDDED_WH = re.compile(r"(?:来|去|自己|自行|负责|直接)?(?:定|决定|确定|核定|评定|商定|选定|拍板)(?:了)?[^,，]{0,3}(?:哪|多少|几)"
                          r"|不(?:确定|清楚|知道)[^,，]{0,12}(?:哪|多少|几|什么)")
# a last clause that only asks to confirm what the clause before states, or whether the notice rules on it
_CONFIRM_TAG = re.compile(r"^(?:那|请问|这样|这个|是|我)?(?:对吧|是吧|是吗|对吗|对不对|是不是|没错吧|是这样吗|是不是这样|理解得?对吗"
                          r"|(?:我)?(?:这样)?理解(?:得)?(?:对|没错)(?:吗|吧|不)?|有(?:这个|这种|明确|具体|相关)?(?:规定|要求|说法)吗"
                          r"|有没有(?:这个|这种|明确|具体|相关)?(?:规定|要求|说法)|(?:本|这个|这份)?(?:通知|文件|28号文|文里)(?:里|中|上)?"
                          r"(?:面)?(?:有没有|有|是否有)(?:明确|具体|相关)?(?:规定|要求|写)(?:吗)?|能告诉我吗|知道吗|能说(?:一下|说)吗)"
                          r"[吗吧呢么啊]?[?？。.!！]*$")


def question_sentences(text: str) -> list[str]:
    """The sentences of `text` that ask (see above); the last sentence when none does. A transcript's desk turns
    (客服：请问您想了解什么？) ask the caller, not us: they are left out."""
    sentences = [m.group(0) for m in _SENTENCE.finditer(background_blanked(text)) if m.group(0).strip(" 。.!！?？;；")]
    if not sentences:
        return []
    asking = [s for s in sentences if s.rstrip().endswith(("?", "？"))] \
        or [s for s in sentences if _QUESTION_WORD.search(s)][-1:] or sentences[-1:]
    return asking


def _asked_clauses(sentence: str) -> str:
    clauses = [c for c in _CLAUSE_CUT.split(sentence) if c.strip(" 。.!！?？;；")]
    if len(clauses) <= 1:
        return sentence
    last, before = clauses[-1], clauses[:-1]
    if not last.rstrip().endswith(("?", "？")) and not _QUESTION_WORD.search(last):
        # a request, not a question, ends it ("请告诉我限额是多少，直接给数字。"): the clauses that ask
        return "，".join(c for c in clauses if _QUESTION_WORD.search(c)) or sentence
    if _CONFIRM_TAG.match(last.strip()):
        return before[-1] + "，" + last
    if not _WH.search(last) or _EMBEDDED_WH.search(last):
        return last  # a verdict is asked ("…可以吗？"); the clauses before are the case
    direct = [c for c in before if _WH.search(c) and not _EMBEDDED_WH.search(c)]
    return "，".join([*direct, last])


@lru_cache(maxsize=512)  # read by not_held, asked, overrides_verdict and asks_what_it_says for the same part
def question_span(text: str) -> str:
    """What `text` asks, without the case it describes first (see above); sentences joined by a space."""
    return " ".join(_asked_clauses(s) for s in question_sentences(text))


def asked(question: str) -> frozenset[str]:
    """The kinds of value the question asks for, or states for confirmation ("合同最长3年，对吧"), read in
    its question span only: a value in the case ("项目180万，……还要走采购程序吗？") is neither."""
    span = question_span(question)
    kinds = set(_explicit(span)) | confirmed(span)
    if not kinds and _BARE_HOW_MUCH.search(span):
        kinds.add(QUANTITY)
    return frozenset(kinds)


# A value stated for confirmation: the whole clause before a confirming tag ("通知说社会组织要成立满三年才能承接，
# 是这样吗？"), or a value that ends the statement before 吧/对吧/是吗… ("通知规定是项目金额的2%对吧", "有效期是10年吧"),
# or before a bare 吗 after 是/最长/不超过… ("合同最长3年吗"), or right before the question mark ("比如要付到70%？").
# Not a value the case or a verdict question holds:
# "180万的项目还要走采购程序吗", "能预付30%吗", "预付30%，可以吗".
_CONFIRM_END = re.compile(r"(?:对吧|是吧|对吗|是吗|对不对|是不是|没错吧|吧)[?？。.!！]*$")
_BARE_MA = re.compile(r"吗[?？。.!！]*$")
_BARE_MARK = re.compile(r"[?？]+$")
_COPULA = re.compile(r"(?:是|为|只有|就|仅|最长|最多|最高|最低|最少|超过|不超过|不得超过|不能超过|上限是?|期限是?)[^,，]{0,4}$")
_RANGE = re.compile(r"(?:以内|以下|以上|之内|左右|封顶)?的?$")
_Q_VALUES = ((DURATION, _Q_DURATION), (MONEY, _Q_MONEY), (RATIO, _Q_RATIO))


def confirmed(span: str) -> frozenset[str]:
    """The kinds of value `span` (a question span) states for confirmation; see above. Dates are not durations."""
    kinds = set()
    for piece in span.split(" "):
        clauses = [c.strip() for c in _CLAUSE_CUT.split(piece) if c.strip(" 。.!！?？;；")]
        if not clauses:
            continue
        if len(clauses) > 1 and _CONFIRM_TAG.match(clauses[-1]):
            stmt, at_end, copula = clauses[-2], False, False
        elif m := _CONFIRM_END.search(clauses[-1]):
            stmt, at_end, copula = clauses[-1][:m.start()], True, False
        elif m := _BARE_MA.search(clauses[-1]):
            stmt, at_end, copula = clauses[-1][:m.start()], True, True
        elif m := _BARE_MARK.search(clauses[-1]):  # "比如三季度末要付到70%？": a value asked back
            stmt, at_end, copula = clauses[-1][:m.start()], True, False
        else:
            continue
        stmt = _T_DATE.sub("", stmt).replace("半年", "")
        for kind, rx in _Q_VALUES:
            for v in rx.finditer(stmt):
                if not at_end or (_RANGE.fullmatch(stmt[v.end():]) and (not copula or _COPULA.search(stmt[:v.start()]))):
                    kinds.add(kind)
                    break
    return frozenset(kinds)


def asked_for(question: str) -> frozenset[str]:
    """The kinds of value the question span explicitly asks for ("税率多少", "最长能签几年"); a value merely
    mentioned ("一年几十场") or asked about in the case ("由它来定每家拿多少，可以吗？") does not count."""
    span = question_span(question)
    kinds = _explicit(span)
    return kinds or (frozenset({QUANTITY}) if _BARE_HOW_MUCH.search(span) else frozenset())


def values_asked(text: str) -> bool:
    """Every question in `text` asks for a value (a sum, a period, a date…), none for a verdict ("派几个人来上班
    没问题了吧" states a head count and asks for a verdict)."""
    questions = question_sentences(text)
    return bool(questions) and all(asked(q) for q in questions) and not _VERDICT_ASKED.search(text)


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
    if _T_PEOPLE.search(rest):
        kinds.add(PEOPLE)
    if _T_QUANTITY.search(rest) or kinds & {MONEY, RATIO, DURATION}:
        kinds.add(QUANTITY)
    return frozenset(kinds)


_ABOUT_NOTICE = re.compile(r"有效期|施行|到期|失效|本通知|通知|文件|号文")
_VALIDITY = re.compile(r"有效期\s*(?:\d+|[一二三四五六七八九十]+)\s*年")


# "份额要达到多少比例，正文一（三）有没有具体数？": a value named in the sentence, then whether a clause states it
_DOES_IT_SAY = re.compile(r"(?:有没有|有无|是否有|有)(?:具体|明确)?的?(?:规定|限定|要求|写|数|标准|说|提)|(?:规定|写|说|限定|提)(?:了|到)?(?:吗|没有)")


def value_asked_of_clause(question: str, texts: Iterable[str]) -> frozenset[str]:
    """Kinds of value a question names and then asks whether the named clause states, which `texts` do not
    state ("合同最长能签几年，正文四（二）有没有限定？"). Empty when the question asks anything else."""
    sentences = question_sentences(question)
    if not sentences or not all(_DOES_IT_SAY.search(_asked_clauses(s)) for s in sentences):
        return frozenset()
    want = set()
    for s in sentences:
        want |= _explicit(s) or ({QUANTITY} if _BARE_HOW_MUCH.search(s) else set())
    if not want:
        return frozenset()
    texts = [_VALIDITY.sub("", t) for t in texts]
    have = frozenset().union(*(stated(t) for t in texts)) if texts else frozenset()
    return frozenset(want - have)


def missing_value(question: str, texts: Iterable[str]) -> frozenset[str]:
    """Kinds of value the question asks for that none of `texts` states (empty = nothing missing)."""
    want = asked(question)
    if not want:
        return frozenset()
    docno = bool(re.search(r"文号|几号文|哪个文件|什么文件|哪份文件", question))
    if not _ABOUT_NOTICE.search(question):  # "合同能一签5年吗": the notice's own 有效期5年 is not a contract term
        texts = [_VALIDITY.sub("", t) for t in texts]
    have = frozenset().union(*(stated(t, doc_numbers=docno) for t in texts)) if texts else frozenset()
    return frozenset(want - have)


_KIND_ZH = {MONEY: "具体金额", RATIO: "具体比例或税率", DURATION: "具体期限或天数", DATE: "具体日期",
            QUANTITY: "具体数额", PEOPLE: "具体人数"}


def describe(kinds: Iterable[str]) -> str:
    """The missing kinds in Chinese, for the answer text: "具体金额、具体比例或税率"."""
    return "、".join(_KIND_ZH[k] for k in (MONEY, RATIO, DURATION, DATE, QUANTITY, PEOPLE) if k in set(kinds))


def answers(question: str, texts: Iterable[str]) -> bool:
    """True unless the question asks for a kind of value that the cited texts do not state."""
    return not missing_value(question, list(texts))


# -- content the notice does not hold, and questions about the notice itself ----------------------------
# A question can be on topic and still ask for something the notice does not contain: the contents of a
# 目录 or a list it only names, a formula, what another document says, another province's or city's own rules,
# rules after it expires, a person's own status or punishment, which provider to choose, how bids are scored.
# Nearest is not an answer: such a question is `not_covered`, pointing to the nearest clause for reference.
# Pure functions over the question sentences (question_sentences): the case told before the question is not
# what is asked ("评分办法里给本地企业加10分，……这样可以吗？" asks a verdict, not a scoring rule).

OTHER_PROVINCE, OTHER_LOCAL, AFTER_EXPIRY, OTHER_DOCUMENT, LIST_CONTENT, FORMULA, SCORING, PROCEDURE, VENDOR, \
    PERSONAL = ("other_province", "other_local", "after_expiry", "other_document", "list_content", "formula",
                "scoring", "procedure", "vendor", "personal")
OWN_CLASS, FUNDING, ISSUE_DATE, OWN_MONEY = "own_class", "funding", "issue_date", "own_money"

_PROVINCES = ("北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|广东|广西"
              "|海南|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|内蒙古")
# This notice and its annexes, by title or as "《通知》": named in 《》 they are not "another document".
def _own_number() -> tuple[str, str]:
    """(year, number) of this notice's 文号, from corpus/document.toml ("湘财综〔2022〕28号" → 2022, 28)."""
    doc_id = tomllib.loads((ROOT / "corpus" / "document.toml").read_text("utf-8"))["doc_id"]
    m = re.search(r"〔(\d{4})〕(\d+)号", doc_id)
    return (m.group(1), m.group(2)) if m else ("0000", "0")


_YEAR, _NO = _own_number()
_OWN_TITLE = rf"[^》]*(?:推进政府购买服务改革重点工作|负面清单|改革清单)[^》]*》|(?:本?通知|{_NO}号文)》"
# Another document, named: a law or decree, a document number other than 湘财综〔2022〕28号, a 《title》 not this
# notice's, "51号文", or a document pointed at as another one ("那个财政部文件", "该文件").
_OTHER_DOC = (r"(?:102号令|财政部令|政府采购法|招标投标法|预算法|民法典|劳动合同法|实施条例|国办发"
              rf"|财综〔(?!{_YEAR}〕{_NO})[^〕]*〕\d+号|湘财综〔(?!{_YEAR}〕{_NO})[^〕]*〕\d+号|(?!{_YEAR}〕{_NO}号)\d{{4}}〕\d+号"
              rf"|(?<!\d)(?!{_NO}\s?号)\d{{1,3}}\s?号文"
              rf"|《(?!{_OWN_TITLE})[^》]{{2,40}}》"
              r"|(?:那个|那份)(?:财政部|国务院|国办|部里|省里|上级)的?(?:文件|通知|方案)|上级(?:的)?(?:文件|通知)"
              r"|(?:财政部|国务院|国办)(?:的)?(?:那个|那份|这个)(?:文件|通知))")
# what is asked of it: its content ("里……怎么分类认定", "规定了哪些", "第几条", "原文")
# (not past a turn to this notice: "《残疾人保障法》没找到答案，28号文对残联能不能当承接主体怎么说")
_NOT_OURS = r"(?:(?!28号文|28号|本通知|这个通知|该通知|这份通知|通知|本文件)[^。？?])"
_DOC_CONTENT = (rf"(?:原文)?(?:里|中|当中|上)(?:面|头)?{_NOT_OURS}{{0,24}}(?:怎么|如何|什么|哪些|哪几|多少|几[个项步条类]|具体)"
                rf"|{_NOT_OURS}{{0,24}}(?:怎么(?:规定|说|写)|规定了?(?:什么|哪些)|有(?:什么|哪些)(?:要求|规定|条件)|第[^。？?]{{1,4}}条"
                r"|原文|具体(?:内容|怎么)|内容|一共|几项|几个步骤|时间表|要求|(?:具备|满足)?(?:哪些|什么)条件)")
_NOT_HELD = {
    # "广东的负面清单有哪些", "外省怎么规定": the notice is Hunan's ("外省注册的公司" is a provider, not a rule)
    OTHER_PROVINCE: re.compile(rf"(?<!湖)(?:{_PROVINCES})(?:省|市|自治区|那边|的|是怎么|怎么|是不是|是否|允许|能不能|可不可以)|外省(?!注册|的?企业|的?公司|的?机构|的?社会组织|来的)|其他省份?|别的省|兄弟省"),
    # "长沙市本级有没有自己的实施细则", "我们县出台的管理办法里怎么写": a city's or county's own rules (the notice
    # binds them to the province's 目录 and names no local rules of theirs). "自己编目录" is a checker question.
    OTHER_LOCAL: re.compile(r"(?:自己|单独|专门|本地|本级|当地|市里|县里|区里)(?:出台|制定|印发|出)?的?[^。？?,，]{0,12}"
                            r"(?:实施细则|细则|实施办法|管理办法|暂行办法)|实施细则|(?:细则|实施办法|管理办法)(?:里|中)(?:面)?"
                            r"[^。？?]{0,12}(?:怎么|如何|什么|哪些)"
                            # "就业补助资金的管理办法是否允许列支租金", "奖补资金的管理办法是怎么规定的": a fund's own rules
                            r"|(?:资金|经费|补助|补贴|奖补)[^。？?,，]{0,4}的?(?:管理办法|使用办法|实施办法)(?:里|中|上)?(?:面)?"
                            r"[^。？?]{0,12}(?:怎么|如何|什么|哪些|是否|能否|能不能|可不可以|允许)"),
    # "2028年以后按哪个文件办": the notice runs to 2027-11-15 and names no successor
    AFTER_EXPIRY: re.compile(r"(?:到期|失效|过期)(?:以?后|之后)[^。？?]{0,12}(?:按|依据|执行|用)[^。？?]{0,6}(?:哪个|什么|哪份|哪一?个)"
                             r"|20(?:2[89]|[3-9]\d)年[^。？?]{0,12}(?:按|依据|执行)[^。？?]{0,6}(?:哪个|什么|哪份)(?:文件|规定|政策|办法)"
                             r"|(?:过了|超过|超出|过)有效期[^。？?]{0,12}(?:按|依据|执行)[^。？?]{0,6}(?:哪个|什么|哪份)"
                             # "2028年1月新签的合同", "拟于2028年3月签订": a purchase made after the notice ends
                             r"|20(?:2[89]|[3-9]\d)年[^。？?,，]{0,8}(?:新签|签订|签署|签|启动|开展|实施|招标|采购)"
                             # "2027年11月以后还能作为依据吗", "二零二八年以后 负面清单还管用啵": whether it still applies
                             r"|(?:2027年11月(?!(?:[1-9]|1[0-4])日)|二[零〇]二七年十一月|(?:20(?:2[89]|[3-9]\d)|二[零〇]二[八九])年?|到期|失效|过期)"
                             r"[^。？?]{0,6}(?:以后|之后|后|起)[^。？?]{0,24}(?:还|是否|能否|能不能|会不会)(?:是不是|能|可以)?"
                             r"(?:管用|有效|适用|作为依据|算数|是这些|一样|变)"
                             # "合同到2028、2029年那两年，负面清单还按28号文执行吗"
                             r"|20(?:2[89]|[3-9]\d)(?:\s?[、和至到-]\s?20(?:2[89]|[3-9]\d))?\s?年[^。？?]{0,16}(?:还|是否|能否|能不能)(?:按|依据|执行|适用)"),
    # "102号令对承接主体有什么要求", "《实施方案》里对事业单位怎么分类认定", "那个财政部文件里怎么规定": another
    # document's content (the notice only names 财综〔2022〕51号 and 湘财综〔2017〕39号)
    OTHER_DOCUMENT: re.compile(rf"{_OTHER_DOC}[）)]?(?:[（(][^）)]{{0,24}}[）)])?(?:{_DOC_CONTENT})"  # 《…》（文号）里
                               # "两份文件规定不一致时应优先适用哪一文件": which rule prevails is for no one document
                               r"|(?:不一致|相冲突|冲突|矛盾)[^。？?]{0,12}(?:优先适用|以哪(?:一)?(?:个|份)?(?:文件)?为准|适用哪|按哪)"),
    # "指导性目录里具体有哪些项目", "联系点名单", "最后选了哪些市州": lists the notice names but does not contain;
    # "国务院规定的其他不得购买的事项具体有哪些": the catch-all of 附件2二（八） points to other rules
    LIST_CONTENT: re.compile(r"(?:指导性目录|部门目录|采购目录|集中采购目录|目录)(?:里|中|内|上)?(?:面)?(?:具体|都|到底|一共)?"
                             r"(?:有哪些|包括哪些|包含哪些|都有什么|列了哪些|有什么)(?!条件|要求|前提|规定)"
                             r"|联系点[^。？?,，]{0,4}(?:名单|有哪些|是哪些|都有谁|都是谁|哪些)(?!工作|任务|职责|事|内容|要求|方面)|(?:完整|全部|具体)(?:的)?(?:目录|名单|明细)"
                             # "目录里有没有“档案数字化”这一条", "是否已列入省民政厅部门目录": what a 目录 holds
                             r"|目录[^。？?,，]{0,6}(?:一共|总共|共有|共)(?:有)?多少(?:项|条|个)"
                             r"|(?<!知道)(?<!清楚)(?<!确定)目录(?:里|中|内|上)(?:面)?(?:有没有|有无|是否有|包不包括|是否包括|包不包含|是否包含)"
                             r"(?![^。？?,，]{0,12}(?:不确定|不清楚|不知道|没核对|没查|待核实|还没|也没|查过|核对过|确认过|已经查))"
                             r"|(?:是否|有没有|是不是)(?:已经?|已)(?:被)?(?:列入|纳入|列进|收入)[^。？?]{0,20}目录"
                             # names chosen: "有名单吗", "最后选了哪些市州", "最终定了哪几个县", "哪些县入选了"
                             r"|(?:有|公布|发布|公示|出)(?:没有)?(?:了)?(?:这个|具体|正式)?名单"
                             r"|名单(?:是什么|是哪些|有哪些|有吗|有没有|在哪|公布|呢|吗|能(?:不能)?(?:发|给|提供))"
                             # "名单什么时候公布", "一共设了几个联系点"
                             r"|名单[^。？?,，]{0,4}(?:什么时候|何时|哪天|几时)(?:公布|发布|出来|下来)"
                             r"|(?:设|选|定|评)了?几个联系点|联系点(?:一共|总共|共)?(?:有|设了?)?几个"
                             r"|(?:选|评|选定|评定)(?:了|上了?|中了?|出了?|的是)(?:哪些|哪几个|哪几家|哪个)"
                             r"|(?:最后|最终|已经|实际)(?:都)?(?:选|评|选定|评定|定|确定|批)(?:了|上了?|中了?|出了?|的是)?"
                             r"(?:哪些|哪几个|哪几家|哪个)(?:市|州|县|区|地方|地区|城市|单位)"
                             r"|哪(?:些|几个)[^。？?,，]{0,10}(?:入选|被选上|被选中|评上)"
                             # the catch-all asked as a list ("具体都包括哪些事项"); "具体指的是什么" asks what the clause says
                             r"|(?:(?:国务院|法律|行政法规|有关部门|上级)[^。？?]{0,6}规定的其他|其他不得作为|(?:（八）|\(八\)|第八)[^。？?]{0,16}其他)"
                             r"[^。？?]{0,30}"
                             r"(?:(?:有|包括|包含|涵盖)(?:哪些|什么|啥)|都(?:有|是|包括)?(?:哪些|什么|啥))"),
    # "绩效评价得分怎么计算", "违约金怎么算", "按什么公式"
    FORMULA: re.compile(r"公式|(?:怎么|如何|咋)(?:计算|核定|核算)|计算方法|(?:怎么|咋个?)算(?=[?？。，,]|$)|权重|占多少比重"
                        r"|比重(?:是|占|多少|怎么)|分类(?:标准|办法|依据)(?:是什么|有哪些|是啥)?|最低(?:工资)?标准|(?:工资|薪酬|收费|费用)(?:最低)?(?:要)?按(?:什么|啥)标准"),
    # "同等条件怎么量化打分", "满意度占几分", "分值怎么定": scoring of bids or evaluations (a verdict on a scoring
    # rule, "给本地企业加10分可以吗", is a checker question, not this)
    SCORING: re.compile(r"(?:怎么|如何|咋|怎样)(?:量化|打分|评分|赋分|计分|给分)|量化(?:打分|评分|标准|指标)|(?:打|占|得|扣|加|给|拿|计)(?:多少|几)分"
                        r"|多少分|分值|评分(?:标准|细则|办法|规则)(?:是什么|有哪些|怎么定|怎么设|具体)"),
    # "申报要准备哪些材料", "合同范本哪里下载", "注册流程怎么走": forms, steps and templates of other offices
    PROCEDURE: re.compile(r"(?:准备|提交|提供|需要|要)(?:哪些|什么|啥)(?:申报|申请|注册|登记)?材料|(?:申报|申请|注册|登记|入库)材料"
                          r"|流程怎么走|(?:注册|登记|申报|报名)(?:的)?(?:流程|手续)(?:是什么|有哪些|怎么)|范本|模板|(?:哪里|哪儿|在哪)(?:能)?下载"
                          r"|(?:经济分类|会计|预算)科目|找哪个(?:处室|科室|部门|人)|(?:谁|哪个处室|哪个科室)签字"
                          # "有没有固定格式、要填哪些表", "具体怎么操作、要走几个步骤"
                          r"|固定格式|格式要求|(?:要|需要)?填(?:哪些|什么)表|(?:具体)?怎么操作|(?:几个|哪些|什么)(?:操作)?步骤|操作(?:流程|步骤)"
                          # the procurement method ("公开招标还是竞争性磋商", "能否采用单一来源"): procurement law, not this notice
                          r"|(?:公开招标|邀请招标|竞争性磋商|竞争性谈判|单一来源|询价)[^。？?]{0,8}(?:还是|或者|哪种|能否|能不能|可不可以|可以吗)"
                          r"|(?:能否|能不能|可不可以|可否)(?:采用|用|走)[^。？?]{0,4}(?:公开招标|竞争性磋商|竞争性谈判|单一来源|询价)"
                          r"|采购方式[^。？?]{0,6}(?:有没有|是否有|有无)?(?:具体)?规定"
                          # "预算调整要走什么审批程序、找谁批", "举报打哪个电话"
                          r"|(?:走|履行|经过)(?:什么|哪些|啥)(?:审批)?(?:程序|手续)|由哪一?级(?:的)?(?:机关|部门|政府)?(?:批准|审批)|找谁批|(?:打|拨)哪个电话|(?:举报|投诉)电话"
                          # the schedule of an event the notice announces ("线上培训什么时候开、怎么报名", "征文奖项怎么设")
                          r"|(?:培训|征文|调研|座谈|评选)[^。？?]{0,10}(?:什么时候|何时|哪天|几月)(?:开|举办|开展|截稿|来|公布)"
                          r"|(?:什么时候|何时|哪天|几月)[^。？?]{0,6}(?:来|开展|举办)[^。？?]{0,12}(?:培训|征文|调研|座谈)"
                          r"|(?:怎么|如何|在哪)报名|奖项(?:怎么|如何)设|什么时候截稿"
                          # "报送什么表格、用什么表格格式", "通过哪个系统提交", "由哪一级领导签发、文号格式": forms,
                          # systems and signatures the notice does not specify
                          r"|(?:什么|哪种|哪些|啥)(?:样的)?表格|表格(?:的)?格式|(?:通过|用|在|走)哪个(?:系统|平台)(?:提交|报送|填报|上报)"
                          r"|奖项(?:设置|安排)|(?:哪一?级|谁|哪位)(?:的)?(?:领导|负责人)?签发|文号(?:的)?格式"),
    # "三家机构选哪家好", "推荐一家事务所": the choice of a provider is the buyer's, by procurement, not the notice's
    VENDOR: re.compile(r"(?:选|挑|定|用|找|请|交给|委托|推荐)(?:择)?哪(?:一|几)?家|哪(?:一|几)?家(?:机构|公司|供应商|单位|事务所|社会组织)?"
                       r"(?:来做|来干|做|干|承接)?(?:比较|更|最)?(?:好|合适|靠谱|便宜|划算|专业)|(?:选|挑|定|用|找|请|委托|推荐)(?:择)?哪(?:一)?个"
                       r"(?:机构|公司|供应商|承接方|社会组织|事务所)|推荐(?:一下|几|一)?家"),
    # "我是公务员，能不能兼职承接", "个人（自然人）能不能接", "经办人会受什么处分": a person's own status or
    # punishment, not a purchase by a unit (the notice's consequences are for units: 责令整改, 考核扣分)
    PERSONAL: re.compile(r"(?:我|本人)(?:本人|个人|自己)?(?:是|作为)(?:一名|一个|一位)?(?:退休|公务员|在编|事业编|个体|个人)"
                         r"|(?:我|本人)(?:个人|自己)(?:能不能|可以|能否|能)|(?<![单机组法])(?:个人|自然人)(?:[（(][^）)]{0,8}[）)])?"
                         r"(?:能不能|可以|能否|能|名义|身份)(?!.{0,4}(?:所得税|信息))|公务员(?:能不能|可以|能否|能)?兼职"
                         r"|(?:受到?|给予?|被|会有|面临|承担|担)(?:什么|哪些|啥|怎样的|何种)?(?:样的)?(?:处分|追责|问责|党纪|政纪|政务处分|刑事责任|纪律处分)"
                         r"|(?:处分|追责|问责)(?:吗|呢|么)|(?:会不会|是否会?|要不要|能不能)(?:被)?(?:处分|追责|问责)|追究[^。？?]{0,6}(?:个人)?责任"
                         r"|(?:我|本人)(?:本人|个人)(?:算不算|属不属于|是不是|算是|属于)"
                         # "我这个身份算不算事业编，以后能不能转正": a person's status
                         r"|(?:我|本人)(?:这个|这种|的)?(?:身份|编制)(?:算不算|属不属于|是不是|算是|属于|能不能)"
                         r"|(?:能不能|可不可以|能否|可以|怎么|如何)(?:转正|转编|入编|进编)"
                         r"|(?:我|本人)(?:本人)?的?(?:劳动关系|社保|工资待遇|劳动合同)(?:归谁|由谁|在哪|算)"
                         r"|(?:职工|员工|干部|工作人员|我)[^。？?]{0,24}兼职"
                         # "我爱人开了一家家政公司，想承接我们局的项目": a relative's firm (conflicts of interest)
                         r"|(?:我|本人)(?:的)?(?:爱人|老婆|丈夫|妻子|家属|亲戚|弟弟|哥哥|姐姐|妹妹|儿子|女儿|父亲|母亲|配偶)[^。？?]{0,20}(?:开|办|注册|经营|成立)"
                         r"|我本人(?:在|是|也|不|没)"
                         # "像我这种身份到底算不算公益性岗位人员"
                         r"|(?:我|本人)(?:这种|这样的)(?:身份|情况|人)[^。？?]{0,6}(?:算不算|属不属于|是不是|算是)"),
    # "我馆到底属于公益一类还是公益二类": a unit's class is set by the 机构编制 authorities, not by the notice
    OWN_CLASS: re.compile(r"(?:我|本|咱)(?:们)?(?:馆|单位|院|校|中心|站|所|局)?(?:到底|究竟)(?:属于|是|算)(?:公益一类还是公益二类|公益二类还是公益一类|哪一?类|哪种)"
                          # "县中医院本身到底是公益一类还是公益二类""县团委机关用的到底是行政编制还是事业编制"
                          # — the question itself, not a class the asker cannot name before asking whether they may buy
                          r"|(?:(?:到底|究竟|本身)(?:是|属于|算|用的是)(?:一类还是二类|二类还是一类|行政编制?还是事业编制?|事业编制?还是行政编制?)"
                          r"|(?:到底|究竟|本身)?(?:是|属于|算|用的是)(?:公益一类还是公益二类|公益二类还是公益一类))"
                          r"(?:呢|啊)?(?:[,，]?你?能(?:不能)?(?:直接)?告诉(?:我|我们)吗?)?[?？]?\s*$"
                          # "某区残联是不是属于纳入事业编制管理…的群团组织？": a body's staffing, asked and nothing more
                          r"|(?:是不是|是否|属不属于|算不算)(?:都)?(?:属于)?(?:使用行政编制|纳入事业编制|使用事业编制|行政编制|事业编制)"
                          r"[^。？?,，;；]{0,30}[?？]?$"),
    # "入选联系点有没有奖补资金": the notice names no award money
    FUNDING: re.compile(r"(?:有没有|是否有|有无|能不能拿到?|能否获得)(?:奖补|奖励|补助|激励|配套)(?:资金|经费|政策)?"),
    # "县城投集团用自有资金采购物业服务，这属不属于本通知规范的政府购买服务？", "用工会经费/党费/捐赠款买服务受不受本通知
    # 约束？": whether purchases with money that is not fiscal fall under it, the notice does not say
    OWN_MONEY: re.compile(r"(?:自有资金|自有收入|工会经费|党费|社会捐赠|捐赠(?:资金|款|的钱)|非财政性?资金|经营(?:服务)?性?收入|自筹资金"
                          r"|会费收入)[^。？?]{0,40}?(?:属不属于|算不算|是否属于|是否算|是不是|受不受|要不要|是否要|是否也要|是否受"
                          r"|需不需要|是否需要|也要|要)(?:遵守|遵循|按照?|执行|受|适用)?[^。？?]{0,16}"
                          r"(?:政府购买服务|本通知|这份通知|这个通知|该通知|通知|28号文)"),
    # "成文日期是哪一天": the text states when it takes effect, no date of issue
    ISSUE_DATE: re.compile(r"成文日期|印发日期|发文日期|落款日期|签发日期"),
}
_NOT_HELD_ZH = {
    OTHER_PROVINCE: "其他省（区、市）的规定",
    OTHER_LOCAL: "市州、县市区自行制定的实施细则或办法",
    AFTER_EXPIRY: "本通知到期（2027年11月15日）以后的规定或替代文件",
    OTHER_DOCUMENT: "其他文件的具体内容",
    LIST_CONTENT: "目录或名单的具体内容（本通知只规定了目录的编制和执行、联系点的择选，没有列出目录或名单本身）",
    FORMULA: "计算方法、公式或具体标准",
    SCORING: "评分办法、分值或量化打分标准",
    PROCEDURE: "办事流程、申报材料或合同范本",
    VENDOR: "具体选择哪家承接主体（应由购买主体依法通过采购程序确定）",
    PERSONAL: "个人身份、个人责任或处分的规定（本通知规范的是购买主体和承接主体）",
    OWN_CLASS: "某一事业单位具体属于哪一类（由机构编制部门分类认定，本通知不作认定）",
    FUNDING: "奖补或奖励资金的安排",
    OWN_MONEY: "用非财政资金（自有资金、工会经费、党费、捐赠等）的购买是否适用本通知",
    ISSUE_DATE: "成文（印发）日期（通知文本只载明施行日期2022年11月16日和有效期5年）",
}


def not_held(question: str) -> str | None:
    """The kind of content the question asks for that the notice does not hold, or None. Read in the
    question sentences: what the case describes first is not what is asked."""
    asked_text = " ".join(question_sentences(question))
    return next((k for k, rx in _NOT_HELD.items() if (m := rx.search(asked_text)) and not _unsure(asked_text, m)), None)


_UNSURE = re.compile(r"不知道|不清楚|不确定|没核对|没查|待核实")


def _unsure(text: str, m: re.Match) -> bool:
    """"不知道目录里有没有这一项，能买吗": the asker's doubt is part of the case, not the question."""
    start = max(text.rfind(c, 0, m.start()) for c in "，,。；;？?") + 1
    return bool(_UNSURE.search(text, start, m.start()))


# a question that asks for a verdict ("能不能", "可以吗", "合规吗"): a prohibition then stands even when part of
# what is asked is not in the notice; a question that only asks for content ("具体扣几分") gets not_covered
_VERDICT_ASKED = re.compile(r"能不能|能否|可否|可以|可不可以|行不行|行吗|允许|合规|违规|违反|禁止|算不算|属不属于|是否属于"
                            r"|有没有问题|没问题|会不会|要不要|对吗|对吧|对不对|是否符合|符不符合|能[^,，。?？]{0,8}吗"
                            r"|(?:是不是|算不算|属不属于)例外|搞得啵|得行|要得不")
# kinds no verdict on the purchase can answer: a person's status, a unit's class, a purchase after the notice ends
_ALWAYS = frozenset({PERSONAL, OWN_CLASS, AFTER_EXPIRY, OWN_MONEY})


# content a prohibited case may go on to ask about ("修建文化站具体流程怎么走"): the prohibition answers it
_CONTENT_ONLY = frozenset({SCORING, FUNDING, LIST_CONTENT, FORMULA, ISSUE_DATE, OTHER_PROVINCE})


# "广东那边允不允许…": the verdict asked is on another province's rules, unless the question sentences bring it
# home ("广东能买，我们湖南能不能买", "我市打算照搬江西的做法……江西是允许的吧"). "我们贵州" is no home: 贵州 is named;
# nor is "和我们不太一样", a comparison
_HOME = re.compile(r"湖南|我省|本省|咱省|(?<![和跟与比同])我们(?!{p})|我局|我市|我县|我区|咱们|本地|本单位|照搬|参照|借鉴|也这样|也这么"
                   .format(p=_PROVINCES))


def overrides_verdict(question: str, kind: str) -> bool:
    """Does not_covered of `kind` replace a prohibition the checker found in `question`?"""
    span = question_span(question)
    if kind == OTHER_PROVINCE and not _HOME.search(" ".join(question_sentences(question))):
        return True
    return kind in _ALWAYS or kind in _CONTENT_ONLY and not _VERDICT_ASKED.search(span)


# "对擅自扩大适用范围的，通知规定了哪些处理后果？", "预算批复后想调整，文件原则上是怎么说的？": what a rule says is
# asked, not whether the asker's case may go ahead — the rule's clause answers it as information
_WHAT_IT_SAYS = re.compile(r"(?:怎么|如何|咋)(?:说|规定|讲|要求)|规定了?(?:哪些|什么)|有(?:什么|哪些)(?:要求|规定|后果|处理|措施)"
                           r"|(?:哪些|什么)(?:处理|后果|措施|要求)|原则上")


def asks_what_it_says(question: str) -> bool:
    """Does the question ask what the notice says about something, and no verdict on a case?"""
    span = question_span(question)
    return bool(_WHAT_IT_SAYS.search(span)) and not _VERDICT_ASKED.search(span)


def describe_not_held(kind: str) -> str:
    return _NOT_HELD_ZH[kind]


# Questions about the notice itself, answered from its metadata and its 标题/主送/落款/施行 clauses.
DOC_NUMBER, ISSUER, ADDRESSEE, DATES = "doc_number", "issuer", "addressee", "dates"
_META = {
    DOC_NUMBER: re.compile(r"文号(?!(?:的)?格式)|发文字号|几号文|字号是|编号是"),  # "文号格式有什么要求": a format, not this 文号
    ISSUER: re.compile(r"(?:哪个|哪家|什么|哪一?级)(?:单位|部门|机关|机构)(?:发|印发|下发|出台|制定|颁布)|谁(?:发|印发|下发|出台|制定)的"
                       r"|发文(?:机关|单位|部门)|落款|印发(?:单位|机关)"),
    ADDRESSEE: re.compile(r"主送|发(?:给|送)(?:了)?(?:谁|哪些|哪几)|下发(?:给|到)(?:哪些|谁|哪几)|发文对象"),
    DATES: re.compile(r"(?:什么时候|何时|哪天|哪一天|几号|哪年)(?:开始)?(?:起?施行|生效|实施|执行|到期|失效|截止有效)"
                      r"|(?:施行|生效|实施|到期|失效)(?:日期|时间|是哪天|是什么时候)|有效期(?:多久|多长|到|是|几年|至)"
                      r"|(?:还|仍然?)(?:有效|管用|适用)|到\d{4}年[^。？?]{0,6}(?:有效|管用|失效)"),
}
META_CLAUSES = {DOC_NUMBER: ("正文/标题",), ISSUER: ("正文/标题", "正文/落款"), ADDRESSEE: ("正文/主送",),
                DATES: ("正文/施行",)}


_ABOUT_ANOTHER = re.compile(r"落实|(?<!文件)依据|根据|哪个文件|哪份文件|财政部|上位|配套")  # "报销要写文件依据" is not another document


def metadata_asked(question: str) -> tuple[str, ...]:
    """Which facts about the notice itself the question asks for (文号, 发文机关, 主送, 施行/到期). A 文号 or
    issuer asked about another document ("落实财政部哪个文件，文号多少") is not this notice's."""
    other = bool(_ABOUT_ANOTHER.search(question))
    return tuple(k for k, rx in _META.items() if rx.search(question) and not (other and k in (DOC_NUMBER, ISSUER)))
