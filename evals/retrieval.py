"""Retrieval measurement on evals/gold.jsonl, dev and heldout reported separately.

    python -m evals.retrieval               # metrics, latency, relevance accuracy
    python -m evals.retrieval --tune        # the whole fusion-weight grid (and checker weight) on dev
    python -m evals.retrieval --calibrate   # + relevance threshold sweep on dev

recall@1 / recall@3 / MRR count a hit when any expected clause is at that rank; cases with no expected
clause are left out of recall and used, with the rest, to check `relevant()` (in scope vs not).
Tuning reads only the dev split; heldout is printed for reporting, never used to choose."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from assistant import retrieve
from assistant.normalize import expand, normalize
from assistant.retrieve import Retriever, fuse
from assistant.settings import Settings

GOLD = Path(__file__).resolve().parent / "gold.jsonl"
# fused = dense + BM25; concept = the checker's clauses alone; search = what ships: exact reference first, then
# dense + BM25 + checker fused, the dense part only when the cheaper signals are not confident; always-embed =
# search with the dense part for every question (what the cascade gives up).
MODES = ("dense", "bm25", "fused", "concept", "search", "always-embed")


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def metrics(rankings: list[list[str]], expected: list[list[str]]) -> dict[str, float]:
    r1 = r3 = rr = 0.0
    for got, want in zip(rankings, expected):
        rank = next((i for i, cid in enumerate(got, 1) if cid in want), None)
        r1 += rank == 1
        r3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
    n = len(rankings) or 1
    return {"r@1": r1 / n, "r@3": r3 / n, "mrr": rr / n}


def rankings(ret: Retriever, s, wd: float, wl: float, k: int) -> dict[str, list[str]]:
    """Clause IDs best first, per mode, from one question's precomputed signals."""
    n = len(ret.corpus.clauses)

    def ranked(sig):
        return [h.clause.clause_id for h in ret.rank(sig, n, dense_weight=wd, lexical_weight=wl, rrf_k=k)]

    return {"dense": sorted(s.dense, key=lambda c: s.dense[c][0]),
            "bm25": sorted(s.lexical, key=s.lexical.get),
            "fused": fuse(s.dense, s.lexical, wd, wl, k, s.sentence),
            "concept": list(s.concept),
            "search": ranked(ret.cascaded(s)),
            "always-embed": ranked(s)}


def top_score(ret: Retriever, s, wd: float, wl: float, k: int) -> float:
    hits = ret.rank(ret.cascaded(s), 1, dense_weight=wd, lexical_weight=wl, rrf_k=k)
    return hits[0].score if hits else 0.0


def table(ret, cases: list[dict], feats: dict, wd: float, wl: float, k: int) -> dict[str, dict]:
    scored = [c for c in cases if c["expected_clauses"]]
    per = [rankings(ret, feats[c["id"]], wd, wl, k) for c in scored]
    return {m: metrics([p[m] for p in per], [c["expected_clauses"] for c in scored]) for m in MODES}


def relevance_accuracy(ret, cases, feats, wd, wl, k, threshold) -> tuple[float, int, int]:
    """(accuracy, in-scope misses, out-of-scope false alarms): in scope = has expected clauses."""
    miss = alarm = 0
    for c in cases:
        rel = top_score(ret, feats[c["id"]], wd, wl, k) >= threshold
        miss += bool(c["expected_clauses"]) and not rel
        alarm += (not c["expected_clauses"]) and rel
    return 1 - (miss + alarm) / len(cases), miss, alarm


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.retrieval")
    p.add_argument("--gold", type=Path, default=GOLD)
    p.add_argument("--tune", action="store_true", help="print the whole fusion grid, not only its top")
    p.add_argument("--calibrate", action="store_true", help="relevance threshold sweep on dev")
    args = p.parse_args(argv)

    settings = Settings.load()
    t0 = time.perf_counter()
    ret = Retriever.load(settings, log=print)
    print(f"loaded in {time.perf_counter() - t0:.2f} s · model {ret.store.model_id} · "
          f"dense_weight {settings.dense_weight} · lexical_weight {settings.lexical_weight} · RRF k {retrieve.RRF_K}")
    gold = load_gold(args.gold)
    split = {s: [c for c in gold if c["split"] == s] for s in ("dev", "heldout")}
    feats = {c["id"]: ret.signals(c["question"], dense=True) for c in gold}
    wd, wl, k = settings.dense_weight, settings.lexical_weight, retrieve.RRF_K

    for name, cases in split.items():
        if not cases:  # e.g. no heldout split while a new one is being written
            continue
        n = sum(bool(c["expected_clauses"]) for c in cases)
        print(f"\n{name}: {n} cases with expected clauses (of {len(cases)})")
        print(f"  {'mode':<8}{'r@1':>7}{'r@3':>7}{'MRR':>7}")
        for mode, m in table(ret, cases, feats, wd, wl, k).items():
            print(f"  {mode:<8}{m['r@1']:>7.3f}{m['r@3']:>7.3f}{m['mrr']:>7.3f}")
        skipped = sum(ret.confident(feats[c["id"]]) for c in cases if feats[c["id"]])
        print(f"  the question is not embedded (cheaper signals confident) for {skipped / len(cases):.0%}")
        acc, miss, alarm = relevance_accuracy(ret, cases, feats, wd, wl, k, retrieve.RELEVANT_AT)
        print(f"  relevant() at {retrieve.RELEVANT_AT}: accuracy {acc:.3f} "
              f"({miss} in-scope judged irrelevant, {alarm} out-of-scope judged relevant)")

    # The numbers that chose the weights: dense weight fixed at 1, lexical weight and RRF k varied, dev only.
    rows = []
    for kk in (5, 10, 20, 60):
        for lw in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0):
            m = table(ret, split["dev"], feats, 1.0, lw, kk)["search"]
            rows.append((m["r@1"], m["r@3"], m["mrr"], kk, lw))
    rows.sort(reverse=True)
    print("\nfusion grid on dev (search mode; best first by r@1, r@3, MRR):")
    for r1, r3, mrr, kk, lw in rows[:(len(rows) if args.tune else 5)]:
        mark = "  ← settings" if (kk, lw) == (k, wl) and wd == 1.0 else ""
        print(f"  k={kk:<3} dense 1.0 lexical {lw:<5} r@1 {r1:.3f} r@3 {r3:.3f} MRR {mrr:.3f}{mark}")
    if args.tune:
        print("\nchecker-clause weight on dev (search mode):")
        scored, n = [c for c in split["dev"] if c["expected_clauses"]], len(ret.corpus.clauses)
        for wc in (0.0, 0.5, 1.0, 1.5, 2.0, 3.0):
            per = [[h.clause.clause_id for h in ret.rank(ret.cascaded(feats[c["id"]]), n, concept_weight=wc)]
                   for c in scored]
            m = metrics(per, [c["expected_clauses"] for c in scored])
            mark = "  ← settings" if wc == settings.concept_weight else ""
            print(f"  concept {wc:<4} r@1 {m['r@1']:.3f} r@3 {m['r@3']:.3f} MRR {m['mrr']:.3f}{mark}")

    if args.calibrate:
        print("\nrelevance threshold sweep on dev (top-hit evidence):")
        inn = sorted(top_score(ret, feats[c["id"]], wd, wl, k) for c in split["dev"] if c["expected_clauses"])
        out = sorted(top_score(ret, feats[c["id"]], wd, wl, k) for c in split["dev"] if not c["expected_clauses"])
        print(f"  in-scope lowest: {[round(x, 3) for x in inn[:8]]}")
        print(f"  out-of-scope:    {[round(x, 3) for x in out]}")
        for t in [x / 100 for x in range(20, 61, 2)]:
            acc, miss, alarm = relevance_accuracy(ret, split["dev"], feats, wd, wl, k, t)
            print(f"  {t:.2f}: accuracy {acc:.3f} (miss {miss}, false alarm {alarm})")

    questions = [c["question"] for c in gold]
    for q in questions[:5]:  # warm-up: model and store caches
        ret.search(q)
    total, embedded, embed = [], [], []
    for q in questions:
        t = time.perf_counter()
        ret.search(q)
        total.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        ret.embeddings.embed_query(expand(normalize(q)))  # the model's cost, had the question been embedded
        embed.append((time.perf_counter() - t) * 1000)
    for c in gold:
        if feats[c["id"]] and not ret.confident(feats[c["id"]]):
            t = time.perf_counter()
            ret.search(c["question"])
            embedded.append((time.perf_counter() - t) * 1000)
    print(f"\nwarm latency over {len(total)} questions (p50 / p95 ms): search {_pct(total)}; "
          f"the {len(embedded)} questions it embeds {_pct(embedded)}; query embedding alone {_pct(embed)}")
    print(f"retrieval as the answer chain runs it (no embedding for parts the checker or a clause reference "
          f"settled): {_pct(in_chain(ret, questions))}")
    return 0


def in_chain(ret: Retriever, questions: list[str]) -> list[float]:
    """Per question, the time spent in retrieval the way assistant/chain.py calls it (checker time excluded)."""
    from assistant.chain import search_parts
    from assistant.extract import check_text
    from assistant.refs import resolve

    out = []
    for q in questions:
        parts = check_text(q).parts
        refs = [resolve(p.text, ret.corpus.clauses) for p in parts]
        t = time.perf_counter()
        search_parts(ret, parts, refs, normalize(q))
        out.append((time.perf_counter() - t) * 1000)
    return out


def _pct(ms: list[float]) -> str:
    return f"{statistics.median(ms):.1f} / {statistics.quantiles(ms, n=20)[18]:.1f}"


if __name__ == "__main__":
    raise SystemExit(main())
