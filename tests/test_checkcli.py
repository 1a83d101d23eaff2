"""The structured checker: `python -m assistant check …` and check_payload (POST /api/check)."""

import json

import pytest

from assistant.checkcli import check_payload, checklist_items
from assistant.cli import main
from assistant.errors import InvalidInputError
from assistant.extract import check_text


def run(capsys, *argv):
    code = main(["check", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_readable(capsys):
    code, out, _ = run(capsys, "--purchaser", "公益一类", "--service", "物业服务", "--budget")
    assert code == 0
    assert out.startswith("结论：禁止（prohibited）")
    assert "附件2/一/（一）" in out and "✗ 附件2/一/（一）" in out and "✓ 附件2/二/（六）" in out


def test_cli_json_with_english_keys(capsys):
    code, out, _ = run(capsys, "--purchaser", "admin_organ", "--provider", "social_org", "--service", "居家养老服务",
                       "--budget", "--in-catalog", "--json")
    r = json.loads(out)
    assert code == 0 and r["decision"] == "allowed" and not r["open_conditions"]


@pytest.mark.parametrize("argv,decision", [
    (["--purchaser", "承担行政职能的事业单位", "--service", "档案整理服务"], "allowed"),  # 目录/预算 open: listed as 前提 (issue 13)
    (["--purchaser", "公益一类", "--admin-functions", "--service", "档案整理服务", "--budget", "--in-catalog"], "allowed"),
    (["--provider", "公益二类"], "allowed"),
    (["--purchaser", "公益二类"], "prohibited"),
    (["--purchaser", "行政机关", "--service", "保洁服务", "--no-budget"], "prohibited"),
    (["--purchaser", "行政机关", "--service", "保洁服务", "--not-in-catalog"], "prohibited"),
    (["--purchaser", "行政机关", "--service", "保洁服务", "--staff-sufficient"], "prohibited"),
    (["--purchaser", "行政机关", "--service", "修路"], "prohibited"),
    (["--provider", "行业协会商会", "--direct-grant"], "prohibited"),
    (["--provider", "行业协会商会", "--direct-grant", "--resettlement"], "allowed"),
    (["--catalog-action", "省级部门自行调整修改部门目录"], "prohibited"),
])
def test_cli_decisions(capsys, argv, decision):
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 0 and json.loads(out)["decision"] == decision


@pytest.mark.parametrize("argv,valid", [
    (["--purchaser", "公益三类"], "公益一类事业单位"),
    (["--content", "软件"], "工程和服务打包"),
    (["--area", "火星"], "基本养老服务"),
])
def test_cli_invalid_values_list_the_valid_ones(capsys, argv, valid):
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out and valid in err and "Traceback" not in err


def test_payload_shape_and_checklist():
    r = check_payload({"purchaser": "公益一类事业单位", "provider": "企业", "service": "物业服务", "budget": False})
    assert set(r) == {"decision", "fired", "excepted", "open_conditions", "preconditions", "understood", "checklist"}
    assert r["decision"] == "prohibited"
    assert set(r["fired"][0]) == {"rule_id", "clause_id", "effect", "matched", "explanation", "quote"}
    items = checklist_items()  # derived from rules.toml: every 附件2 item a prohibiting rule rests on
    assert [c["clause_id"] for c in r["checklist"]] == [cid for cid, _ in items] and len(items) == 15
    status = {c["clause_id"]: c["status"] for c in r["checklist"]}
    assert status["附件2/一/（一）"] == status["附件2/二/（六）"] == "triggered"
    assert status["附件2/二/（三）"] == "clear" and status["附件2/二/（七）"] == "unknown"
    assert json.loads(json.dumps(r, ensure_ascii=False)) == r


def test_payload_from_the_web_form():
    form = {"purchaser": "具有行政管理职能的事业单位", "provider": "社会组织", "service": "社区矫正服务",
            "budget": True, "in_catalog": True, "construction": False, "staffing": False, "financing": None,
            "sufficient_staff": False}
    r = check_payload(form)
    assert r["decision"] == "allowed"
    status = {c["clause_id"]: c["status"] for c in r["checklist"]}
    assert status["附件2/二/（三）"] == "clear" and status["附件2/二/（四）"] == "unknown"
    assert check_payload(form | {"staffing": True})["decision"] == "prohibited"


def test_payload_exception_marks_item_clear_not_triggered():
    r = check_payload({"provider": "行业协会商会", "direct_grant": True, "resettlement": True})
    assert r["decision"] == "allowed" and r["excepted"][0]["rule_id"] == "exc-resettlement"
    assert {c["clause_id"]: c["status"] for c in r["checklist"]}["附件2/三/（三）"] == "clear"


@pytest.mark.parametrize("payload,words", [
    ({"buyer": "行政机关"}, ["buyer", "purchaser"]),
    ({"purchaser": "公益三类"}, ["公益三类", "公益一类事业单位", "public_1"]),
    ({"budget": "maybe"}, ["budget", "true"]),
    ({"content": ["软件"]}, ["软件", "货物"]),
    ({"service": 5}, ["service"]),
    ({"purchaser": "承担行政职能的事业单位", "admin_functions": False}, ["purchaser"]),
])
def test_payload_errors_list_valid_values(payload, words):
    with pytest.raises(InvalidInputError) as e:
        check_payload(payload)
    assert all(w in str(e.value) for w in words)


def test_payload_and_free_text_agree():
    r = check_payload({"purchaser": "公益二类事业单位", "service": "保洁服务"})
    assert r["decision"] == check_text("公益二类事业单位想购买保洁服务，可以吗？").decision == "prohibited"


@pytest.mark.parametrize("argv", [["check", "--service", "物业\udcff服务"], ["check", "--purchaser", "\udcff"]])
def test_undecodable_arguments_are_exit_2_with_a_message(argv, capsys):
    """A terminal in another encoding hands Python lone surrogates (surrogateescape): a message, not a traceback."""
    from assistant.cli import main

    assert main(argv) == 2
    assert "surrogate" in capsys.readouterr().err
