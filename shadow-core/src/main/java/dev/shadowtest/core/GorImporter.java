package dev.shadowtest.core;

import static dev.shadowtest.core.internal.Http1Parser.abbreviate;

import dev.shadowtest.core.internal.Http1Parser;
import dev.shadowtest.core.internal.LineSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Imports GoReplay capture files ({@code .gor}, or gzip-compressed) into recordings.
 *
 * <p>A GoReplay file is a sequence of payloads separated by a line holding only
 * {@code 🐵🙈🙉}. Each payload starts with a line {@code TYPE ID TIMESTAMP_NS [LATENCY_NS]}
 * followed by a raw HTTP/1.x message: type 1 is a request, 2 the original response, 3 a
 * response from a GoReplay replay (ignored here). Requests and responses are matched by id;
 * the recording keeps the order of the requests. A request whose response never came is kept
 * with {@code response: null} and an error, never dropped.
 *
 * <pre>{@code
 * ImportResult r = GorImporter.importFile(Path.of("requests_0.gor"), Path.of("rec.jsonl.gz"), Redaction.defaults());
 * }</pre>
 */
public final class GorImporter {

  /** The separator line between payloads (without its '\n'). */
  private static final byte[] SEPARATOR = "🐵🙈🙉".getBytes(StandardCharsets.UTF_8);

  /**
   * A request still waiting for its response after this much capture time (or this many later
   * requests) is written without one, so memory stays bounded on long captures.
   */
  private static final long MAX_WAIT_NANOS = 5L * 60 * 1_000_000_000L;
  private static final int MAX_PENDING = 100_000;

  /** What this importer writes as the error of a request that never got a response. */
  public static final String NO_RESPONSE = "no response recorded in the GoReplay file";

  private GorImporter() {}

  /**
   * Imports {@code gor} into the recording {@code out} (gzip if it ends in .gz), redacted, with the
   * default body limit (10 MiB); an existing {@code out} is refused.
   */
  public static ImportResult importFile(Path gor, Path out, Redaction redaction) {
    return importFile(gor, out, ImportOptions.defaults().withRedaction(redaction));
  }

  /**
   * Imports {@code gor} into the recording {@code out} (gzip if it ends in .gz). Bodies longer
   * than {@link ImportOptions#maxBody()} are cut and flagged truncated, with one warning. An
   * existing {@code out} is replaced only with {@link ImportOptions#overwrite()}; {@code out} is
   * never {@code gor} itself. The output appears only when complete.
   */
  public static ImportResult importFile(Path gor, Path out, ImportOptions options) {
    return Imports.write(gor, out, "import:gor", options, (sink, warnings) -> read(gor, options.maxBody(), sink, warnings));
  }

  /** Streams the exchanges of {@code gor} to {@code sink}, unredacted, bodies cut at 10 MiB; returns how many. */
  public static long read(Path gor, Consumer<Exchange> sink, Consumer<String> warnings) {
    return read(gor, ImportOptions.DEFAULT_MAX_BODY, sink, warnings);
  }

  /**
   * Streams the exchanges of {@code gor} to {@code sink}, unredacted, bodies cut to
   * {@code maxBody} bytes (flagged truncated, one warning); returns how many.
   */
  public static long read(Path gor, long maxBody, Consumer<Exchange> sink, Consumer<String> warnings) {
    Imports.BodyLimit limit = new Imports.BodyLimit(maxBody);
    try (LineSource lines = new LineSource(RecordingReader.openInput(gor))) {
      long n = new Run(gor, lines, e -> {
        Exchange out = e.withRequest(e.request().withBody(limit.apply(e.request().body())));
        sink.accept(out.response() == null ? out : out.withResponse(out.response().withBody(limit.apply(out.response().body()))));
      }, warnings).run();
      limit.report(gor, warnings);
      return n;
    } catch (IOException e) {
      throw new RecordingException(gor, 0, "cannot read: " + RecordingWriter.describe(e), e);
    }
  }

  private static final class Pending {
    final HttpRequest request;
    final long timestampNanos;
    final String gorId;
    final String id;
    HttpResponse response;
    Long latencyNanos;
    String error;

    Pending(String gorId, String id, HttpRequest request, long timestampNanos) {
      this.gorId = gorId;
      this.id = id;
      this.request = request;
      this.timestampNanos = timestampNanos;
    }
  }

  private static final class Run {
    private final Path file;
    private final LineSource lines;
    private final Consumer<Exchange> sink;
    private final Consumer<String> warnings;
    /** Requests in capture order, until written. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    /** Unanswered requests by GoReplay id; a response goes to the oldest one. */
    private final Map<String, ArrayDeque<Pending>> waiting = new HashMap<>();
    /** Recently seen ids and how often, to keep output ids unique with bounded memory. */
    private final Map<String, Integer> recentIds = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
        return size() > MAX_PENDING * 2;
      }
    };
    private long lineNumber;
    private long emitted;
    private long orphanResponses;
    private long replayed;
    private long duplicateIds;
    private long payloads;

    Run(Path file, LineSource lines, Consumer<Exchange> sink, Consumer<String> warnings) {
      this.file = file;
      this.lines = lines;
      this.sink = sink;
      this.warnings = warnings;
    }

    long run() throws IOException {
      ByteArrayOutputStream payload = new ByteArrayOutputStream();
      long payloadLine = 1;
      while (lines.next()) {
        lineNumber++;
        if (lines.lineTooLong()) {
          throw new RecordingException(file, lineNumber, "line is longer than " + (lines.limit() >> 20)
              + " MiB (not a GoReplay file, or a corrupt one)");
        }
        if (isSeparator()) {
          payload(payload.toByteArray(), payloadLine);
          payload.reset();
          payloadLine = lineNumber + 1;
          continue;
        }
        if (payload.size() > 0) {
          payload.write('\n');
        }
        payload.write(lines.buffer(), lines.lineStart(), lines.lineLength());
      }
      if (lines.abruptEnd() != null) {
        warnings.accept(file + ": compressed stream ends early; imported everything before line " + (lineNumber + 1));
      }
      if (payload.size() > 0 && !isBlank(payload.toByteArray())) {
        try {
          payload(payload.toByteArray(), payloadLine); // last payload without a closing separator
        } catch (RecordingException e) {
          // a capture cut off mid-payload: keep everything before it, as the recording reader does
          warnings.accept(e.getMessage() + "; the last payload has no closing separator (capture cut off?), skipped it");
        }
      }
      while (!pending.isEmpty()) {
        emit(pending.pollFirst());
      }
      if (payloads == 0) {
        warnings.accept(file + ": no GoReplay payloads found");
      }
      if (orphanResponses > 0) {
        warnings.accept(file + ": " + orphanResponses + " response(s) had no matching request and were skipped");
      }
      if (replayed > 0) {
        warnings.accept(file + ": " + replayed + " replayed response(s) (type 3) ignored");
      }
      if (duplicateIds > 0) {
        warnings.accept(file + ": " + duplicateIds + " request id(s) repeated an earlier id; they got a -2, -3... suffix");
      }
      return emitted;
    }

    private boolean isSeparator() {
      int len = lines.lineLength();
      if (len > 0 && lines.buffer()[lines.lineStart() + len - 1] == '\r') {
        len--;
      }
      return len == SEPARATOR.length
          && Arrays.equals(lines.buffer(), lines.lineStart(), lines.lineStart() + len, SEPARATOR, 0, len);
    }

    private void payload(byte[] data, long line) {
      if (isBlank(data)) {
        return;
      }
      payloads++;
      int nl = 0;
      while (nl < data.length && data[nl] != '\n') {
        nl++;
      }
      String meta = new String(data, 0, nl, StandardCharsets.ISO_8859_1).strip();
      String[] parts = meta.split(" +");
      if (parts.length < 3 || parts.length > 4 || parts[0].length() != 1 || "123".indexOf(parts[0].charAt(0)) < 0) {
        throw new RecordingException(file, line, "bad payload header \"" + abbreviate(meta)
            + "\" (expected 'TYPE ID TIMESTAMP [LATENCY]' with TYPE 1, 2 or 3)");
      }
      long timestamp = number(parts[2], "timestamp", line);
      Long latency = parts.length == 4 ? number(parts[3], "latency", line) : null;
      String id = parts[1];
      int bodyStart = Math.min(nl + 1, data.length);
      switch (parts[0].charAt(0)) {
        case '1' -> request(id, data, bodyStart, timestamp, line);
        case '2' -> response(id, data, bodyStart, timestamp, latency, line);
        default -> replayed++;
      }
      flushReady(timestamp);
    }

    private void request(String id, byte[] data, int offset, long timestamp, long line) {
      HttpRequest request;
      try {
        request = Http1Parser.parseRequest(data, offset);
      } catch (Http1Parser.ParseException e) {
        throw new RecordingException(file, line + 1, "request " + id + ": " + e.getMessage());
      }
      int seen = recentIds.merge(id, 1, Integer::sum);
      if (seen > 1) {
        duplicateIds++;
      }
      Pending p = new Pending(id, seen == 1 ? id : id + "-" + seen, request, timestamp);
      pending.addLast(p);
      waiting.computeIfAbsent(id, k -> new ArrayDeque<>()).addLast(p);
    }

    private void response(String id, byte[] data, int offset, long timestamp, Long latency, long line) {
      ArrayDeque<Pending> candidates = waiting.get(id);
      Pending p = candidates == null ? null : candidates.pollFirst();
      if (candidates != null && candidates.isEmpty()) {
        waiting.remove(id);
      }
      if (p == null) {
        orphanResponses++;
        return;
      }
      try {
        p.response = Http1Parser.parseResponse(data, offset, p.request.method());
        p.latencyNanos = latency != null && latency > 0 ? latency : Math.max(0, timestamp - p.timestampNanos);
      } catch (Http1Parser.ParseException e) {
        p.error = "unparseable response in the GoReplay file: " + e.getMessage();
        warnings.accept(file + ":" + (line + 1) + ": response " + id + ": " + e.getMessage()
            + "; kept the request without a response");
      }
    }

    private void flushReady(long now) {
      while (!pending.isEmpty()) {
        Pending head = pending.peekFirst();
        boolean answered = head.response != null || head.error != null;
        boolean stale = now - head.timestampNanos > MAX_WAIT_NANOS || pending.size() > MAX_PENDING;
        if (!answered && !stale) {
          return;
        }
        pending.pollFirst();
        if (!answered) {
          ArrayDeque<Pending> candidates = waiting.get(head.gorId);
          if (candidates != null && candidates.remove(head) && candidates.isEmpty()) {
            waiting.remove(head.gorId);
          }
        }
        emit(head);
      }
    }

    private void emit(Pending p) {
      Instant started = Instant.ofEpochSecond(0, p.timestampNanos);
      Long micros = p.latencyNanos == null ? null : p.latencyNanos / 1000;
      String error = p.response != null ? null : p.error != null ? p.error : NO_RESPONSE;
      sink.accept(new Exchange(p.id, started, micros, p.request, p.response, error, Map.of()));
      emitted++;
    }

    private long number(String s, String what, long line) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new RecordingException(file, line, "bad " + what + " \"" + abbreviate(s) + "\" in payload header (expected nanoseconds)");
      }
    }
  }

  private static boolean isBlank(byte[] data) {
    for (byte b : data) {
      if (b != '\n' && b != '\r' && b != ' ') {
        return false;
      }
    }
    return true;
  }
}
