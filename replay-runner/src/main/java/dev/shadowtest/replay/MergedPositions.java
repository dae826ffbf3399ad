package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SourcePositions;
import dev.shadowtest.core.SourcePositions.Partition;
import dev.shadowtest.core.SourcePositions.Range;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The positions of the runs {@code shadow merge} is given when they are the workers of one run of
 * a partitioned source: a Kafka topic read by a consumer group, each worker writing its own run
 * directory with its {@code positions.json} ({@link SourcePositions}, docs/run-format.md).
 *
 * <p>An offset belongs to the first input, in the order given, whose done ranges hold it: its
 * result line is taken from that input only, so every exchange counts once however many workers
 * replayed it, and a worker's lines beyond what it confirmed are left to the worker that did.
 * Offsets within the run's bounds that no input finished are missing. Only ranges are held, per
 * input and partition, never the ids read: memory does not grow with the results.
 *
 * <pre>{@code
 * MergedPositions p = MergedPositions.of(dirs); // null when no input keeps positions
 * if (p.claim(input, SourcePositions.place(id)) == Claim.OWNED) { ... keep the line ... }
 * p.merged().write(out);
 * }</pre>
 */
final class MergedPositions {

  /** Whether an input's result line at a position is the one merged. */
  enum Claim {
    /** The input is the first whose done ranges hold the offset: its line counts. */
    OWNED,
    /** An earlier input finished the offset too: its line counts, not this one. */
    DONE_EARLIER,
    /** The input never confirmed the offset done (a line written after its last checkpoint). */
    NOT_DONE
  }

  /** At most this many missing ranges are named in the warning; the rest are counted. */
  static final int LISTED_MISSING = 20;

  private final SourcePositions first;

  /** The run's bounds of every partition some input read. */
  private final Map<Integer, Range> bounds;

  /** Per input, per partition: its done ranges, and those it owns. */
  private final List<Map<Integer, Ranges>> done;

  private final List<Map<Integer, Ranges>> owned;

  /** Per partition, what any input finished. */
  private final Map<Integer, Ranges> union;

  private MergedPositions(
      SourcePositions first,
      Map<Integer, Range> bounds,
      List<Map<Integer, Ranges>> done,
      List<Map<Integer, Ranges>> owned,
      Map<Integer, Ranges> union) {
    this.first = first;
    this.bounds = bounds;
    this.done = done;
    this.owned = owned;
    this.union = union;
  }

  /**
   * The positions of {@code dirs}, or null when none keeps {@code positions.json}.
   *
   * @throws BadInputException when some keep positions and others do not, or they are not the
   *     workers of one run (another stream or group, other bounds or partition count)
   * @throws RecordingException when a {@code positions.json} cannot be read or contradicts itself
   */
  static MergedPositions of(List<Path> dirs) {
    List<SourcePositions> all = new ArrayList<>(dirs.size());
    Path with = null;
    Path without = null;
    for (Path d : dirs) {
      SourcePositions p = SourcePositions.read(d);
      all.add(p);
      if (p == null && without == null) {
        without = d;
      } else if (p != null && with == null) {
        with = d;
      }
    }
    if (with == null) {
      return null;
    }
    if (without != null) {
      throw new BadInputException(
          with
              + " holds "
              + SourcePositions.FILE
              + " (a worker's share of a Kafka topic) and "
              + without
              + " does not (a replay of a recording file): merge the workers of one topic's run"
              + " together, and the shards of a recording together, not both");
    }
    SourcePositions first = all.get(0);
    Path firstDir = dirs.get(0);
    Map<Integer, Range> bounds = new TreeMap<>();
    Map<Integer, Path> boundsFrom = new HashMap<>();
    List<Map<Integer, Ranges>> done = new ArrayList<>(dirs.size());
    List<Map<Integer, Ranges>> owned = new ArrayList<>(dirs.size());
    Map<Integer, Ranges> union = new TreeMap<>();
    for (int i = 0; i < dirs.size(); i++) {
      Path dir = dirs.get(i);
      SourcePositions p = all.get(i);
      Path file = dir.resolve(SourcePositions.FILE);
      check(p, file);
      if (!p.stream().equals(first.stream()) || !p.group().equals(first.group())) {
        throw notOneRun(
            dir
                + " read "
                + source(p)
                + ", "
                + firstDir
                + " "
                + source(first)
                + ": merge the workers of one consumer group's run of one stream");
      }
      if (p.partitionCount() != first.partitionCount()) {
        throw notOneRun(
            dir
                + " read a stream of "
                + p.partitionCount()
                + " partitions, "
                + firstDir
                + " one of "
                + first.partitionCount()
                + " (positions.json partitionCount)");
      }
      Map<Integer, Ranges> mine = new HashMap<>();
      Map<Integer, Ranges> own = new HashMap<>();
      for (Partition part : p.partitions()) {
        Range b = new Range(part.from(), part.until());
        Range known = bounds.putIfAbsent(part.partition(), b);
        if (known == null) {
          boundsFrom.put(part.partition(), dir);
        } else if (!known.equals(b)) {
          throw notOneRun(
              "partition "
                  + part.partition()
                  + " runs "
                  + bounds(b)
                  + " in "
                  + dir
                  + ", "
                  + bounds(known)
                  + " in "
                  + boundsFrom.get(part.partition())
                  + " (positions.json from, until)");
        }
        Ranges d = Ranges.of(part.done());
        Ranges before = union.getOrDefault(part.partition(), Ranges.NONE);
        mine.put(part.partition(), d);
        own.put(part.partition(), d.minus(before));
        union.put(part.partition(), before.union(d));
      }
      done.add(mine);
      owned.add(own);
    }
    return new MergedPositions(first, bounds, done, owned, union);
  }

  private static BadInputException notOneRun(String why) {
    return new BadInputException("not one run: " + why);
  }

  private static String source(SourcePositions p) {
    return "stream \"" + p.stream() + "\" in group \"" + p.group() + "\"";
  }

  private static String bounds(Range r) {
    return "from " + r.from() + " until " + r.until();
  }

  /** What a file must hold to be merged: partitions of the stream, done ranges in their bounds. */
  private static void check(SourcePositions p, Path file) {
    if (p.partitionCount() < 1) {
      throw new RecordingException(
          file, 0, "partitionCount: expected a positive number, not " + p.partitionCount());
    }
    Set<Integer> listed = new HashSet<>();
    for (Partition part : p.partitions()) {
      String where = "partition " + part.partition() + ": ";
      if (part.partition() < 0 || part.partition() >= p.partitionCount()) {
        throw new RecordingException(
            file, 0, where + "not a partition of a stream of partitionCount " + p.partitionCount());
      }
      if (!listed.add(part.partition())) {
        throw new RecordingException(file, 0, where + "listed twice");
      }
      if (part.from() < 0 || part.until() < part.from()) {
        throw new RecordingException(
            file, 0, where + "from " + part.from() + " until " + part.until() + " is no range");
      }
      for (Range r : part.done()) {
        if (r.until() < r.from() || r.from() < part.from() || r.until() > part.until()) {
          throw new RecordingException(
              file,
              0,
              where
                  + "done ["
                  + r.from()
                  + ", "
                  + r.until()
                  + ") is not a range within "
                  + bounds(new Range(part.from(), part.until())));
        }
      }
    }
  }

  /**
   * Whether the result line of input {@code input} (its index in the list given) at {@code at} is
   * the one merged.
   *
   * @param at partition and offset, as {@link SourcePositions#place} reads them from an id
   */
  Claim claim(int input, long[] at) {
    int partition = (int) at[0]; // place() reads no partition beyond an int
    long offset = at[1];
    Ranges own = owned.get(input).get(partition);
    if (own != null && own.contains(offset)) {
      return Claim.OWNED;
    }
    Ranges mine = done.get(input).get(partition);
    return mine != null && mine.contains(offset) ? Claim.DONE_EARLIER : Claim.NOT_DONE;
  }

  /** True when the inputs together finished every offset of every partition within the bounds. */
  boolean complete() {
    return missingCount() == 0;
  }

  /** How many ranges are missing: one per partition no input read, one per gap in the others. */
  long missingCount() {
    long n = first.partitionCount() - (long) bounds.size();
    for (Map.Entry<Integer, Range> b : bounds.entrySet()) {
      n += missing(b.getKey(), b.getValue()).size();
    }
    return n;
  }

  /**
   * The offsets no input finished, per partition, the first {@value #LISTED_MISSING} ranges named:
   * {@code "partition 2: offsets 100-199, 300-349; partition 5: never read by any worker; and 4
   * more"}. Empty when nothing is missing.
   */
  String describeMissing() {
    long total = missingCount();
    if (total == 0) {
      return "";
    }
    StringBuilder s = new StringBuilder();
    int listed = 0;
    for (int p = 0; p < first.partitionCount() && listed < LISTED_MISSING; p++) {
      Range b = bounds.get(p);
      List<Range> gaps = b == null ? null : missing(p, b);
      if (gaps != null && gaps.isEmpty()) {
        continue;
      }
      if (listed > 0) {
        s.append("; ");
      }
      s.append("partition ").append(p).append(": ");
      if (gaps == null) {
        s.append("never read by any worker");
        listed++;
        continue;
      }
      boolean one = gaps.size() == 1 && gaps.get(0).until() - gaps.get(0).from() == 1;
      s.append(one ? "offset " : "offsets ");
      for (int i = 0; i < gaps.size() && listed < LISTED_MISSING; i++, listed++) {
        Range g = gaps.get(i);
        s.append(i == 0 ? "" : ", ")
            .append(g.until() - g.from() == 1 ? String.valueOf(g.from()) : g.toString());
      }
    }
    if (total > listed) {
      s.append("; and ").append(total - listed).append(" more");
    }
    return s.toString();
  }

  private List<Range> missing(int partition, Range bounds) {
    return Ranges.of(List.of(bounds)).minus(union.getOrDefault(partition, Ranges.NONE)).list();
  }

  /**
   * The merged run's positions: the inputs' done ranges together, per partition, in the same
   * bounds; merged again with further workers, it is one more input like theirs.
   */
  SourcePositions merged() {
    List<Partition> parts = new ArrayList<>();
    for (Map.Entry<Integer, Range> b : bounds.entrySet()) {
      parts.add(
          new Partition(
              b.getKey(),
              b.getValue().from(),
              b.getValue().until(),
              union.getOrDefault(b.getKey(), Ranges.NONE).list()));
    }
    return new SourcePositions(first.stream(), first.group(), first.partitionCount(), parts);
  }

  /** Offsets as sorted, disjoint, non-adjacent ranges, searched by halves. */
  private static final class Ranges {
    static final Ranges NONE = new Ranges(new long[0], new long[0]);

    private final long[] from;
    private final long[] until;

    private Ranges(long[] from, long[] until) {
      this.from = from;
      this.until = until;
    }

    /** {@code ranges} in any order, overlapping or not; empty ones are left out. */
    static Ranges of(List<Range> ranges) {
      List<Range> sorted =
          ranges.stream()
              .filter(r -> r.until() > r.from())
              .sorted(Comparator.comparingLong(Range::from))
              .toList();
      long[] f = new long[sorted.size()];
      long[] u = new long[sorted.size()];
      int n = 0;
      for (Range r : sorted) {
        if (n > 0 && r.from() <= u[n - 1]) {
          u[n - 1] = Math.max(u[n - 1], r.until());
        } else {
          f[n] = r.from();
          u[n] = r.until();
          n++;
        }
      }
      return new Ranges(Arrays.copyOf(f, n), Arrays.copyOf(u, n));
    }

    boolean contains(long offset) {
      int i = Arrays.binarySearch(from, offset);
      int at = i >= 0 ? i : -i - 2; // the last range starting at or before offset
      return at >= 0 && offset < until[at];
    }

    Ranges union(Ranges other) {
      List<Range> all = new ArrayList<>(list());
      all.addAll(other.list());
      return of(all);
    }

    /** These offsets without those of {@code other}. */
    Ranges minus(Ranges other) {
      List<Range> out = new ArrayList<>();
      int j = 0;
      for (int i = 0; i < from.length; i++) {
        long start = from[i];
        long end = until[i];
        while (j < other.from.length && other.until[j] <= start) {
          j++;
        }
        int k = j;
        while (start < end && k < other.from.length && other.from[k] < end) {
          if (other.from[k] > start) {
            out.add(new Range(start, other.from[k]));
          }
          start = Math.max(start, other.until[k]);
          k++;
        }
        if (start < end) {
          out.add(new Range(start, end));
        }
      }
      return of(out);
    }

    List<Range> list() {
      List<Range> out = new ArrayList<>(from.length);
      for (int i = 0; i < from.length; i++) {
        out.add(new Range(from[i], until[i]));
      }
      return out;
    }
  }
}
