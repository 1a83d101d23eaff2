"""Answer processes behind one HTTP process (assistant/pool.py, `app.py --api-only --workers N`): the same
answers and the same 4xx as the threads, one queue, and a dead answer process replaced."""

import os
import time

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_api
from assistant.errors import AssistantError, InvalidInputError, UnknownClauseError
from assistant.pool import AnswerPool, remote_error
from assistant.schema import AnswerModel
from tests.fakes import EchoAssistant


@pytest.fixture(scope="module")
def pool():
    p = AnswerPool(2, "tests.fakes:EchoAssistant").start()
    yield p
    p.close()


@pytest.fixture(scope="module")
def client(pool):
    # one TestClient context = one event loop for the whole module, as uvicorn has (the pool reads on that loop)
    with TestClient(create_api(EchoAssistant(), pool=pool), raise_server_exceptions=False) as c:
        yield c


def test_answers_and_errors_are_those_of_the_threads(client):
    threads = TestClient(create_api(EchoAssistant()), raise_server_exceptions=False)
    for body in ({"question": "什么时候起施行，有效期几年？"}, {"question": ""}, {"question": "hello?"}, {"q": 1}):
        got, want = client.post("/api/ask", json=body), threads.post("/api/ask", json=body)
        assert (got.status_code, got.json()) == (want.status_code, want.json())
    AnswerModel.model_validate(client.post("/api/ask", json={"question": "施行日期"}).json())
    batch = {"questions": [{"id": "x", "question": "施行日期"}, {"question": ""}]}
    assert client.post("/api/batch", json=batch).json() == threads.post("/api/batch", json=batch).json()
    check = {"purchaser": "行政机关", "provider": "公益一类事业单位", "service": "社区矫正服务", "budget": True}
    assert client.post("/api/check", json=check).json() == threads.post("/api/check", json=check).json()
    assert client.post("/api/check", json={"purchaser": "火星"}).status_code == 422


def test_a_bug_in_an_answer_process_is_a_500_without_a_traceback(client):
    r = client.post("/api/ask", json={"question": "爆炸了怎么办？"})  # EchoAssistant raises RuntimeError
    assert r.status_code == 500 and r.json()["error"]["en"] == "internal error"
    assert client.post("/api/ask", json={"question": "施行日期"}).status_code == 200  # the process lives on


def test_a_dead_answer_process_is_replaced(client, pool):
    process = pool.processes()[0]
    victim = process.pid
    os.kill(victim, 9)
    process.join(30)
    codes = [client.post("/api/ask", json={"question": "施行日期"}).status_code for _ in range(4)]
    assert codes == [200] * 4  # it died idle: nothing was lost, the other process answered
    deadline = time.monotonic() + 120
    while (len(pool.pids()) < 2 or victim in pool.pids()) and time.monotonic() < deadline:
        client.post("/api/ask", json={"question": "施行日期"})
        time.sleep(0.2)
    assert len(pool.pids()) == 2 and victim not in pool.pids()


def test_remote_errors_keep_their_class_and_both_languages():
    for e in (InvalidInputError("问题为空", en="the question is empty"), UnknownClauseError("没有条款 'x' / no clause 'x'"),
              AssistantError("出错了")):
        back = remote_error(type(e).__name__, str(e), e.parts)
        assert type(back) is type(e) and str(back) == str(e) and back.parts == e.parts
        assert back.http_status == e.http_status
    assert type(remote_error("NoSuchError", "x", ("x", "x"))) is AssistantError


def test_a_factory_that_fails_stops_the_start():
    with pytest.raises(AssistantError, match="failed to start"):
        AnswerPool(1, "tests.fakes:NoSuchFactory", load_timeout=60).start()
