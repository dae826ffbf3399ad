package dev.shadowtest.diff;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.SecureFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What {@code shadow diff} compares: two body files, or the responses of two recordings
 * exchange by exchange (paired by id, position or request).
 *
 * <pre>{@code
 * ResponseDiff d = FileDiff.bodies(Path.of("old.json"), Path.of("new.json"), Rules.defaults().defaultRule());
 * }</pre>
 */
public final class FileDiff {

  private FileDiff() {}

  /** One exchange of two recordings compared; {@code right} is null when only the left has it. */
  public record ExchangeDiff(Exchange left, Exchange right, ResponseDiff diff) {}

  /**
   * Totals of a recording comparison.
   *
   * @param unpaired   why nothing could be paired although both recordings have exchanges, or null
   * @param unreadable lines of either recording that could not be read (skipped, each named in a warning)
   */
  public record Totals(
      long compared,
      long different,
      long onlyLeft,
      long onlyRight,
      String unpaired,
      long unreadable) {}

  /** How the exchanges of two recordings are paired. */
  public enum MatchBy {
    /** By exchange id: the same recording replayed, or one recorder's two files. */
    ID,
    /** By position: the n-th exchange of each (two recorders that saw the same traffic in order). */
    ORDER,
    /** By method, target and occurrence: the n-th {@code GET /x?y} of each. */
    REQUEST
  }

  /** True when {@code file} starts like a Shadow recording (plain or gzip). */
  public static boolean isRecording(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(64);
      if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
        return true; // gzip: recordings are the gzip files Shadow reads
      }
      return new String(head, StandardCharsets.UTF_8)
          .replace(" ", "")
          .startsWith("{\"format\":\"shadow-recording\"");
    } catch (IOException e) {
      return false;
    }
  }

  /** Body files larger than this are refused unless a larger limit is given. */
  public static final long MAX_BODY_FILE = 64L << 20;

  /** Compares two body files; the kind comes from the extension (.json, .xml, .txt, .form) or sniffing. */
  public static ResponseDiff bodies(Path left, Path right, EndpointRule rule) {
    return bodies(left, right, rule, MAX_BODY_FILE);
  }

  /**
   * As {@link #bodies(Path, Path, EndpointRule)}, refusing a file (or a device, a pipe) of more
   * than {@code maxBytes} bytes with an error naming it, after reading at most that many.
   */
  public static ResponseDiff bodies(Path left, Path right, EndpointRule rule, long maxBytes) {
    HttpResponse l = new HttpResponse(200, "", typeOf(left), Body.of(read(left, maxBytes)));
    HttpResponse r = new HttpResponse(200, "", typeOf(right), Body.of(read(right, maxBytes)));
    return DiffEngine.of(Rules.defaults()).compare(l, r, rule.withIgnoredHeader("Content-Type"));
  }

  /** Compares by exchange id (see {@link #recordings(Path, Path, Rules, EndpointRule, MatchBy, Consumer)}). */
  public static Totals recordings(
      Path left, Path right, Rules rules, EndpointRule rule, Consumer<ExchangeDiff> sink) {
    return recordings(left, right, rules, rule, MatchBy.ID, sink);
  }

  /** As the full form, with reading warnings dropped. */
  public static Totals recordings(
      Path left,
      Path right,
      Rules rules,
      EndpointRule rule,
      MatchBy by,
      Consumer<ExchangeDiff> sink) {
    return recordings(left, right, rules, rule, by, sink, w -> {}, MEMORY_BUDGET);
  }

  /**
   * Exchanges of the right recording held in memory at once, in estimated bytes: beyond, both
   * recordings are split by key into temporary files (owner-only, deleted after) that each fit.
   */
  public static final long MEMORY_BUDGET = 64L << 20;

  /**
   * Compares the responses of two recordings, pairing their exchanges {@code by} id, position or
   * request, calling {@code sink} for each pair that differs and each exchange on one side only.
   * By order both are streamed. By id and by request the right recording is held in memory while
   * it fits {@code budget} bytes, and the pairs come in the left recording's order; a larger one
   * is split into partitions by key on disk first, and the pairs come partition by partition.
   * Memory stays bounded whatever the sizes. {@code rule} overrides the rules' choice per exchange
   * when not null. Each response's own recorded Host is normalised like a replay target's address.
   */
  public static Totals recordings(
      Path left,
      Path right,
      Rules rules,
      EndpointRule rule,
      MatchBy by,
      Consumer<ExchangeDiff> sink,
      Consumer<String> warnings,
      long budget) {
    DiffEngine engine = DiffEngine.of(rules);
    long[] t = new long[4]; // compared, different, onlyLeft, onlyRight
    long[] unreadable = new long[1];
    Consumer<Exchange[]> pair =
        p -> {
          if (p[1] == null) {
            t[2]++;
            sink.accept(new ExchangeDiff(p[0], null, null));
          } else if (p[0] == null) {
            t[3]++;
            sink.accept(new ExchangeDiff(null, p[1], null));
          } else {
            t[0]++;
            ResponseDiff d = compareResponses(engine, p[0], p[1], rule);
            if (!d.matches()) {
              t[1]++;
              sink.accept(new ExchangeDiff(p[0], p[1], d));
            }
          }
        };
    if (by == MatchBy.ORDER) {
      try (RecordingReader l = RecordingReader.open(left, warnings);
          RecordingReader r = RecordingReader.open(right, warnings)) {
        while (l.hasNext() || r.hasNext()) {
          pair.accept(
              new Exchange[] {l.hasNext() ? l.next() : null, r.hasNext() ? r.next() : null});
        }
        unreadable[0] += l.unreadable() + r.unreadable();
      }
    } else {
      Map<String, Exchange> byKey = loadWithin(right, by, budget, warnings, unreadable);
      if (byKey != null) {
        pairStreaming(left, by, byKey, pair, warnings, unreadable);
      } else {
        unreadable[0] = 0; // counted again while splitting
        partitioned(left, right, by, budget, pair, warnings, unreadable);
      }
    }
    String unpaired = null;
    if (t[0] == 0 && t[2] > 0 && t[3] > 0) {
      unpaired =
          by == MatchBy.ID
              ? "no exchange id appears in both recordings (two recorders give the same traffic different ids):"
                  + " pair them by position with --match-by order, or by request with --match-by request"
              : "no request (method and target) appears in both recordings: they hold different traffic";
    }
    return new Totals(t[0], t[1], t[2], t[3], unpaired, unreadable[0]);
  }

  /** The right recording by key, or null when it does not fit {@code budget}. */
  private static Map<String, Exchange> loadWithin(
      Path right, MatchBy by, long budget, Consumer<String> warnings, long[] unreadable) {
    Map<String, Exchange> byKey = new LinkedHashMap<>();
    Map<String, Integer> occurrences = new HashMap<>();
    long bytes = 0;
    List<String> held =
        new ArrayList<>(); // told only if the recording fits: splitting tells them again
    try (RecordingReader r = RecordingReader.open(right, held::add)) {
      while (r.hasNext()) {
        Exchange e = r.next();
        bytes += cost(e);
        if (bytes > budget) {
          return null;
        }
        byKey.put(key(e, by, occurrences), e);
      }
      unreadable[0] += r.unreadable();
    }
    held.forEach(warnings);
    return byKey;
  }

  private static void pairStreaming(
      Path left,
      MatchBy by,
      Map<String, Exchange> byKey,
      Consumer<Exchange[]> pair,
      Consumer<String> warnings,
      long[] unreadable) {
    Map<String, Integer> occurrences = new HashMap<>();
    try (RecordingReader l = RecordingReader.open(left, warnings)) {
      while (l.hasNext()) {
        Exchange e = l.next();
        pair.accept(new Exchange[] {e, byKey.remove(key(e, by, occurrences))});
      }
      unreadable[0] += l.unreadable();
    }
    for (Exchange e : byKey.values()) {
      pair.accept(new Exchange[] {null, e});
    }
  }

  /** What an exchange costs in memory, roughly: its bodies and a fixed share for the rest. */
  private static long cost(Exchange e) {
    return 1024
        + 2
            * (e.request().body().bytes().length
                + (e.response() == null ? 0 : (long) e.response().body().bytes().length));
  }

  private static final String KEY_TAG = "shadow.diffKey";

  /** Splits both recordings by key into partitions that each fit the budget, then pairs partition by partition. */
  private static void partitioned(
      Path left,
      Path right,
      MatchBy by,
      long budget,
      Consumer<Exchange[]> pair,
      Consumer<String> warnings,
      long[] unreadable) {
    long size = 0;
    try {
      size = Files.size(right);
    } catch (IOException e) {
      // estimated below from what is read
    }
    // compressed recordings expand about tenfold in memory; at least 4 partitions, at most 4,096
    int parts = (int) Math.max(4, Math.min(4096, 20 * Math.max(size, 1) / budget + 1));
    Path work;
    try {
      work =
          Files.createTempDirectory(
              "shadow-diff-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new RecordingException(
          Path.of(System.getProperty("java.io.tmpdir")),
          0,
          "cannot create a temporary directory to compare large recordings: " + e.getMessage(),
          e);
    }
    try {
      unreadable[0] += split(right, by, work.resolve("right-"), parts, warnings);
      unreadable[0] += split(left, by, work.resolve("left-"), parts, warnings);
      for (int i = 0; i < parts; i++) {
        Map<String, Exchange> byKey = new LinkedHashMap<>();
        Path r = work.resolve("right-" + i + ".jsonl.gz");
        Path l = work.resolve("left-" + i + ".jsonl.gz");
        if (Files.exists(r)) {
          try (RecordingReader reader = RecordingReader.open(r)) {
            reader.forEachRemaining(e -> byKey.put(e.tags().get(KEY_TAG), untagged(e)));
          }
        }
        if (Files.exists(l)) {
          try (RecordingReader reader = RecordingReader.open(l)) {
            while (reader.hasNext()) {
              Exchange e = reader.next();
              pair.accept(new Exchange[] {untagged(e), byKey.remove(e.tags().get(KEY_TAG))});
            }
          }
        }
        for (Exchange e : byKey.values()) {
          pair.accept(new Exchange[] {null, e});
        }
      }
    } finally {
      try {
        SecureFiles.deleteTree(work);
      } catch (IOException e) {
        warnings.accept("could not delete the temporary directory " + work + ": " + e.getMessage());
      }
    }
  }

  /** Writes the exchanges of {@code recording} into {@code parts} files by key; returns its unreadable lines. */
  private static long split(
      Path recording, MatchBy by, Path prefix, int parts, Consumer<String> warnings) {
    RecordingWriter[] writers = new RecordingWriter[parts];
    Map<String, Integer> occurrences = new HashMap<>();
    try (RecordingReader r = RecordingReader.open(recording, warnings)) {
      RecordingHeader header = RecordingHeader.now("shadow-diff", r.header().redaction());
      while (r.hasNext()) {
        Exchange e = r.next();
        String key = key(e, by, occurrences);
        int part = Math.floorMod(key.hashCode(), parts);
        if (writers[part] == null) {
          writers[part] =
              RecordingWriter.create(
                  Path.of(prefix + Integer.toString(part) + ".jsonl.gz"), header, 1);
        }
        Map<String, String> tags = new TreeMap<>(e.tags());
        tags.put(KEY_TAG, key);
        writers[part].write(
            new Exchange(
                e.id(),
                e.startedAt(),
                e.durationMicros(),
                e.request(),
                e.response(),
                e.error(),
                tags));
      }
      return r.unreadable();
    } finally {
      for (RecordingWriter w : writers) {
        if (w != null) {
          w.close();
        }
      }
    }
  }

  private static Exchange untagged(Exchange e) {
    Map<String, String> tags = new TreeMap<>(e.tags());
    tags.remove(KEY_TAG);
    return new Exchange(
        e.id(), e.startedAt(), e.durationMicros(), e.request(), e.response(), e.error(), tags);
  }

  private static String key(Exchange e, MatchBy by, Map<String, Integer> occurrences) {
    if (by == MatchBy.ID) {
      // an id repeated in a recording (concatenated files) pairs by occurrence: the second e1
      // with the other side's second e1, never dropped
      int n = occurrences.merge(e.id(), 1, Integer::sum);
      return n == 1 ? e.id() : e.id() + "\u0000" + n;
    }
    String request = e.request().method().toUpperCase(Locale.ROOT) + " " + e.request().target();
    return request + "#" + occurrences.merge(request, 1, Integer::sum);
  }

  private static ResponseDiff compareResponses(
      DiffEngine engine, Exchange left, Exchange right, EndpointRule rule) {
    if (left.response() == null || right.response() == null) {
      if (left.response() == null && right.response() == null) {
        return new ResponseDiff(List.of(), List.of());
      }
      String l =
          left.response() == null
              ? "no response (" + left.error() + ")"
              : Integer.toString(left.response().status());
      String r =
          right.response() == null
              ? "no response (" + right.error() + ")"
              : Integer.toString(right.response().status());
      return new ResponseDiff(
          List.of(new Difference("status", "status", DifferenceType.STATUS, l, r)), List.of());
    }
    EndpointRule effective = rule != null ? rule : engine.ruleFor(left.request());
    return engine.compare(
        left.response(),
        Origin.recorded(left.request().headers().first("Host").orElse(null)),
        right.response(),
        Origin.recorded(right.request().headers().first("Host").orElse(null)),
        effective);
  }

  private static Headers typeOf(Path file) {
    String name =
        file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    String type =
        name.endsWith(".json")
            ? "application/json"
            : name.endsWith(".xml")
                ? "application/xml"
                : name.endsWith(".txt") || name.endsWith(".html") || name.endsWith(".csv")
                    ? "text/plain"
                    : name.endsWith(".form") ? "application/x-www-form-urlencoded" : null;
    return type == null ? Headers.empty() : Headers.of("Content-Type", type);
  }

  private static byte[] read(Path file, long maxBytes) {
    if (Files.isDirectory(file)) {
      throw new RecordingException(file, 0, "is a directory, expected a file");
    }
    int max = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) {
        throw new RecordingException(
            file,
            0,
            "is larger than "
                + max
                + " bytes, the most shadow diff compares"
                + " (--max-body raises it)");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new RecordingException(file, 0, "no such file", e);
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }
}
