#!/usr/bin/env python3
"""Writes a Shadow recording of N GET requests whose recorded response is the body nginx serves.

usage: generate.py OUT.jsonl[.gz] N BODY_FILE PATH
"""
import gzip, json, sys

out, n, body_file, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
body = open(body_file, encoding="utf-8").read()
opener = gzip.open if out.endswith(".gz") else open
with opener(out, "wt", encoding="utf-8") as f:
    f.write(json.dumps({"format": "shadow-recording", "version": 1, "createdAt": "2026-11-25T00:00:00Z",
                        "source": "benchmark", "redaction": {"headers": [], "jsonPaths": []}}) + "\n")
    for i in range(n):
        f.write(json.dumps({
            "id": "b%08d" % i, "startedAt": "2026-11-25T00:00:00Z", "durationMicros": 100,
            "request": {"method": "GET", "target": path + "?i=%d" % (i % 1000), "httpVersion": "HTTP/1.1",
                        "headers": [["Host", "legacy"], ["Accept", "application/json"]], "body": None},
            "response": {"status": 200, "reason": "OK", "headers": [["Content-Type", "application/json"]],
                         "body": {"text": body}}}, separators=(",", ":")) + "\n")
