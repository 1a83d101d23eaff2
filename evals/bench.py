"""`python -m evals.bench [--quick]` — latency, index and REST benchmarks on this machine.

Measures, in this order (each builds on the previous):
1. index build: `python -m assistant index --rebuild` into a fresh temporary index dir (ASSISTANT_INDEX_DIR),
   then the no-op re-run `python -m assistant index` on the same dir;
2. cold answer: `python -m assistant ask "…"` as a fresh subprocess (imports + model + index load + answer),
   3 runs, with the index from step 1;
3. warm answer: Assistant.load once in this process, then every gold question (p50/p95/mean);
4. REST: `python app.py --api-only --port FREE_PORT [--workers N]` on 127.0.0.1 (or uvicorn on assistant.api.create_api if
   app.py lacks --api-only), 16 concurrent keep-alive clients posting /api/ask (the gold questions in order) until
   N requests or T seconds, whichever comes first; throughput, p50/p95, non-200 count; CPU ms per request of the
   server (by process) and of the load generator; the server's peak RSS (psutil, sampled every 50 ms, children
   included). The load generator (--client) shares the cores with the server: `http` (stdlib http.client
   threads, default), `httpx` (httpx threads, the earlier client, ~2-4 ms of CPU a request) or `wrk` (C, one
   thread, ~0.2 ms). The server is stopped afterwards and the temporary index removed.

Loopback only; nothing here is a unit test (timings are not asserted anywhere)."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Sequence

from .cases import DEFAULT_GOLD, load_gold
from .metrics import percentile
from .report import _grid

ROOT = Path(__file__).resolve().parent.parent
COLD_QUESTION = "公益一类事业单位能承接政府购买服务吗？"
LAUNCHER = """
import sys, uvicorn
from assistant.api import create_api
from assistant.chain import Assistant
uvicorn.run(create_api(Assistant.load()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _timed_run(cmd: list[str], env: dict, timeout: float) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - t, r


def _check(r: subprocess.CompletedProcess, what: str) -> None:
    if r.returncode != 0:
        tail = "\n".join((r.stderr or r.stdout).strip().splitlines()[-8:])
        raise RuntimeError(f"{what} failed (exit {r.returncode}):\n{tail}")


def bench_index(env: dict) -> dict:
    _err("index: building into a temporary dir …")
    build_s, r = _timed_run([sys.executable, "-m", "assistant", "index", "--rebuild"], env, 1800)
    _check(r, "python -m assistant index --rebuild")
    noop_s, r = _timed_run([sys.executable, "-m", "assistant", "index"], env, 600)
    _check(r, "python -m assistant index")
    return {"index_build_s": build_s, "index_noop_s": noop_s}


def bench_cold(env: dict, runs: int) -> dict:
    times = []
    for i in range(runs):
        _err(f"cold ask: run {i + 1}/{runs} …")
        s, r = _timed_run([sys.executable, "-m", "assistant", "ask", COLD_QUESTION], env, 600)
        _check(r, "python -m assistant ask")
        times.append(s)
    return {"cold_runs": runs, "cold_s": times, "cold_min_s": min(times), "cold_median_s": percentile(times, 50),
            "cold_max_s": max(times)}


def bench_warm(questions: Sequence[str], index_dir: str) -> dict:
    from tqdm import tqdm

    from assistant.chain import Assistant
    from assistant.settings import Settings

    t = time.perf_counter()
    assistant = Assistant.load(Settings.load(index_dir=index_dir))
    load_s = time.perf_counter() - t
    first = time.perf_counter()
    _safe_ask(assistant, questions[0])  # the first answer pays lazy initialisation; reported, not counted
    first_ms = (time.perf_counter() - first) * 1000
    lat, errors = [], []
    for q in tqdm(questions, desc="warm", unit="q", file=sys.stderr):
        t = time.perf_counter()
        if err := _safe_ask(assistant, q):
            errors.append(f"{q[:30]}: {err}")
        lat.append((time.perf_counter() - t) * 1000)
    for e in errors:
        _err(f"warm: ask raised for {e}")
    return {"warm_load_s": load_s, "warm_first_ms": first_ms, "warm_n": len(lat), "warm_errors": len(errors),
            "warm_p50_ms": percentile(lat, 50), "warm_p95_ms": percentile(lat, 95),
            "warm_mean_ms": sum(lat) / len(lat)}


def _safe_ask(assistant, question: str) -> str:
    """'' or the error ask() raised (a crash on one question is counted, not fatal)."""
    try:
        assistant.ask(question)
    except Exception as e:  # noqa: BLE001
        return f"{type(e).__name__}: {e}"
    return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(port: int, workers: int = 1) -> list[str]:
    app = ROOT / "app.py"
    if app.exists() and "--api-only" in app.read_text("utf-8"):
        more = ["--workers", str(workers)] if workers > 1 else []
        return [sys.executable, str(app), "--api-only", "--host", "127.0.0.1", "--port", str(port), *more]
    return [sys.executable, "-c", LAUNCHER, str(port)]


class RssSampler(threading.Thread):
    """Peak resident set size of a process and its children, sampled every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc, self.every, self.peak, self.last = psutil.Process(pid), every, 0, 0
        self._stop_event = threading.Event()

    def sample(self) -> int:
        import psutil

        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in procs)
        except psutil.Error:
            return self.last
        self.last, self.peak = rss, max(self.peak, rss)
        return rss

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)

    def cpu(self) -> dict[int, float]:
        """CPU seconds (user + system) so far of the process and each of its children, by pid."""
        import psutil

        out = {}
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                t = p.cpu_times()
            except psutil.Error:
                continue
            out[p.pid] = t.user + t.system
        return out


def _wait_healthy(base: str, server: subprocess.Popen, log: Path, timeout: float) -> float:
    import httpx

    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        if server.poll() is not None:
            tail = "\n".join(log.read_text("utf-8", "replace").strip().splitlines()[-10:])
            raise RuntimeError(f"the server exited with {server.returncode} before it was ready:\n{tail}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2, trust_env=False).status_code == 200:
                return time.perf_counter() - t
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the server was not ready after {timeout:.0f} s (log: {log})")


CLIENTS = ("http", "httpx", "wrk")
WRK_SCRIPT = r"""
-- POST /api/ask with the bench's questions (one JSON body a line in BODIES), in order across the threads;
-- each thread stops after its share of the request cap. done() prints one JSON line the bench reads.
local bodies, threads, counter = {}, {}, 1
function setup(thread)
  thread:set("id", counter); thread:set("nthreads", NTHREADS); counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(BODIES) do bodies[#bodies + 1] = line end
  share, sent, got, bad = math.ceil(MAXREQ / nthreads), 0, 0, 0
  headers = {["Content-Type"] = "application/json"}
end
function request()
  local i = ((sent * nthreads + id - 1) % #bodies) + 1
  sent = sent + 1
  return wrk.format("POST", "/api/ask", headers, bodies[i])
end
function response(status, hdrs, body)
  got = got + 1
  if status ~= 200 then bad = bad + 1 end
  if got == share then  -- wrk runs for -d whatever its threads do: the bench sees this file and stops it (SIGINT)
    local f = io.open(DONE, "w"); f:close(); wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local non200 = 0
  for _, t in ipairs(threads) do non200 = non200 + t:get("bad") end
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "non200": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "max_us": %d}\n', summary.requests, summary.duration,
    non200, e.connect, e.read, e.write, e.timeout, latency:percentile(50), latency:percentile(95), latency.max))
end
"""


def _drive_threads(base: str, questions: Sequence[str], *, kind: str, clients: int, max_requests: int,
                   max_seconds: float) -> dict:
    """`clients` Python threads posting /api/ask until the cap: `http` (http.client, one keep-alive connection
    a thread: ~0.2 ms of client CPU a request) or `httpx` (httpx.Client, as before: ~2 ms under GIL contention)."""
    from tqdm import tqdm

    counter, lock = itertools.count(), threading.Lock()
    results: list[tuple[float, int]] = []
    deadline = time.perf_counter() + max_seconds
    bar = tqdm(total=max_requests, desc=f"REST ({kind})", unit="req", file=sys.stderr, mininterval=1.0)
    host, port = base.removeprefix("http://").rsplit(":", 1)

    def take() -> int | None:
        with lock:
            i = next(counter)
        return i if i < max_requests and time.perf_counter() < deadline else None

    def done(t: float, status: int) -> None:
        with lock:
            results.append(((time.perf_counter() - t) * 1000, status))
            bar.update()

    def client_httpx() -> None:
        import httpx

        with httpx.Client(base_url=base, timeout=120, trust_env=False) as http:
            while (i := take()) is not None:
                t = time.perf_counter()
                try:
                    status = http.post("/api/ask", json={"question": questions[i % len(questions)]}).status_code
                except httpx.HTTPError:
                    status = 0
                done(t, status)

    def client_http() -> None:
        import http.client

        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        headers = {"Content-Type": "application/json"}
        while (i := take()) is not None:
            body = json.dumps({"question": questions[i % len(questions)]}, ensure_ascii=False).encode("utf-8")
            t = time.perf_counter()
            try:
                conn.request("POST", "/api/ask", body, headers)
                r = conn.getresponse()
                r.read()
                status = r.status
            except (OSError, http.client.HTTPException):
                conn.close()  # reconnects on the next request
                status = 0
            done(t, status)
        conn.close()

    cpu0, start = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=client_http if kind == "http" else client_httpx) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
    bar.close()
    lat = [ms for ms, _ in results]
    return {"n": len(results), "errors": sum(1 for _, s in results if s != 200), "wall": wall, "cpu": cpu,
            "p50": percentile(lat, 50), "p95": percentile(lat, 95)}


def _drive_wrk(base: str, questions: Sequence[str], *, clients: int, max_requests: int, max_seconds: float,
               tmp: Path) -> dict:
    """wrk (C, one event-loop thread, `clients` keep-alive connections) with WRK_SCRIPT; p50/p95 from wrk's
    own histogram (microseconds). Its CPU is the child's rusage."""
    import resource

    bodies = tmp / "bodies.jsonl"
    bodies.write_text("".join(json.dumps({"question": q}, ensure_ascii=False) + "\n" for q in questions), "utf-8")
    script = tmp / "ask.lua"
    script.write_text(f"BODIES = {json.dumps(str(bodies))}\nNTHREADS = 1\nMAXREQ = {max_requests}\n" + WRK_SCRIPT,
                      "utf-8")
    done = tmp / "wrk.done"
    done.unlink(missing_ok=True)
    script.write_text(script.read_text("utf-8").replace("BODIES = ", f"DONE = {json.dumps(str(done))}\nBODIES = ", 1),
                      "utf-8")
    cmd = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, int(max_seconds + 0.999))}s", "--timeout", "120s",
           "-s", str(script), f"{base}/api/ask"]
    _err(f"REST (wrk): {' '.join(cmd)}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None:  # the request cap reached: wrk's SIGINT handler ends the run and reports it
        if done.exists():
            proc.send_signal(signal.SIGINT)
            break
        time.sleep(0.02)
    out, err = proc.communicate(timeout=max_seconds + 180)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in out.splitlines() if x.startswith("WRK ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}): {(err or out).strip()[-500:]}")
    w = json.loads(line[4:])
    errors = w["non200"] + w["connect"] + w["read"] + w["write"] + w["timeout"]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"n": w["requests"], "errors": errors, "wall": w["duration_us"] / 1e6, "cpu": cpu,
            "p50": w["p50_us"] / 1000, "p95": w["p95_us"] / 1000}


def bench_rest(questions: Sequence[str], env: dict, *, clients: int, max_requests: int, max_seconds: float,
               log_dir: Path, workers: int = 1, port: int | None = None, client: str = "http") -> dict:
    if client not in CLIENTS:
        raise ValueError(f"client must be one of {CLIENTS}, got {client!r}")
    if client == "wrk" and shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk); use --client http")
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = server_command(port, workers)
    log = log_dir / "server.log"
    label = (f"app.py --api-only --workers {workers}" if workers > 1 else "app.py --api-only") if "-c" not in cmd \
        else "uvicorn launcher (create_api)"
    _err(f"REST: starting {label} on {base} …")
    with open(log, "wb") as out:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    sampler = RssSampler(server.pid)
    sampler.start()
    try:
        ready_s = _wait_healthy(base, server, log, timeout=300)
        idle_rss = sampler.sample()
        server_cpu0 = sampler.cpu()
        if client == "wrk":
            got = _drive_wrk(base, questions, clients=clients, max_requests=max_requests, max_seconds=max_seconds,
                             tmp=log_dir)
        else:
            got = _drive_threads(base, questions, kind=client, clients=clients, max_requests=max_requests,
                                 max_seconds=max_seconds)
        server_cpu1 = sampler.cpu()
    finally:
        sampler.stop()
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
    n = got["n"] or 1
    # CPU per request: robust to other jobs on the machine, unlike wall-clock latency. Per process, so an
    # uneven share of the work between the workers shows.
    per_proc = {pid: (server_cpu1[pid] - server_cpu0.get(pid, 0.0)) * 1000 / n for pid in server_cpu1}
    return {"rest_server_cpu_ms": sum(per_proc.values()), "rest_server_cpu_by_process_ms": sorted(per_proc.values()),
            "rest_client_cpu_ms": got["cpu"] * 1000 / n, "rest_client": client,
            "rest_clients": clients, "rest_requests": got["n"], "rest_errors": got["errors"], "rest_wall_s": got["wall"],
            "rest_throughput_rps": got["n"] / got["wall"] if got["wall"] else None,
            "rest_p50_ms": got["p50"], "rest_p95_ms": got["p95"],
            "server_ready_s": ready_s, "server_idle_rss_mb": idle_rss / 2**20,
            "server_peak_rss_mb": sampler.peak / 2**20, "server": label}


def table(res: dict) -> str:
    def f(key, unit, digits=1):
        v = res.get(key)
        return "n/a" if v is None else f"{v:.{digits}f} {unit}".strip()

    rows = [
        ["index build (--rebuild, temp dir)", f("index_build_s", "s")],
        ["index no-op re-run", f("index_noop_s", "s")],
        [f"cold `python -m assistant ask` ({res.get('cold_runs', 0)} runs) min / median / max",
         " / ".join(f(k, "s") for k in ("cold_min_s", "cold_median_s", "cold_max_s"))],
        ["warm: Assistant.load in process", f("warm_load_s", "s")],
        ["warm: first answer (not counted)", f("warm_first_ms", "ms", 0)],
        [f"warm answer p50 / p95 / mean (n={res.get('warm_n', 0)}, errors {res.get('warm_errors', 0)})",
         " / ".join(f(k, "ms", 0) for k in ("warm_p50_ms", "warm_p95_ms", "warm_mean_ms"))],
        ["REST: server ready after start", f("server_ready_s", "s")],
        ["REST: server", str(res.get("server", "n/a"))],
        ["REST: load generator (--client)", {"http": "http.client threads (keep-alive)", "httpx": "httpx threads",
                                             "wrk": "wrk, 1 thread (keep-alive)"}.get(res.get("rest_client"), "n/a")],
        [f"REST: {res.get('rest_clients', 0)} clients, requests / non-200",
         f"{res.get('rest_requests', 'n/a')} / {res.get('rest_errors', 'n/a')}"],
        ["REST: throughput", f("rest_throughput_rps", "req/s", 2)],
        ["REST: latency p50 / p95", " / ".join(f(k, "ms", 0) for k in ("rest_p50_ms", "rest_p95_ms"))],
        ["REST: CPU ms per request, server / client", " / ".join(f(k, "ms", 2) for k in
                                                                  ("rest_server_cpu_ms", "rest_client_cpu_ms"))],
        ["REST: server CPU ms per request, by process", " / ".join(
            f"{v:.2f}" for v in res.get("rest_server_cpu_by_process_ms", ())) or "n/a"],
        ["server RSS idle / peak", " / ".join(f(k, "MB", 0) for k in ("server_idle_rss_mb", "server_peak_rss_mb"))],
        [f"machine: {res['machine']['cpus']} CPUs, 1-min load average start / end",
         " / ".join(f(k, "", 2) for k in ("loadavg_start", "loadavg_end"))],
    ]
    return _grid(["benchmark", "value"], rows, markdown=False)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals.bench", description="性能基准 / latency and load benchmarks")
    p.add_argument("--quick", action="store_true", help="短跑：40 个问题、1 次冷启动、120 个请求或 10 秒")
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="questions come from this gold file")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="server processes (app.py --workers; default: one per core, at most 2)")
    p.add_argument("--port", type=int, help="server port on 127.0.0.1 (default: a free one)")
    p.add_argument("--requests", type=int, help="REST request cap (default 400, quick 120)")
    p.add_argument("--seconds", type=float, help="REST time cap (default 30, quick 10)")
    p.add_argument("--skip", action="append", default=[], choices=("index", "cold", "warm", "rest"),
                   help="skip a stage (repeatable); skipping index uses the configured index dir")
    p.add_argument("--client", choices=CLIENTS, default="http",
                   help="REST load generator: http (stdlib http.client threads, keep-alive; default), httpx (the "
                        "earlier client, ~10x its CPU a request), wrk (Debian's wrk; lightest)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the numbers as JSON")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    questions = [c.question for c in load_gold(args.gold)]
    if args.quick:
        questions = questions[:40]
    max_requests = args.requests or (120 if args.quick else 400)
    max_seconds = args.seconds or (10.0 if args.quick else 30.0)
    tmp = Path(tempfile.mkdtemp(prefix="xcz-bench-"))
    env = dict(os.environ)
    if "index" not in args.skip:
        env["ASSISTANT_INDEX_DIR"] = str(tmp / "index")
    env.pop("ASSISTANT_HOST", None)  # loopback only
    res: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "quick": args.quick,
                 "loadavg_start": os.getloadavg()[0]}
    code = 0
    try:
        if "index" not in args.skip:
            res.update(bench_index(env))
        if "cold" not in args.skip:
            res.update(bench_cold(env, 1 if args.quick else 3))
        if "warm" not in args.skip:
            res.update(bench_warm(questions, env.get("ASSISTANT_INDEX_DIR") or ""))
        if "rest" not in args.skip:
            res.update(bench_rest(questions, env, clients=args.clients, max_requests=max_requests,
                                  max_seconds=max_seconds, log_dir=tmp, workers=args.workers, port=args.port,
                                  client=args.client))
    except Exception as e:  # noqa: BLE001 - print what was measured before the failure
        _err(f"错误 / error: {type(e).__name__}: {e}")
        code = 1
    except KeyboardInterrupt:
        _err("已中断 / interrupted")
        code = 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res["loadavg_end"] = os.getloadavg()[0]
    print(table(res))
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
