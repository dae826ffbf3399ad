#!/usr/bin/env python3
"""How a gzipped recording is cut into gzip members: one per batch of the recorder's encoders.

usage: gzip-members.py REC.jsonl.gz

Prints the number of members, the lines (the header line included) and the bytes of the file,
the mean lines per member, how many lines sit in members of at most 4 lines (what a connection
thread that helps the encoders writes) and how many members hold one line. Each member starts
with an empty deflate window and a reset deflater: the fewer lines it holds, the more each line
costs to compress and the more room it takes. Not part of `mvn verify`.
"""
import sys
import zlib

CHUNK = 64 * 1024


def members(data):
    """Yields the number of lines of each member of data (a memoryview over the whole file)."""
    pos = 0
    while pos < len(data):
        d = zlib.decompressobj(31)  # one gzip member
        lines = 0
        while True:
            chunk = data[pos:pos + CHUNK]
            lines += d.decompress(chunk).count(b"\n")
            if d.eof:
                pos += len(chunk) - len(d.unused_data)
                break
            pos += len(chunk)
            if pos >= len(data):
                break
        yield lines
        if not d.eof:
            print("warning: the file ends inside its last member (cut off)", file=sys.stderr)
            return


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2])
    data = memoryview(open(sys.argv[1], "rb").read())
    count = lines = in_small = ones = 0
    for n in members(data):
        count += 1
        lines += n
        in_small += n if n <= 4 else 0
        ones += n == 1
    if count == 0:
        sys.exit("empty file: " + sys.argv[1])
    print("members %d, lines %d, bytes %d, %.1f lines per member; lines in members of at most 4: "
          "%d (%.1f%%); one-line members: %d"
          % (count, lines, len(data), lines / count, in_small, 100.0 * in_small / max(lines, 1),
             ones))


if __name__ == "__main__":
    main()
