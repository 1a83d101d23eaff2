"""The rules as data (schema, clause IDs, verbatim quotes) and the pure checker's semantics."""

import builtins
import io
import os
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.document import load_corpus
from assistant.errors import ConfigError
from assistant.facts import FLAGS, Area, Asker, CatalogAction, Content, Entity, Facts
from assistant.rules import check, load_rules, parse_rules
from assistant.settings import Settings

RULES = load_rules()
BY_ID = {r.id: r for r in RULES}
CORPUS = load_corpus(Settings().corpus_dir)
RAW = tomllib.loads((Settings().corpus_dir / "rules.toml").read_text("utf-8"))
NEGATIVE_LIST = [f"附件2/{s}/（{i}）" for s, n in (("一", 3), ("二", 8), ("三", 4))
                 for i in "一二三四五六七八"[:n]]
BODY = ["正文/一/（三）", "正文/二/（一）", "正文/二/（二）", "正文/三/（一）", "正文/三/（二）", "正文/三/（三）", "正文/四/（一）"]
SERVICE = frozenset({Content.SERVICE})


# ---- the data ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_clause_exists_and_quote_is_verbatim(rule):
    assert rule.clause_id in CORPUS
    assert rule.quote and rule.quote in CORPUS.get(rule.clause_id).text


@pytest.mark.parametrize("clause_id", NEGATIVE_LIST + BODY)
def test_every_item_has_a_rule(clause_id):
    assert any(r.clause_id == clause_id for r in RULES)


def test_every_negative_list_item_has_a_prohibiting_rule():
    for cid in NEGATIVE_LIST:
        assert any(r.clause_id == cid and r.effect == "prohibited" for r in RULES), cid


def test_exceptions_name_rules_and_explain_themselves():
    exceptions = [r for r in RULES if r.excepts]
    assert {"exc-admin-institution", "exc-group-admin", "exc-resettlement", "exc-pi2-provider"} <= {r.id for r in exceptions}
    for r in exceptions:
        assert all(x in BY_ID and not BY_ID[x].excepts for x in r.excepts), r.id
        assert r.explanation.strip()


def _broken(**change):
    rule = dict(RAW["rule"][0]) | change
    return {"rule": [rule, *RAW["rule"][1:]]}


@pytest.mark.parametrize("change,words", [
    ({"quote": "公益一类事业单位不得购买"}, ["neg-1-1-purchaser", "quote"]),
    ({"clause_id": "附件2/九/（一）"}, ["neg-1-1-purchaser", "clause_id"]),
    ({"effect": "forbidden"}, ["neg-1-1-purchaser", "effect", "prohibited"]),
    ({"when": {"buyer": ["公益一类事业单位"]}}, ["neg-1-1-purchaser", "buyer", "purchaser"]),
    ({"when": {"purchaser": ["公益三类"]}}, ["neg-1-1-purchaser", "purchaser", "公益三类", "公益一类事业单位"]),
    ({"when": {"budget": ["maybe"]}}, ["neg-1-1-purchaser", "budget"]),
    ({"excepts": ["no-such-rule"]}, ["neg-1-1-purchaser", "excepts"]),
    ({"requires": [{"fact": "weather", "label": "x"}]}, ["neg-1-1-purchaser", "requires"]),
    ({"colour": "red"}, ["neg-1-1-purchaser", "colour"]),
    ({"explanation": ""}, ["neg-1-1-purchaser", "explanation"]),
])
def test_schema_errors_name_the_rule_and_field(change, words):
    with pytest.raises(ConfigError) as e:
        parse_rules(_broken(**change), corpus=CORPUS)
    for w in words:
        assert w in str(e.value)


def test_duplicate_ids_are_refused():
    with pytest.raises(ConfigError, match="重复"):
        parse_rules({"rule": [RAW["rule"][0], RAW["rule"][0]]}, corpus=CORPUS)


def test_load_rules_is_cached():
    assert load_rules() is load_rules()


def test_rules_toml_error_for_unreadable_file(tmp_path):
    bad = tmp_path / "rules.toml"
    bad.write_text("[[rule]\nid=", "utf-8")
    with pytest.raises(ConfigError, match="rules"):
        load_rules(bad)


# ---- facts ---------------------------------------------------------------------------------------------

def test_facts_validate_types():
    with pytest.raises(ValueError, match="purchaser"):
        Facts(purchaser="公益一类事业单位")
    with pytest.raises(ValueError, match="budget"):
        Facts(budget="yes")
    with pytest.raises(ValueError, match="admin"):
        Facts(purchaser=Entity.ADMIN_INSTITUTION, purchaser_admin_functions=False)
    assert Facts(purchaser=Entity.ADMIN_INSTITUTION).purchaser_admin_functions is True


def test_describe_shows_what_is_unknown():
    text = Facts(purchaser=Entity.PUBLIC_1, purchaser_admin_functions=False, content=SERVICE, service="物业服务").describe()
    assert text == "我理解：购买主体=公益一类事业单位（无行政职能）；购买内容=物业服务；预算=未说明；目录=未说明"


# ---- the checker ---------------------------------------------------------------------------------------

def ids(v):
    return [f.rule_id for f in v.fired]


def test_pure_service_with_budget_and_catalog_is_allowed():
    v = check(Facts(purchaser=Entity.ADMIN_ORGAN, content=SERVICE, budget=True, in_catalog=True), RULES)
    assert v.decision == "allowed" and not v.open_conditions


def test_pure_service_with_only_general_preconditions_open_is_allowed_and_lists_them():
    # Team policy (issue 13): 目录 and 预算 are preconditions of every purchase, listed as 前提, not conditional.
    v = check(Facts(purchaser=Entity.ADMIN_ORGAN, content=SERVICE), RULES)
    assert v.decision == "allowed" and v.open_conditions == ()
    assert set(v.preconditions) == {"已纳入本部门政府购买服务指导性目录", "财政已安排预算"}
    assert {"正文/三/（三）", "正文/三/（二）", "正文/二/（一）"} <= {f.clause_id for f in v.fired}


def test_one_open_general_precondition_is_listed_not_conditional():
    v = check(Facts(purchaser=Entity.ADMIN_ORGAN, content=SERVICE, budget=True), RULES)
    assert v.decision == "allowed" and v.preconditions == ("已纳入本部门政府购买服务指导性目录",)


def test_stated_missing_budget_or_catalogue_is_prohibited():
    for missing in ({"budget": False}, {"in_catalog": False}):
        v = check(Facts(purchaser=Entity.ADMIN_ORGAN, content=SERVICE, **missing), RULES)
        assert v.decision == "prohibited" and v.preconditions == ()


def test_case_specific_open_condition_stays_conditional_next_to_general_ones():
    v = check(Facts(purchaser=Entity.INSTITUTION, content=SERVICE), RULES)
    assert v.decision == "conditional" and v.open_conditions
    assert not set(v.open_conditions) & {"已纳入本部门政府购买服务指导性目录", "财政已安排预算"}


def test_most_severe_wins_and_negative_list_item_decides():
    v = check(Facts(purchaser=Entity.PUBLIC_1, content=SERVICE, budget=True, in_catalog=True), RULES)
    assert v.decision == "prohibited"
    assert ids(v)[:2] == ["neg-1-1-purchaser", "body-2-2-purchaser"]  # 附件2 item before the 正文 restatement
    assert all(f.effect == "prohibited" for f in v.fired) and not v.open_conditions


def test_the_more_specific_body_clause_decides_when_it_is_the_specific_one():
    v = check(Facts(content=SERVICE, in_catalog=True, budget=False), RULES)
    assert ids(v)[0] == "body-2-1-catalog-no-budget" and "neg-2-6" in ids(v)


def test_admin_functions_exception_beats_only_the_purchaser_rule():
    f = Facts(purchaser=Entity.PUBLIC_1, purchaser_admin_functions=True, provider=Entity.PUBLIC_1, content=SERVICE)
    v = check(f, RULES)
    assert v.decision == "prohibited" and ids(v) == ["neg-1-1-provider"]
    assert {e.rule_id for e in v.excepted} == {"exc-pi1-admin-purchaser", "exc-admin-institution"}


def test_admin_institution_purchaser_is_excepted():
    v = check(Facts(purchaser=Entity.ADMIN_INSTITUTION, content=SERVICE, budget=True, in_catalog=True), RULES)
    assert v.decision == "allowed"
    assert [(e.rule_id, e.beats) for e in v.excepted] == [("exc-admin-institution", ("body-2-2-purchaser",))]


def test_group_on_administrative_staffing_is_excepted_but_funded_group_is_not():
    assert check(Facts(purchaser=Entity.GROUP_ADMIN), RULES).decision == "allowed"
    assert check(Facts(purchaser=Entity.GROUP_FUNDED), RULES).decision == "prohibited"
    assert check(Facts(purchaser=Entity.GROUP), RULES).decision == "conditional"


def test_pi2_only_barred_as_purchaser():
    assert check(Facts(provider=Entity.PUBLIC_2), RULES).decision == "allowed"
    assert check(Facts(purchaser=Entity.PUBLIC_2), RULES).decision == "prohibited"
    assert check(Facts(purchaser=Entity.PUBLIC_2, provider=Entity.PUBLIC_2), RULES).decision == "prohibited"
    assert check(Facts(participant=Entity.PUBLIC_2), RULES).decision == "conditional"


def test_resettlement_exception_beats_the_grant_ban_only():
    grant = Facts(provider=Entity.ASSOCIATION, direct_grant=True)
    assert check(grant, RULES).decision == "prohibited"
    v = check(Facts(direct_grant=True, resettlement=True), RULES)
    assert v.decision == "allowed" and v.excepted[0].beats == ("neg-3-3", "body-1-3-grant")
    worse = Facts(direct_grant=True, resettlement=True, content=frozenset({Content.WORKS}))
    assert ids(check(worse, RULES)) == ["neg-2-3-works"]


def test_encouraged_providers_and_areas():
    assert check(Facts(provider=Entity.SOCIAL_ORG), RULES).decision == "allowed"
    assert check(Facts(area=Area.ELDERLY, content=SERVICE), RULES).decision == "allowed"
    proposal = Facts(purchaser=Entity.ADMIN_ORGAN, provider=Entity.SOCIAL_ORG, area=Area.ELDERLY, content=SERVICE)
    assert check(proposal, RULES).decision == "allowed"  # 目录 and 预算 open: listed as 前提 (issue 13)
    assert check(proposal, RULES).preconditions


def test_nothing_known_is_not_covered():
    assert check(Facts(), RULES).decision == "not_covered"
    assert check(Facts(provider=Entity.INDIVIDUAL), RULES).decision == "not_covered"


def test_catalog_actions():
    assert check(Facts(catalog_action=CatalogAction.PROVINCIAL_ADJUST), RULES).decision == "prohibited"
    assert ids(check(Facts(catalog_action=CatalogAction.LOCAL_COMPILE), RULES))[0] == "neg-3-4-local"
    assert check(Facts(catalog_action=CatalogAction.LOCAL_FOLLOW), RULES).decision == "allowed"
    assert check(Facts(catalog_action=CatalogAction.PROVINCIAL_COMPILE), RULES).decision == "conditional"
    assert check(Facts(catalog_action=CatalogAction.PROVINCIAL_COMPILE, catalog_consulted=True), RULES).decision == "allowed"


def test_provider_asking_is_not_a_purchase_proposal():
    f = Facts(provider=Entity.PUBLIC_2, purchaser=Entity.ADMIN_ORGAN, content=SERVICE, asker=Asker.PROVIDER)
    assert not f.purchase_proposed and check(f, RULES).decision == "allowed"


# ---- purity ----------------------------------------------------------------------------------------------

facts_strategy = st.builds(
    Facts,
    purchaser=st.sampled_from(list(Entity)), provider=st.sampled_from(list(Entity)),
    participant=st.sampled_from(list(Entity)), content=st.frozensets(st.sampled_from(list(Content))),
    area=st.sampled_from(list(Area)), catalog_action=st.sampled_from(list(CatalogAction)),
    **{k: st.sampled_from([True, False, None]) for k in FLAGS if not k.endswith("admin_functions")},
)


@settings(max_examples=300, deadline=None)
@given(facts_strategy)
def test_check_is_deterministic_and_consistent(facts):
    a, b = check(facts, RULES), check(facts, RULES)
    assert a == b
    assert (a.decision == "prohibited") == any(f.effect == "prohibited" for f in a.fired)
    if a.decision in ("prohibited", "allowed"):
        assert not a.open_conditions
    assert not {f.rule_id for f in a.fired} & {x for e in a.excepted for x in e.beats}


def test_check_does_no_io(monkeypatch):
    facts = Facts(purchaser=Entity.PUBLIC_1, content=SERVICE, budget=False)
    expected = check(facts, RULES)

    def boom(*a, **k):
        raise AssertionError("check() must not do I/O")

    for mod, name in ((builtins, "open"), (io, "open"), (os, "open"), (socket, "socket"), (subprocess, "Popen")):
        monkeypatch.setattr(mod, name, boom)
    assert check(facts, RULES) == expected


def test_checker_imports_are_light():
    code = ("import sys, assistant.rules, assistant.extract, assistant.checkcli, assistant.facts; "
            "print(sorted({'torch','chromadb','gradio','sentence_transformers'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
