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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@code shadow diff} compares: two body files, or the responses of two recordings
 * exchange by exchange (matched by id).
 *
 * <pre>{@code
 * ResponseDiff d = FileDiff.bodies(Path.of("old.json"), Path.of("new.json"), Rules.defaults().defaultRule());
 * }</pre>
 */
public final class FileDiff {

  private FileDiff() {}

  /** One exchange of two recordings compared; {@code right} is null when only the left has it. */
  public record ExchangeDiff(Exchange left, Exchange right, ResponseDiff diff) {}

  /** Totals of a recording comparison. */
  public record Totals(long compared, long different, long onlyLeft, long onlyRight) {}

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

  /**
   * Compares the responses of two recordings by exchange id, calling {@code sink} for each
   * exchange that differs or exists on one side only. The right recording is held in memory.
   * {@code rule} overrides the rules' choice per exchange when not null.
   */
  public static Totals recordings(Path left, Path right, Rules rules, EndpointRule rule, Consumer<ExchangeDiff> sink) {
    Map<String, Exchange> byId = new HashMap<>();
    try (RecordingReader r = RecordingReader.open(right)) {
      r.forEachRemaining(e -> byId.put(e.id(), e));
    }
    DiffEngine engine = DiffEngine.of(rules);
    long compared = 0;
    long different = 0;
    long onlyLeft = 0;
    try (RecordingReader l = RecordingReader.open(left)) {
      while (l.hasNext()) {
        Exchange e = l.next();
        Exchange other = byId.remove(e.id());
        if (other == null) {
          onlyLeft++;
          sink.accept(new ExchangeDiff(e, null, null));
          continue;
        }
        compared++;
        ResponseDiff d = compareResponses(engine, e, other, rule);
        if (!d.same()) {
          different++;
          sink.accept(new ExchangeDiff(e, other, d));
        }
      }
    }
    for (Exchange e : byId.values()) {
      sink.accept(new ExchangeDiff(null, e, null));
    }
    return new Totals(compared, different, onlyLeft, byId.size());
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
    return engine.compare(left.response(), right.response(), effective);
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
