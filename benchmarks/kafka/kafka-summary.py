#!/usr/bin/env python3
"""RESULT lines of benchmarks/kafka/kafka-bench.sh from its raw measurements (raw.jsonl).

usage: kafka-summary.py RAW RUN   one run's figures
       kafka-summary.py RAW all   the median [min .. max] of each figure over all runs

Rows (one JSON object a line), written by the script:
  {"kind": "export", ...}            publishing the recording to the topic, once
  {"kind": "record", "name": direct|file|kafka, ...}   part 1, one wrk run each
  {"kind": "replay", "name": file|alone|group-K, ...}  part 2, one configuration each
Ratios are taken within a run (same machine state), then summarised over the runs.
"""
import json
import statistics
import sys
from collections import OrderedDict


def load(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def figures(rows, run):
    """One run's figures: key -> (value, format, note), in printing order."""
    out = OrderedDict()

    def put(key, value, fmt, note=""):
        if value is not None:
            out[key] = (value, fmt, note)

    rec = {r["name"]: r for r in rows if r["kind"] == "record" and r["run"] == run}
    rep = {r["name"]: r for r in rows if r["kind"] == "replay" and r["run"] == run}
    for name in ("direct", "file", "kafka"):
        r = rec.get(name)
        if r:
            put(f"record {name}: req/s", r["rps"], "{:,.0f}")
            put(f"record {name}: p99 ms", r["p99"], "{:.2f}")
    if "kafka" in rec and "file" in rec:
        put("record kafka/file req/s", rec["kafka"]["rps"] / rec["file"]["rps"], "{:.2f}")
        put("record kafka - file p99 ms", rec["kafka"]["p99"] - rec["file"]["p99"], "{:+.2f}")
    for name in ("file", "kafka"):
        if name in rec and "direct" in rec:
            put(f"record {name}/direct req/s", rec[name]["rps"] / rec["direct"]["rps"], "{:.2f}")
    for name in ("file", "kafka"):
        r = rec.get(name)
        if not r:
            continue
        put(f"record {name}: proxied", r["proxied"], "{:,}")
        put(f"record {name}: recorded", r["recorded"], "{:,}")
        put(f"record {name}: recorded/s", r["recorded"] / r["seconds"], "{:,.0f}",
            "counted by the recorder; a Kafka record counts once the producer took it")
        put(f"record {name}: dropped", sum(r["dropped"].values()), "{:,}")
        put(f"record {name}: dropped %", 100 * sum(r["dropped"].values()) / max(1, r["proxied"]), "{:.1f}")
        reasons = {k for x in rows if x["kind"] == "record" and x["name"] == name for k in x["dropped"]}
        for reason in sorted(reasons):  # 0 in the runs that had none
            put(f"record {name}: dropped {reason}", r["dropped"].get(reason, 0), "{:,}")
        if name == "file":
            put("record file: busy after wrk's end, ms", r["idle_after_ms"], "{:,}")
        put(f"record {name}: recorder CPU us/request", r["cpu_recorder"] * 1e6 / max(1, r["proxied"]), "{:.1f}",
            "the JVM, from wrk's start until idle again")
        put(f"record {name}: broker CPU s", r["cpu_broker"], "{:.1f}")
        put(f"record {name}: other load %", r["other"], "{}")
        if name == "kafka":
            put("record kafka: reached the topic during the run, records/s",
                r["kafka_in_run"] / max(1e-3, r["kafka_run_seconds"]), "{:,.0f}", "end offsets, sampled every 250 ms")
            put("record kafka: reached the topic by idle", r["kafka_by_idle"], "{:,}")
            put("record kafka: busy after wrk's end, ms", r["idle_after_ms"], "{:,}",
                "until the recorder JVM and the broker were idle: the backlog delivered")
            put("record kafka: topic records after stop", r["topic_records"], "{:,}")
            put("record kafka: recorder's stopped: recorded", r["stopped_recorded"], "{:,}",
                "must equal the topic's records")
    if "kafka" in rec and "file" in rec:
        k = rec["kafka"]
        put("record kafka records/s into the topic / file records/s",
            (k["kafka_in_run"] / max(1e-3, k["kafka_run_seconds"])) / (rec["file"]["recorded"] / rec["file"]["seconds"]),
            "{:.2f}")
    if "direct" in rec:
        put("record direct: other load %", rec["direct"]["other"], "{}")
    base = rep.get("file")
    one = rep.get("group-1")
    for name in ["file", "alone"] + sorted((n for n in rep if n.startswith("group-")), key=lambda n: int(n[6:])):
        r = rep.get(name)
        if not r:
            continue
        rate = r["n"] / r["wall"]
        put(f"replay {name}: wall s", r["wall"], "{:.1f}",
            "start to the last process's exit, JVM start included" + ("; merge apart" if r["workers"] else ""))
        put(f"replay {name}: exchanges/s", rate, "{:,.0f}")
        if base and name != "file":
            put(f"replay {name}/file exchanges/s", rate / (base["n"] / base["wall"]), "{:.2f}")
        if one and name.startswith("group-") and name != "group-1":
            put(f"replay {name}/group-1 exchanges/s", rate / (one["n"] / one["wall"]), "{:.2f}")
        if r["workers"]:
            put(f"replay {name}: merge s", r["merge"], "{:.1f}")
            put(f"replay {name}: first worker's exit s", min(r["worker_walls"]), "{:.1f}")
        put(f"replay {name}: exchanges", r["exchanges"], "{:,}",
            ("= N" if r["exchanges"] == r["n"] else f"MISMATCH, N = {r['n']:,}")
            + (f"; shares {'/'.join(str(s) for s in r['shares'])}" if r["workers"] > 1 else ""))
        if r["workers"] > 1 and None not in r["shares"]:
            put(f"replay {name}: redone", sum(r["shares"]) - r["n"], "{:,}",
                "the workers' own summaries together minus N: exchanges replayed by a worker after a rebalance"
                " took their partition, left out by the merge")
        put(f"replay {name}: compared / matched / errors",
            f"{r['compared']} / {r['matched']} / {r['errors']}", "{}")
        put(f"replay {name}: CPU s workers / broker / nginx",
            f"{r['cpu_workers']:.1f} / {r['cpu_broker']:.1f} / {r['cpu_nginx']:.1f}", "{}")
        put(f"replay {name}: other load %", r["other"], "{}")
    return out


def main():
    rows = load(sys.argv[1])
    runs = sorted({r["run"] for r in rows if "run" in r})
    for e in rows:
        if e["kind"] == "export" and sys.argv[2] in ("all", str(runs[0]) if runs else ""):
            print(f"RESULT publish {e['n']:,} exchanges (shadow export to the topic): {e['seconds']:.1f} s, "
                  f"{e['n'] / e['seconds']:,.0f}/s, topic records {e['topic_records']:,}")
    if sys.argv[2] != "all":
        run = int(sys.argv[2])
        for key, (v, fmt, note) in figures(rows, run).items():
            print(f"RESULT run {run} {key}: {fmt.format(v)}" + (f" ({note})" if note else ""))
        return
    per_run = [figures(rows, run) for run in runs]
    print(f"== summary of {len(runs)} runs: median [min .. max]")
    for key, (_, fmt, note) in per_run[0].items():
        vals = [f[key][0] for f in per_run if key in f]
        notes = list(dict.fromkeys(f[key][2] for f in per_run if key in f))
        note = " | ".join(notes) if len(notes) > 1 else note
        if all(isinstance(v, (int, float)) for v in vals):
            print(f"RESULT {key}: {fmt.format(statistics.median(vals))} [{fmt.format(min(vals))} .. "
                  f"{fmt.format(max(vals))}]" + (f" ({note})" if note else ""))
        else:
            print(f"RESULT {key}: {' | '.join(str(v) for v in vals)}" + (f" ({note})" if note else ""))


if __name__ == "__main__":
    main()
