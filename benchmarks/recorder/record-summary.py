#!/usr/bin/env python3
"""RESULT lines of benchmarks/recorder/record-vs-nginx.sh from its raw measurements.

usage: record-summary.py RAW RUN   one run's figures
       record-summary.py RAW all   the median and range of each figure over all runs

RAW rows (space-separated), written by the script:
  m RUN NAME PHASE LOAD RPS P99_MS REQUESTS CPU_TICKS TICKS_PER_S T0_MS T1_MS T2_MS OTHER
      one load run (LOAD: wrk's connections, or rN: h2load's open loop at N req/s); CPU ticks of the proxy's process(es) from T0 (wrk starts) to T2 (idle again
      after T1, wrk's end); PHASE is "load" or "latency" for a recorder, "-" otherwise; OTHER is
      the CPU used during the wrk run by everything but this benchmark's processes (and the
      kernel's interrupt work), in % of the machine
  r RUN NAME PHASE GC_LOG STOPPED
      a recorder after SIGTERM: its GC log and `stopped:` line (spaces as underscores)
"""
import os
import re
import statistics
import sys
from collections import OrderedDict

# -Xlog:gc,gc+phases with the timemillis decorator: "[0.512s][1764201600123ms] GC(3) Pause Young
# ... 3.123ms" (G1, Shenandoah; ZGC's pauses are gc+phases lines, "GC(3) Pause Mark Start
# 0.012ms"), and ZGC's "Allocation Stall (thread) 1.234ms": a thread waiting for memory, which
# counts as a pause of that thread
PAUSE = re.compile(r"\[(\d+)ms\].*(?:GC\(\d+\) Pause .*|Allocation Stall .*) ([\d.]+)ms$")


def load(path):
    m, r = [], []
    for line in open(path):
        f = line.split()
        if not f:
            continue
        if f[0] == "m":
            m.append(dict(run=f[1], name=f[2], phase=f[3], c=f[4], rps=float(f[5]),
                          p99=float(f[6]), n=int(f[7]), ticks=int(f[8]), hz=int(f[9]),
                          t0=int(f[10]), t1=int(f[11]), t2=int(f[12]),
                          other=float(f[13]) if len(f) > 13 else 0.0))
        elif f[0] == "r":
            r.append(dict(run=f[1], name=f[2], phase=f[3], gc=f[4], stopped=" ".join(f[5:])))
    return m, r


def pauses(gc_log, windows):
    """GC pauses (ms) that ended inside one of the [t0, t1] windows (epoch ms)."""
    out = []
    try:
        for line in open(gc_log):
            p = PAUSE.search(line.strip())
            if p and any(t0 <= int(p.group(1)) <= t1 for t0, t1 in windows):
                out.append(float(p.group(2)))
    except OSError:
        pass
    return out


def label(c):
    """c16 for wrk -c16, "open loop 2000 req/s" for h2load's r2000."""
    return f"open loop {c[1:]} req/s" if c.startswith("r") else f"c{c}"


def figures(m, r, run):
    """One run's figures: key -> (value, format, note), in printing order."""
    rows = [x for x in m if x["run"] == run]
    recs = [x for x in r if x["run"] == run]
    names = [n for n in ("direct", "nginx", "minimal", "shadow", "shadow-b") if any(x["name"] == n for x in rows)]
    at = {(x["name"], x["c"]): x for x in rows}
    def order(c):
        return (c.startswith("r"), int(c.lstrip("r")))

    load_c = sorted({x["c"] for x in rows if x["phase"] == "load"}, key=order)
    lat_c = sorted({x["c"] for x in rows if x["phase"] == "latency"}, key=order)
    out = OrderedDict()

    def put(key, value, fmt, note=""):
        if value is not None:
            out[key] = (value, fmt, note)

    def ratio(a, b, c):
        return at[(a, c)]["rps"] / at[(b, c)]["rps"] if (a, c) in at and (b, c) in at else None

    for c in load_c:
        for n in names:
            put(f"{label(c)} req/s {n}", at.get((n, c), {}).get("rps"), "{:,.0f}")
        for s in ("shadow", "shadow-b"):
            if s in names:
                put(f"{label(c)} {s}/minimal req/s", ratio(s, "minimal", c), "{:.3f}", "goal >= 0.90")
                put(f"{label(c)} {s}/nginx req/s", ratio(s, "nginx", c), "{:.3f}")
        put(f"{label(c)} minimal/nginx req/s", ratio("minimal", "nginx", c), "{:.3f}")
        for n in names:
            put(f"{label(c)} p99 ms {n}", at.get((n, c), {}).get("p99"), "{:.2f}")
    for c in lat_c:
        for n in names:
            put(f"{label(c)} p99 ms {n}", at.get((n, c), {}).get("p99"), "{:.2f}")
        d = at.get(("direct", c))
        for n in names[1:]:
            if d and (n, c) in at:
                put(f"{label(c)} p99 added over direct ms {n}", at[(n, c)]["p99"] - d["p99"], "{:+.2f}")
        for s in ("shadow", "shadow-b"):
            if d and (s, c) in at and ("nginx", c) in at:
                put(f"{label(c)} p99 added {s} - nginx ms", at[(s, c)]["p99"] - at[("nginx", c)]["p99"], "{:+.2f}",
                    "goal <= +1 ms")
    for c in load_c + lat_c:
        for n in names:
            x = at.get((n, c))
            if x and x["n"]:
                put(f"{label(c)} CPU us/request {n}", x["ticks"] * 1e6 / x["hz"] / x["n"], "{:.1f}",
                    "upstream nginx worker" if n == "direct" else "")
    put("other load during the measurements, % of the machine (max)", max(x["other"] for x in rows), "{:.0f}",
        "CPU not used by this benchmark: other work on the machine, or steal")
    for rec in recs:
        key = f"{rec['name']} {rec['phase']}"
        rec_rows = [x for x in rows if x["name"] == rec["name"] and x["phase"] == rec["phase"]]
        got = re.search(r"recorded_(\d+)", rec["stopped"])
        dropped = re.search(r"dropped_(\d+)", rec["stopped"])
        put(f"{key}: recorded", int(got.group(1)) if got else None, "{:,}")
        why = re.search(r"dropped_\d+_\{([^}]*)\}", rec["stopped"])  # the reasons, when any
        put(f"{key}: dropped", int(dropped.group(1)) if dropped else None, "{:,}",
            "goal 0" + (f"; {why.group(1).replace('_', ' ')}" if why else ""))
        for x in rec_rows:  # the pauses during each measured load run, apart
            gc = pauses(rec["gc"], [(x["t0"], x["t1"])])
            k = f"{rec['name']} {label(x['c'])}"
            put(f"{k}: GC pauses", len(gc), "{}")
            put(f"{k}: GC max pause ms", max(gc) if gc else 0.0, "{:.2f}", "goal < 5 ms")
            put(f"{k}: GC total pause ms", sum(gc), "{:.1f}")
        drain = max((x["t2"] - x["t1"] for x in rec_rows), default=None)
        put(f"{key}: busy after wrk's end, ms (max)", drain, "{}")
    return out


def main():
    m, r = load(sys.argv[1])
    for rec in r:  # a kept copy (KEEP=DIR): the GC logs are in DIR/logs
        kept = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "logs", os.path.basename(rec["gc"]))
        if not os.path.exists(rec["gc"]) and os.path.exists(kept):
            rec["gc"] = kept
    runs = sorted({x["run"] for x in m}, key=int)
    if sys.argv[2] != "all":
        for key, (v, fmt, note) in figures(m, r, sys.argv[2]).items():
            print(f"RESULT run {sys.argv[2]} {key}: {fmt.format(v)}" + (f" ({note})" if note else ""))
        return
    per_run = [figures(m, r, run) for run in runs]
    print(f"== summary of {len(runs)} runs: median [min .. max]")
    for key, (_, fmt, note) in per_run[0].items():
        note = note.split("; ")[0]  # one run's details (why it dropped) stay on that run's line
        vals = [f[key][0] for f in per_run if key in f]
        print(f"RESULT {key}: {fmt.format(statistics.median(vals))} [{fmt.format(min(vals))} .. "
              f"{fmt.format(max(vals))}]" + (f" ({note})" if note else ""))


if __name__ == "__main__":
    main()
