package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.diff.run.SummaryJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which shards of which recordings the runs given to {@code shadow merge} hold: a merged run
 * counts each exchange once and all of them, or says it does not. Runs are grouped by their
 * recordings' file names (shards replayed on other machines name them from other directories);
 * the days of a live run (distinct exchanges, one recording file) each stand alone. Refused: a recording in two groups, two runs of one
 * recording of which one is not sharded, shards of one recording cut in different counts, a shard
 * given twice. Shards missing from a group make the merged run incomplete; its summary then names
 * the shards it holds ({@code 1,2/3}), so that it can be merged again with the others.
 */
final class ShardCoverage {

  /** The shards of one group: {@code count} 0 for an unsharded run. */
  private static final class Group {
    final String recordings;
    final Path first;
    int count;
    final TreeSet<Integer> held = new TreeSet<>();

    Group(String recordings, Path first) {
      this.recordings = recordings;
      this.first = first;
    }
  }

  private final Map<String, Group> groups;

  private ShardCoverage(Map<String, Group> groups) {
    this.groups = groups;
  }

  /** Checks the runs in {@code dirs}, whose summaries' metadata are {@code metas}. */
  static ShardCoverage of(List<Path> dirs, List<SummaryJson.Meta> metas) {
    Map<String, Group> groups = new LinkedHashMap<>();
    Map<String, String> groupOfRecording = new HashMap<>();
    for (int i = 0; i < dirs.size(); i++) {
      Path dir = dirs.get(i);
      SummaryJson.Meta m = metas.get(i);
      if (m.liveDay() != null) {
        continue; // a live day's exchanges are its own
      }
      List<String> names = new ArrayList<>();
      for (String r : m.recordings()) {
        names.add(fileName(r));
      }
      String key = String.join(", ", names);
      for (String recording : names) {
        String other = groupOfRecording.putIfAbsent(recording, key);
        if (other != null && !other.equals(key)) {
          throw new BadInputException(
              dir
                  + " replayed "
                  + recording
                  + ", and so did "
                  + groups.get(other).first
                  + " with other recordings: its exchanges would count twice; merge runs of"
                  + " distinct recordings, or the shards of one run");
        }
      }
      Group g = groups.get(key);
      boolean sharded = m.shard() != null;
      int count = sharded ? count(dir, m.shard()) : 0;
      if (g == null) {
        g = new Group(key, dir);
        g.count = count;
        groups.put(key, g);
      } else if (g.count == 0 || count == 0) {
        throw new BadInputException(
            dir
                + " and "
                + g.first
                + " both replayed "
                + key
                + (count == 0 && g.count == 0 ? ", whole" : ", one of them whole (not a --shard)")
                + ": its exchanges would count twice");
      } else if (g.count != count) {
        throw new BadInputException(
            dir
                + " holds shard "
                + m.shard()
                + " of "
                + key
                + ", "
                + g.first
                + " a shard of "
                + g.count
                + ": shards of different counts overlap; merge the shards of one --shard I/N"
                + " split");
      }
      if (sharded) {
        for (int index : indices(dir, m.shard())) {
          if (!g.held.add(index)) {
            throw new BadInputException(
                dir
                    + " holds shard "
                    + index
                    + "/"
                    + count
                    + " of the same recording as another directory: its exchanges would count"
                    + " twice");
          }
        }
      }
    }
    return new ShardCoverage(groups);
  }

  /** The file name of a recording as a summary names it: what follows its last slash. */
  private static String fileName(String recording) {
    String r = recording.replace('\\', '/');
    while (r.endsWith("/") && r.length() > 1) {
      r = r.substring(0, r.length() - 1);
    }
    return r.substring(r.lastIndexOf('/') + 1);
  }

  /** How the abort reason of a merge that lacks shards begins (and nothing else's). */
  static final String MISSING = "shards missing: ";

  /** The merged run's abort reason when it lacks shards: {@code shards missing: 2/3 of r.jsonl}. */
  String reason() {
    List<String> parts = new ArrayList<>();
    for (Group g : groups.values()) {
      List<String> absent = absent(g);
      if (!absent.isEmpty()) {
        parts.add(String.join(", ", absent) + " of " + g.recordings);
      }
    }
    return MISSING + String.join("; ", parts) + " (merge this run again with them)";
  }

  /** The shards {@code g} lacks, as {@code I/N}; none for an unsharded run. */
  private static List<String> absent(Group g) {
    List<String> absent = new ArrayList<>();
    for (int i = 1; i <= g.count; i++) {
      if (!g.held.contains(i)) {
        absent.add(i + "/" + g.count);
      }
    }
    return absent;
  }

  /** Every group whole: all its shards, or one unsharded run. */
  boolean complete() {
    return missing().isEmpty();
  }

  /** One line per group with shards missing, naming them. */
  List<String> missing() {
    List<String> out = new ArrayList<>();
    for (Group g : groups.values()) {
      if (g.count > 0 && g.held.size() < g.count) {
        List<String> absent = absent(g);
        out.add(
            "the merged run is incomplete: shard"
                + (absent.size() == 1 ? " " : "s ")
                + String.join(", ", absent)
                + " of "
                + g.recordings
                + (absent.size() == 1 ? " is" : " are")
                + " missing (merge this run again with "
                + (absent.size() == 1 ? "it" : "them")
                + " when done)");
      }
    }
    return out;
  }

  /**
   * The merged run's {@code shard}: null when complete, else the shards it holds ({@code 1,2/3})
   * when it holds part of one recording; runs of several recordings merged incomplete cannot be
   * merged again, and are named {@code partial}.
   */
  String mergedShard() {
    if (complete()) {
      return null;
    }
    if (groups.size() == 1) {
      Group g = groups.values().iterator().next();
      StringBuilder b = new StringBuilder();
      for (int i : g.held) {
        b.append(b.length() == 0 ? "" : ",").append(i);
      }
      return b + "/" + g.count;
    }
    return PARTIAL;
  }

  static final String PARTIAL = "partial";

  /** The N of {@code I/N} or {@code I,J,.../N}. */
  private static int count(Path dir, String shard) {
    if (PARTIAL.equals(shard)) {
      throw new BadInputException(
          dir
              + " is an incomplete merge of runs of several recordings: it cannot be merged"
              + " again; merge all its inputs and the missing shards at once");
    }
    int slash = shard.lastIndexOf('/');
    try {
      int n = Integer.parseInt(shard.substring(slash + 1).strip());
      if (slash > 0 && n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // told below
    }
    throw new BadInputException(
        dir + ": summary.json: field \"shard\": expected I/N (2/4), got \"" + shard + "\"");
  }

  private static List<Integer> indices(Path dir, String shard) {
    int n = count(dir, shard);
    List<Integer> out = new ArrayList<>();
    for (String part : shard.substring(0, shard.lastIndexOf('/')).split(",")) {
      try {
        int i = Integer.parseInt(part.strip());
        if (i >= 1 && i <= n) {
          out.add(i);
          continue;
        }
      } catch (NumberFormatException e) {
        // told below
      }
      throw new BadInputException(
          dir + ": summary.json: field \"shard\": expected I/N (2/4), got \"" + shard + "\"");
    }
    return out;
  }
}
