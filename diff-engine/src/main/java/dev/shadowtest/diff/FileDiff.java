package dev.shadowtest.diff;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
   * @param unpaired why nothing could be paired although both recordings have exchanges, or null
   */
  public record Totals(long compared, long different, long onlyLeft, long onlyRight, String unpaired) {}

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
      return new String(head, StandardCharsets.UTF_8).replace(" ", "").startsWith("{\"format\":\"shadow-recording\"");
    } catch (IOException e) {
      return false;
    }
  }

  /** Compares two body files; the kind comes from the extension (.json, .xml, .txt, .form) or sniffing. */
  public static ResponseDiff bodies(Path left, Path right, EndpointRule rule) {
    HttpResponse l = new HttpResponse(200, "", typeOf(left), Body.of(read(left)));
    HttpResponse r = new HttpResponse(200, "", typeOf(right), Body.of(read(right)));
    return DiffEngine.of(Rules.defaults()).compare(l, r, rule.withIgnoredHeader("Content-Type"));
  }

  /** Compares by exchange id (see {@link #recordings(Path, Path, Rules, EndpointRule, MatchBy, Consumer)}). */
  public static Totals recordings(Path left, Path right, Rules rules, EndpointRule rule, Consumer<ExchangeDiff> sink) {
    return recordings(left, right, rules, rule, MatchBy.ID, sink);
  }

  /**
   * Compares the responses of two recordings, pairing their exchanges {@code by} id, position or
   * request, calling {@code sink} for each pair that differs and each exchange on one side only.
   * By id and by request the right recording is held in memory; by order both are streamed.
   * {@code rule} overrides the rules' choice per exchange when not null. Each response's own
   * recorded Host is normalised like a replay target's address.
   */
  public static Totals recordings(Path left, Path right, Rules rules, EndpointRule rule, MatchBy by,
      Consumer<ExchangeDiff> sink) {
    DiffEngine engine = DiffEngine.of(rules);
    long[] t = new long[4]; // compared, different, onlyLeft, onlyRight
    Consumer<Exchange[]> pair = p -> {
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
      try (RecordingReader l = RecordingReader.open(left); RecordingReader r = RecordingReader.open(right)) {
        while (l.hasNext() || r.hasNext()) {
          pair.accept(new Exchange[] {l.hasNext() ? l.next() : null, r.hasNext() ? r.next() : null});
        }
      }
    } else {
      Map<String, Exchange> byKey = new LinkedHashMap<>();
      Map<String, Integer> occurrences = new HashMap<>();
      try (RecordingReader r = RecordingReader.open(right)) {
        r.forEachRemaining(e -> byKey.put(key(e, by, occurrences), e));
      }
      occurrences.clear();
      try (RecordingReader l = RecordingReader.open(left)) {
        while (l.hasNext()) {
          Exchange e = l.next();
          pair.accept(new Exchange[] {e, byKey.remove(key(e, by, occurrences))});
        }
      }
      for (Exchange e : byKey.values()) {
        pair.accept(new Exchange[] {null, e});
      }
    }
    String unpaired = null;
    if (t[0] == 0 && t[2] > 0 && t[3] > 0) {
      unpaired = by == MatchBy.ID
          ? "no exchange id appears in both recordings (two recorders give the same traffic different ids):"
              + " pair them by position with --match-by order, or by request with --match-by request"
          : "no request (method and target) appears in both recordings: they hold different traffic";
    }
    return new Totals(t[0], t[1], t[2], t[3], unpaired);
  }

  private static String key(Exchange e, MatchBy by, Map<String, Integer> occurrences) {
    if (by == MatchBy.ID) {
      return e.id();
    }
    String request = e.request().method().toUpperCase(Locale.ROOT) + " " + e.request().target();
    return request + "#" + occurrences.merge(request, 1, Integer::sum);
  }

  private static ResponseDiff compareResponses(DiffEngine engine, Exchange left, Exchange right, EndpointRule rule) {
    if (left.response() == null || right.response() == null) {
      if (left.response() == null && right.response() == null) {
        return new ResponseDiff(List.of(), List.of());
      }
      String l = left.response() == null ? "no response (" + left.error() + ")" : Integer.toString(left.response().status());
      String r = right.response() == null ? "no response (" + right.error() + ")" : Integer.toString(right.response().status());
      return new ResponseDiff(List.of(new Difference("status", "status", DifferenceType.STATUS, l, r)), List.of());
    }
    EndpointRule effective = rule != null ? rule : engine.ruleFor(left.request());
    return engine.compare(left.response(), Origin.recorded(left.request().headers().first("Host").orElse(null)),
        right.response(), Origin.recorded(right.request().headers().first("Host").orElse(null)), effective);
  }

  private static Headers typeOf(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    String type = name.endsWith(".json") ? "application/json"
        : name.endsWith(".xml") ? "application/xml"
        : name.endsWith(".txt") || name.endsWith(".html") || name.endsWith(".csv") ? "text/plain"
        : name.endsWith(".form") ? "application/x-www-form-urlencoded"
        : null;
    return type == null ? Headers.empty() : Headers.of("Content-Type", type);
  }

  private static byte[] read(Path file) {
    if (Files.isDirectory(file)) {
      throw new RecordingException(file, 0, "is a directory, expected a file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new RecordingException(file, 0, "no such file", e);
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }
}
