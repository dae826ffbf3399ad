package dev.shadowtest.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A one-pass summary of a recording, for {@code shadow inspect}: counts, time span, methods,
 * statuses, the most frequent paths, truncated and not captured bodies, exchanges without response
 * and the importers' decisions.
 *
 * <pre>{@code
 * RecordingStats s = RecordingStats.of(Path.of("rec.jsonl.gz"), System.err::println);
 * s.exchanges();
 * }</pre>
 *
 * @param pathsExact false when the recording had more than {@link #MAX_DISTINCT_PATHS} distinct
 *                   paths: then {@code topPaths} counts only paths first seen before that limit
 * @param unreadable lines skipped because they could not be read ({@link RecordingReader#unreadable()})
 * @param notCapturedBodies exchanges with a body {@linkplain Body.NotCaptured not captured} by the
 *                   tool that wrote the input
 * @param importTags exchanges carrying each {@code import.*} tag (an importer's decision), by tag
 */
public record RecordingStats(
    RecordingHeader header,
    long exchanges,
    Instant first,
    Instant last,
    Map<String, Long> methods,
    Map<String, Long> statuses,
    List<Map.Entry<String, Long>> topPaths,
    boolean pathsExact,
    long truncatedBodies,
    long withoutResponse,
    long unreadable,
    List<String> warnings,
    long notCapturedBodies,
    Map<String, Long> importTags) {

  /** Distinct paths counted exactly; beyond this memory would grow with the recording. */
  public static final int MAX_DISTINCT_PATHS = 100_000;

  /** How many paths {@code topPaths} lists. */
  public static final int TOP_PATHS = 20;

  /** Reads {@code recording} once and summarizes it; warnings go to {@code warningSink} too. */
  public static RecordingStats of(Path recording, Consumer<String> warningSink) {
    Map<String, Long> methods = new TreeMap<>();
    Map<String, Long> statuses = new TreeMap<>();
    Map<String, Long> paths = new HashMap<>();
    boolean exact = true;
    long count = 0;
    long truncated = 0;
    long noResponse = 0;
    long notCaptured = 0;
    Map<String, Long> importTags = new TreeMap<>();
    Instant first = null;
    Instant last = null;
    List<String> warnings = new ArrayList<>();
    Consumer<String> both =
        w -> {
          warnings.add(w);
          warningSink.accept(w);
        };
    // a file, or a recording another storage keeps (kafka://host:9092/topic)
    try (ExchangeSource r = ExchangeStorage.source(recording.toString(), both)) {
      while (r.hasNext()) {
        Exchange e = r.next();
        count++;
        methods.merge(e.request().method(), 1L, Long::sum);
        statuses.merge(
            e.response() == null ? "none" : Integer.toString(e.response().status()), 1L, Long::sum);
        String path = e.request().path();
        if (paths.containsKey(path) || paths.size() < MAX_DISTINCT_PATHS) {
          paths.merge(path, 1L, Long::sum);
        } else {
          exact = false;
        }
        if (e.request().body().truncated()
            || e.response() != null && e.response().body().truncated()) {
          truncated++;
        }
        if (e.response() == null) {
          noResponse++;
        }
        if (e.request().body() instanceof Body.NotCaptured
            || e.response() != null && e.response().body() instanceof Body.NotCaptured) {
          notCaptured++;
        }
        for (String tag : e.tags().keySet()) {
          if (tag.startsWith(ImportResult.TAG_PREFIX)
              && (importTags.containsKey(tag) || importTags.size() < 100)) {
            importTags.merge(tag, 1L, Long::sum);
          }
        }
        if (e.startedAt() != null) {
          first = first == null || e.startedAt().isBefore(first) ? e.startedAt() : first;
          last = last == null || e.startedAt().isAfter(last) ? e.startedAt() : last;
        }
      }
      List<Map.Entry<String, Long>> top =
          paths.entrySet().stream()
              .sorted(
                  Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                      .thenComparing(Map.Entry.comparingByKey()))
              .limit(TOP_PATHS)
              .map(en -> Map.entry(en.getKey(), en.getValue()))
              .toList();
      return new RecordingStats(
          r.header(),
          count,
          first,
          last,
          new LinkedHashMap<>(methods),
          new LinkedHashMap<>(statuses),
          top,
          exact,
          truncated,
          noResponse,
          r.unreadable(),
          warnings,
          notCaptured,
          new LinkedHashMap<>(importTags));
    }
  }
}
