package dev.shadowtest.diff.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code triggers.jsonl} of a run directory: every {@link TriggerEvent} of the run, one JSON line
 * each (its {@link TriggerEvent#toJson() JSON form}), appended and flushed as it happens, 0600.
 * The reader tolerates a last line cut off by a crash mid-write.
 *
 * <pre>{@code
 * try (TriggersFile file = TriggersFile.open(runDir)) {
 *   file.append(event);
 * }
 * List<TriggerEvent> events = TriggersFile.read(runDir.resolve(TriggersFile.NAME), warnings::add);
 * }</pre>
 */
public final class TriggersFile implements AutoCloseable {

  public static final String NAME = "triggers.jsonl";

  /** Events a reader keeps; a run that fires more is flapping, and the rest are counted. */
  public static final int MAX_EVENTS = 10_000;

  /** A line longer than this is no event of ours. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final OutputStream out;

  private TriggersFile(OutputStream out) {
    this.out = out;
  }

  /** Opens {@code dir}'s {@code triggers.jsonl} for appending (created 0600 if absent). */
  public static TriggersFile open(Path dir) {
    Path file = dir.resolve(NAME);
    try {
      return new TriggersFile(SecureFiles.newAppendingOutputStream(file));
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot open: " + e.getMessage(), e);
    }
  }

  /** Appends {@code event} as one line and flushes it. */
  public synchronized void append(TriggerEvent event) throws IOException {
    // one write per line: a concurrent reader sees whole lines, or a last one cut short
    out.write((event.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }

  /**
   * The events of {@code file}, in order (at most {@link #MAX_EVENTS}; the rest are counted in a
   * warning). A last line without its line end that does not parse was cut off mid-write: it is
   * left out with a warning. Any other bad line is an error naming file and line.
   */
  public static List<TriggerEvent> read(Path file, Consumer<String> warnings) {
    List<TriggerEvent> out = new ArrayList<>();
    long[] more = {0};
    each(
        file,
        warnings,
        e -> {
          if (out.size() < MAX_EVENTS) {
            out.add(e);
          } else {
            more[0]++;
          }
        });
    if (more[0] > 0) {
      warnings.accept(
          file
              + " holds "
              + more[0]
              + " trigger events beyond the first "
              + MAX_EVENTS
              + ", not read");
    }
    return out;
  }

  /**
   * The last event of each trigger in {@code file}, by trigger name, however many the file holds
   * (memory is bounded by the triggers, not the events): whether each was firing when the file
   * was last written. Reads like {@link #read}.
   */
  public static Map<String, TriggerEvent> lastEvents(Path file, Consumer<String> warnings) {
    Map<String, TriggerEvent> last = new LinkedHashMap<>();
    each(
        file,
        warnings,
        e -> {
          if (last.size() < MAX_EVENTS || last.containsKey(e.trigger())) {
            last.put(e.trigger(), e);
          }
        });
    return last;
  }

  private static void each(Path file, Consumer<String> warnings, Consumer<TriggerEvent> events) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      long n = 0;
      boolean tooLong = false;
      boolean ended = false;
      while (!ended) {
        int b = in.read();
        if (b != '\n' && b != -1) {
          if (line.size() < MAX_LINE_BYTES) {
            line.write(b);
          } else {
            tooLong = true;
          }
          continue;
        }
        ended = b == -1;
        if (ended && line.size() == 0) {
          break;
        }
        n++;
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isBlank()) {
          continue;
        }
        TriggerEvent e;
        try {
          if (tooLong) {
            throw new IOException("longer than " + MAX_LINE_BYTES + " bytes");
          }
          e = parse(MAPPER.readTree(text));
        } catch (IOException | RuntimeException x) {
          if (ended) {
            warnings.accept(
                file
                    + ":"
                    + n
                    + ": the last line was cut off (a crash while it was written); left out");
            break;
          }
          throw new RecordingException(file, n, "bad trigger event: " + x.getMessage(), x);
        } finally {
          tooLong = false;
        }
        events.accept(e);
      }
    } catch (NoSuchFileException e) {
      throw new RecordingException(file, 0, "no such file", e);
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }

  private static TriggerEvent parse(JsonNode n) {
    String kind = text(n, "event");
    TriggerEvent.Kind k = null;
    for (TriggerEvent.Kind x : TriggerEvent.Kind.values()) {
      if (x.label().equals(kind)) {
        k = x;
      }
    }
    if (k == null) {
      throw new IllegalArgumentException("event: expected fired or cleared, got \"" + kind + "\"");
    }
    WindowFacts facts =
        new WindowFacts(
            count(n, "attempted"),
            count(n, "compared"),
            count(n, "discrepant"),
            count(n, "errors"),
            count(n, "serverErrors"),
            n.hasNonNull("legacyP99Millis") ? n.get("legacyP99Millis").asDouble() : null,
            n.hasNonNull("candidateP99Millis") ? n.get("candidateP99Millis").asDouble() : null,
            count(n, "latencySamples"));
    return new TriggerEvent(
        k,
        text(n, "trigger"),
        Trigger.Metric.parse(text(n, "metric")),
        number(n, "value"),
        number(n, "threshold"),
        Duration.parse(text(n, "window")),
        Duration.parse(text(n, "for")),
        Instant.parse(text(n, "windowStart")),
        Instant.parse(text(n, "windowEnd")),
        Instant.parse(text(n, "at")),
        facts,
        n.hasNonNull("runDirectory") ? n.get("runDirectory").asText() : null,
        n.hasNonNull("report") ? n.get("report").asText() : null);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(field + ": missing, or not a string");
    }
    return v.asText();
  }

  private static double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(field + ": missing, or not a number");
    }
    return v.asDouble();
  }

  private static long count(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null) {
      return 0; // absent: a count the writer did not know
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(field + ": not a whole number");
    }
    return v.asLong();
  }
}
