#!/usr/bin/env python3
"""Writes a Shadow recording of N GET requests whose recorded response is the body nginx serves.

usage: generate.py OUT.jsonl[.gz] N BODY_FILE PATH [VERSION]

VERSION 1 (default) stores the body as a JSON string; 2 stores it raw after the line's JSON
(docs/recording-format.md), escaping only backslash, LF and CR.
"""
import gzip, json, sys

out, n, body_file, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
version = int(sys.argv[5]) if len(sys.argv) > 5 else 1
body = open(body_file, encoding="utf-8").read()
raw = body.encode("utf-8")
escaped = raw.replace(b"\\", b"\\\\").replace(b"\n", b"\\n").replace(b"\r", b"\\r").decode("utf-8")
def opener(name, mode, encoding):  # gzip level 1: a million 20 KB lines are written in a minute
    return gzip.open(name, mode, compresslevel=1, encoding=encoding) if name.endswith(".gz") else open(name, mode, encoding=encoding)
with opener(out, "wt", encoding="utf-8") as f:
    f.write(json.dumps({"format": "shadow-recording", "version": version, "createdAt": "2026-11-25T00:00:00Z",
                        "source": "benchmark", "redaction": {"headers": [], "jsonPaths": []}}) + "\n")
    stored = {"text": body} if version == 1 else {"raw": len(raw)}
    tail = "" if version == 1 else "\t" + escaped
    for i in range(n):
        f.write(json.dumps({
            "id": "b%08d" % i, "startedAt": "2026-11-25T00:00:00Z", "durationMicros": 100,
            "request": {"method": "GET", "target": path + "?i=%d" % (i % 1000), "httpVersion": "HTTP/1.1",
                        "headers": [["Host", "legacy"], ["Accept", "application/json"]], "body": None},
            "response": {"status": 200, "reason": "OK", "headers": [["Content-Type", "application/json"]],
                         "body": stored}}, separators=(",", ":")) + tail + "\n")
