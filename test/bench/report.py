"""Benchmark report: reference figures, ratios, text tables, JSON and the recall-vs-QPS plot."""

import json
import math
import os

# pgvector 0.8.6 (and hnswlib compiled -march=native) as measured elsewhere, on this
# machine kind, with the method of ../shared/BENCHMARKS.md ("Reference figures
# measured on this machine kind"), m=16, ef_construction=64, one client.  These are
# NOT measured by this script: they are drawn as a separate "reference, measured
# elsewhere" series and ratios to them are labelled as cross-run (+-5-10% per
# BENCHMARKS.md, and QPS drifts up to ~30% between runs).
# points: (ef_search, recall@10, QPS, p50 ms, p99 ms); None = not given.
REFERENCE = {
    "mnist-784-euclidean": {
        "pgvector 0.8.6": {
            "build_s": 29.6, "build_processes": 1, "index_mb": 234.4, "table_mb": 240.1,
            "exact_scan_qps": 6.9,
            "points": [(10, 0.9635, 1493, 0.65, 1.13), (20, 0.9842, 1221, 0.80, 1.27),
                       (40, 0.9943, 896, 1.09, 1.77), (80, 0.9976, 700, 1.41, 2.24),
                       (160, 0.9988, 435, 2.26, 3.81), (320, 0.9998, 256, 3.81, 6.95)],
            "buffers_per_query_ef40": 630,
        },
        "hnswlib -march=native": {
            "build_s": 11.3, "index_mb": 187.9,
            "points": [(10, 0.9145, 15318, None, None), (20, 0.9691, 11084, None, None),
                       (40, 0.9885, 6710, None, None), (80, 0.9963, 4310, None, None),
                       (160, 0.9981, 2504, None, None), (320, 0.9989, 1424, None, None)],
        },
        "python3-hnswlib (ref run)": {"build_s": 17.5, "index_mb": 187.9},
        "FAISS IndexHNSWFlat (ref run)": {"build_s": 41.7, "index_mb": 187.7},
    },
    "bible-bge-large-1024-angular": {
        "pgvector 0.8.6": {
            "build_s": 0.8, "build_processes": 1, "index_mb": 23.6, "table_mb": 16.2,
            "exact_scan_qps": 125,
            "points": [(40, 0.9970, 1336, 0.74, None), (80, 0.9990, 990, None, None)],
        },
        "hnswlib -march=native": {
            "points": [(40, 0.9960, 12309, None, None)],
        },
    },
    "lex-cohere-4096-angular": {
        "pgvector 0.8.6": {"exact_scan_qps": 17, "points": [],
                           "note": "cannot index: more than 2000 dimensions"},
    },
}

RECALL_TARGETS = (0.90, 0.95, 0.98, 0.99, 0.995, 0.999)
MB = 1024.0 ** 2  # BENCHMARKS.md sizes are in MiB (2^20 bytes), called MB there


def best_qps_at(points, target, recall_key="recall"):
    """Highest QPS among points reaching recall >= target (None if none does).

    points: iterable of dicts with recall_key (default 'recall') and 'qps'; a
    point without recall_key falls back to 'recall'."""
    ok = [p["qps"] for p in points
          if p.get(recall_key, p.get("recall")) is not None
          and p.get(recall_key, p.get("recall")) >= target]
    return max(ok) if ok else None


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def reference_points(dataset):
    out = {}
    for sysname, ref in REFERENCE.get(dataset, {}).items():
        pts = [{"ef_search": e, "recall": r, "qps": q, "p50_ms": p50, "p99_ms": p99}
               for e, r, q, p50, p99 in ref.get("points", [])]
        if pts:
            out[sysname] = pts
    return out


def _recall_ratios(r, ours, theirs):
    """QPS ratios at equal-or-better recall.  With several builds our recall is
    the median; the '_worst_build' variant uses each ef_search's worst build."""
    r["qps_at_equal_or_better_recall"] = {}
    worst = any(p.get("builds", 1) > 1 for p in ours)
    if worst:
        r["qps_at_equal_or_better_recall_worst_build"] = {}
    for t in RECALL_TARGETS:
        a, b = best_qps_at(ours, t), best_qps_at(theirs, t)
        r["qps_at_equal_or_better_recall"][str(t)] = {
            "ours_qps": a, "their_qps": b, "ratio": ratio(a, b)}
        if worst:
            a = best_qps_at(ours, t, "recall_min")
            r["qps_at_equal_or_better_recall_worst_build"][str(t)] = {
                "ours_qps": a, "their_qps": b, "ratio": ratio(a, b)}
    # at each of their points' recall: our fastest point with at least that recall
    r["qps_at_their_recall"] = {}
    for p in theirs:
        if p.get("recall") is None:
            continue
        a = best_qps_at(ours, p["recall"])
        r["qps_at_their_recall"][str(p["ef_search"])] = {
            "their_recall": p["recall"], "their_qps": p["qps"], "ours_qps": a,
            "ratio": ratio(a, p["qps"])}


def compute_ratios(result):
    """Ratios of ours ('vecidx') to every other system measured in this run, and
    to the pgvector reference (cross-run).  Fills result['ratios']."""
    systems = result["systems"]
    ours = systems.get("vecidx")
    out = {}
    if not ours or not ours.get("points"):
        result["ratios"] = out
        return out
    ours_by_ef = {p["ef_search"]: p for p in ours["points"]}
    others = {name: s for name, s in systems.items()
              if name != "vecidx" and s.get("points") and name != "exact-scan"}
    for name, s in others.items():
        r = {"qps_at_same_ef_search": {}, "qps_at_equal_or_better_recall": {}}
        for p in s["points"]:
            mine = ours_by_ef.get(p["ef_search"])
            if mine:
                r["qps_at_same_ef_search"][str(p["ef_search"])] = {
                    "ours_recall": mine["recall"], "their_recall": p["recall"],
                    "ratio": ratio(mine["qps"], p["qps"])}
        _recall_ratios(r, ours["points"], s["points"])
        r["build_time_ratio"] = ratio(ours.get("build", {}).get("build_s"),
                                      s.get("build", {}).get("build_s"))
        r["size_ratio"] = ratio(ours.get("build", {}).get("size_bytes"),
                                s.get("build", {}).get("size_bytes"))
        out[name] = r
    refs = REFERENCE.get(result["dataset"]["name"], {})
    pgv = refs.get("pgvector 0.8.6")
    same_params = result["params"]["m"] == 16 and result["params"]["ef_construction"] == 64
    if pgv and pgv.get("points") and same_params:
        pts = reference_points(result["dataset"]["name"])["pgvector 0.8.6"]
        r = {"note": "reference measured elsewhere (BENCHMARKS.md); cross-run ratio",
             "qps_at_equal_or_better_recall": {}}
        _recall_ratios(r, ours["points"], pts)
        b = ours.get("build", {})
        r["build_time_ratio"] = ratio(b.get("build_s"), pgv.get("build_s"))
        r["index_size_ratio"] = ratio(b.get("size_bytes") and b["size_bytes"] / MB,
                                      pgv.get("index_mb"))
        out["pgvector 0.8.6 (reference)"] = r
    result["ratios"] = out
    return out


def _fmt(x, spec):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def text_report(result):
    """Human-readable summary (list of lines)."""
    lines = []
    ds = result["dataset"]
    lines.append("dataset %s: %d x %d, %s, %d queries (k=10)" % (
        ds["name"], ds["n_base"], ds["dim"], ds["metric"], ds["n_queries"]))
    p = result["params"]
    lines.append("m=%d ef_construction=%d; passes=%d (best kept)" % (
        p["m"], p["ef_construction"], p["passes"]))
    host = result.get("host", {})
    if host.get("loadavg_1min_per_pass"):
        lines.append("load average (1 min) at start %.2f, after each pass %s, on %s CPUs%s" % (
            host["loadavg_at_start"][0],
            " ".join("%.1f" % x for x in host["loadavg_1min_per_pass"]), host.get("cpus"),
            " -- the machine was busy before this run: other work skews QPS"
            if host["loadavg_at_start"][0] > 0.5 else ""))
    pgs = result.get("postgres", {})
    if pgs:
        si = pgs.get("server", {})
        lines.append("server %s shared_buffers=%s maintenance_work_mem=%s "
                     "max_parallel_maintenance_workers=%s" % (
                         si.get("server_version"), si.get("shared_buffers"),
                         si.get("maintenance_work_mem"),
                         si.get("max_parallel_maintenance_workers")))
        if "roundtrip_floor" in pgs:
            lines.append("round trip of SELECT $1::int: p50 %.3f ms" %
                         pgs["roundtrip_floor"]["p50_ms"])
        if "sizes" in pgs:
            s = pgs["sizes"]
            lines.append("table %.1f MB + TOAST %.1f MB = %.1f MB" % (
                s["table_bytes"] / MB, s["toast_bytes"] / MB, s["table_plus_toast_bytes"] / MB))
    lines.append("")
    lines.append("%-14s %10s %8s %12s" % ("system", "build s", "procs", "size MB"))
    for name, s in result["systems"].items():
        b = s.get("build", {})
        if not b:
            continue
        lines.append("%-14s %10s %8s %12s" % (
            name, _fmt(b.get("build_s"), ".2f"), b.get("processes", "-"),
            _fmt(b.get("size_bytes") and b["size_bytes"] / MB, ".1f")))
    lines.append("")
    lines.append("%-14s %6s %8s %10s %8s %8s %10s" % (
        "system", "ef", "recall", "QPS", "p50 ms", "p99 ms", "batch QPS"))
    for name, s in result["systems"].items():
        for pt in s.get("points", []):
            lines.append("%-14s %6s %8s %10s %8s %8s %10s" % (
                name, "-" if pt.get("ef_search") is None else pt["ef_search"], _fmt(pt["recall"], ".4f"),
                _fmt(pt["qps"], ",.0f"), _fmt(pt.get("p50_ms"), ".3f"),
                _fmt(pt.get("p99_ms"), ".3f"), _fmt(pt.get("batch_qps"), ",.0f")))
    for name, s in result["systems"].items():
        pts = s.get("points", [])
        if pts and pts[0].get("builds", 1) > 1:
            lines.append("")
            lines.append("%s over %d builds (medians above; min-max here): build s %s" % (
                name, pts[0]["builds"], ", ".join(
                    "%.2f" % t for t in s["build"].get("build_s_all", []))))
            for pt in pts:
                lines.append("  ef %4d: recall %.4f-%.4f, QPS %s-%s" % (
                    pt["ef_search"], pt["recall_min"], pt["recall_max"],
                    _fmt(pt["qps_min"], ",.0f"), _fmt(pt["qps_max"], ",.0f")))
    conc = result.get("postgres", {}).get("concurrent")
    if conc:
        lines.append("")
        lines.append("%d concurrent clients at ef_search %d: %.0f QPS (%s x one client)" % (
            conc["clients"], conc["ef_search"], conc["qps"],
            _fmt(conc.get("speedup_vs_one_client"), ".2f")))
    bufs = result.get("postgres", {}).get("buffers")
    if bufs:
        lines.append("")
        lines.append("shared buffers per query at ef_search %s (EXPLAIN ANALYZE, %d queries): "
                     "hit %.1f, read %.1f; server execution time median %.3f ms" % (
                         bufs["ef_search"], bufs["queries"], bufs["hit_mean"],
                         bufs["read_mean"], bufs.get("server_execution_ms_median", float("nan"))))
    for name, r in result.get("ratios", {}).items():
        lines.append("")
        lines.append("ours / %s%s:" % (name, " (" + r["note"] + ")" if "note" in r else ""))
        if "qps_at_same_ef_search" in r:
            lines.append("  QPS at same ef_search: " + ", ".join(
                "%s: %s" % (ef, _fmt(v["ratio"], ".2f"))
                for ef, v in r["qps_at_same_ef_search"].items()))
        lines.append("  QPS at equal-or-better recall: " + ", ".join(
            ">=%s: %s" % (t, _fmt(v["ratio"], ".2f"))
            for t, v in r["qps_at_equal_or_better_recall"].items()))
        lines.append("  QPS at each of their points' recall (their ef_search: ratio): " +
                     ", ".join("%s (%.4f): %s" % (ef, v["their_recall"], _fmt(v["ratio"], ".2f"))
                               for ef, v in r["qps_at_their_recall"].items()))
        if "qps_at_equal_or_better_recall_worst_build" in r:
            lines.append("    (our worst build's recall): " + ", ".join(
                ">=%s: %s" % (t, _fmt(v["ratio"], ".2f"))
                for t, v in r["qps_at_equal_or_better_recall_worst_build"].items()))
        lines.append("  build time: %s" % _fmt(r.get("build_time_ratio"), ".2f")
                     + ("   size: %s" % _fmt(r.get("size_ratio", r.get("index_size_ratio")),
                                              ".2f")))
    return lines


def write_json(result, path):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(result, f, indent=1, default=_json_default)
        f.write("\n")


def _json_default(o):
    try:
        import numpy as np
        if isinstance(o, np.integer):
            return int(o)
        if isinstance(o, np.floating):
            return float(o)
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:
        pass
    raise TypeError("not JSON serialisable: %r" % (o,))


def plot(result, path):
    """Recall@10 (x) vs QPS (y, log) for every system of the run plus the
    reference series (hollow markers, dashed, labelled as measured elsewhere)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))
    markers = {"vecidx": "o", "hnswlib": "s", "faiss": "^", "exact-scan": "x"}
    for name, s in result["systems"].items():
        pts = [p for p in s.get("points", []) if p.get("qps")]
        if not pts:
            continue
        label = name
        if name in ("hnswlib", "faiss"):
            label += " (python, 1 thread)"
        ax.plot([p["recall"] for p in pts], [p["qps"] for p in pts],
                marker=markers.get(name, "o"), linestyle="-" if len(pts) > 1 else "none",
                label=label + " — this run")
        for p in pts:
            if p.get("ef_search") is not None:
                ax.annotate(str(p["ef_search"]), (p["recall"], p["qps"]),
                            textcoords="offset points", xytext=(3, 3), fontsize=7)
    for name, pts in reference_points(result["dataset"]["name"]).items():
        if result["params"]["m"] != 16 or result["params"]["ef_construction"] != 64:
            break
        ax.plot([p["recall"] for p in pts], [p["qps"] for p in pts],
                marker="D", mfc="none", linestyle="--", alpha=0.7,
                label="%s — reference, measured elsewhere (BENCHMARKS.md)" % name)
    ax.set_yscale("log")
    ax.set_xlabel("recall@10")
    ax.set_ylabel("queries per second (one client, log scale)")
    ds = result["dataset"]
    p = result["params"]
    ax.set_title("%s (%d x %d, %s), m=%d, ef_construction=%d" % (
        ds["name"], ds["n_base"], ds["dim"], ds["metric"], p["m"], p["ef_construction"]),
        fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def markdown(result):
    """A ready-to-paste Markdown summary of the run (tables of builds, points, ratios)."""
    ds, p = result["dataset"], result["params"]
    out = ["## %s (%d x %d, %s), m=%d, ef_construction=%d" % (
        ds["name"], ds["n_base"], ds["dim"], ds["metric"], p["m"], p["ef_construction"]), ""]
    out.append("Command: `%s`" % " ".join(result.get("argv", [])))
    pgs = result.get("postgres", {})
    si = pgs.get("server", {})
    if si:
        out.append("Server %s, shared_buffers=%s, maintenance_work_mem=%s, "
                   "max_parallel_maintenance_workers=%s; commit %s%s; %s." % (
                       si.get("server_version"), si.get("shared_buffers"),
                       si.get("maintenance_work_mem"), si.get("max_parallel_maintenance_workers"),
                       result.get("git", {}).get("commit", "?")[:10],
                       " (dirty)" if result.get("git", {}).get("dirty") else "",
                       result.get("host", {}).get("cpu", "")))
    out += ["", "| system | build s | processes | size MB |", "|---|---:|---:|---:|"]
    for name, s in result["systems"].items():
        b = s.get("build")
        if b:
            out.append("| %s | %s | %s | %s |" % (
                name, _fmt(b.get("build_s"), ".2f"), b.get("processes", "-"),
                _fmt(b.get("size_bytes") and b["size_bytes"] / MB, ".1f")))
    if "sizes" in pgs:
        out.append("")
        out.append("Table %.1f MB + TOAST %.1f MB." % (pgs["sizes"]["table_bytes"] / MB,
                                                      pgs["sizes"]["toast_bytes"] / MB))
    names = [n for n, s in result["systems"].items() if s.get("points")]
    efs = []
    for n in names:
        for pt in result["systems"][n]["points"]:
            if pt.get("ef_search") not in efs:
                efs.append(pt.get("ef_search"))
    out += ["", "| ef_search | " + " | ".join("%s recall / QPS" % n for n in names) + " |",
            "|---:|" + "---|" * len(names)]
    for ef in efs:
        cells = []
        for n in names:
            pt = [x for x in result["systems"][n]["points"] if x.get("ef_search") == ef]
            cells.append("%.4f / %s" % (pt[0]["recall"], _fmt(pt[0]["qps"], ",.0f"))
                         if pt else "")
        out.append("| %s | %s |" % ("-" if ef is None else ef, " | ".join(cells)))
    ours = result["systems"].get("vecidx", {}).get("points", [])
    if ours:
        out += ["", "vecidx p50 / p99 ms: " + ", ".join(
            "ef %d: %s / %s" % (pt["ef_search"], _fmt(pt.get("p50_ms"), ".3f"),
                                _fmt(pt.get("p99_ms"), ".3f"))
            for pt in ours) + "."]
        if ours[0].get("builds", 1) > 1:
            out.append("Medians over %d builds; recall spread: %s." % (
                ours[0]["builds"], ", ".join("ef %d %.4f-%.4f" % (
                    pt["ef_search"], pt["recall_min"], pt["recall_max"]) for pt in ours)))
    if pgs.get("buffers"):
        b = pgs["buffers"]
        out.append("Shared buffers per query at ef_search %d: %.0f hit, %.0f read." % (
            b["ef_search"], b["hit_mean"], b["read_mean"]))
    if pgs.get("concurrent"):
        c = pgs["concurrent"]
        out.append("%d concurrent clients at ef_search %d: %.0f QPS." % (
            c["clients"], c["ef_search"], c["qps"]))
    for name, r in result.get("ratios", {}).items():
        out += ["", "Ours / %s%s:" % (name, " (" + r["note"] + ")" if "note" in r else "")]
        out.append("QPS at equal-or-better recall: " + ", ".join(
            "≥%s: %s" % (t, _fmt(v["ratio"], ".2f"))
            for t, v in r["qps_at_equal_or_better_recall"].items()) + ".")
        out.append("QPS at each of their points' recall: " + ", ".join(
            "ef %s (%.4f): %s" % (ef, v["their_recall"], _fmt(v["ratio"], ".2f"))
            for ef, v in r["qps_at_their_recall"].items()) + ".")
        out.append("Build time %s, size %s." % (
            _fmt(r.get("build_time_ratio"), ".2f"),
            _fmt(r.get("size_ratio", r.get("index_size_ratio")), ".2f")))
    return "\n".join(out) + "\n"
