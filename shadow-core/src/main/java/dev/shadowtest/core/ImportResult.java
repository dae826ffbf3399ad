package dev.shadowtest.core;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an import or export did: the file written, how many exchanges went into it, how many of
 * those have no response, warnings about anything that was not carried over exactly, the input
 * entries that were skipped (by reason) and the import decisions taken on the exchanges written.
 *
 * @param skipped          input entries not imported, by reason ({@code non-HTTP URL (data:)},
 *                         {@code WebSocket}...), in the order first met
 * @param adjusted         exchanges written with each {@code import.*} tag (an import decision such
 *                         as {@code import.bodyDropped}), by tag name, in the order first met
 * @param adjustedExchanges exchanges written with at least one {@code import.*} tag
 */
public record ImportResult(
    Path output,
    long exchanges,
    long withoutResponse,
    List<String> warnings,
    Map<String, Long> skipped,
    Map<String, Long> adjusted,
    long adjustedExchanges) {

  /** The prefix of the tags that record an import decision (docs/recording-format.md). */
  public static final String TAG_PREFIX = "import.";

  public ImportResult {
    warnings = List.copyOf(warnings);
    skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    adjusted = Collections.unmodifiableMap(new LinkedHashMap<>(adjusted));
  }

  /** A result without skipped entries or import decisions (an export). */
  public ImportResult(Path output, long exchanges, long withoutResponse, List<String> warnings) {
    this(output, exchanges, withoutResponse, warnings, Map.of(), Map.of(), 0);
  }

  /** Input entries skipped, all reasons together. */
  public long skippedTotal() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }
}
