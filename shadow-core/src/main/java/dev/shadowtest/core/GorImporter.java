package dev.shadowtest.core;

import static dev.shadowtest.core.internal.Http1Parser.abbreviate;

import dev.shadowtest.core.internal.Http1Parser;
import dev.shadowtest.core.internal.LineSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
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
 * <p>Bounded whatever the file. At most the body limit ({@link ImportOptions#maxBody()}, 10 MiB
 * by default) plus {@value #HEAD_BYTES} bytes of one payload are held; a longer payload has its
 * body cut and flagged truncated with its real size, and the rest of it is skipped up to the next
 * separator. A file that is not GoReplay fails fast with a {@link RecordingException} naming the
 * file and line: the first line of every payload must be a payload header (binary data,
 * {@code /dev/zero} or a text file fail on line 1), and a payload that goes on past the end of
 * its HTTP message without a separator (a request without a body, a {@code Content-Length}
 * body) fails as soon as it is longer than the limit. Requests held until their response comes
 * take at most {@value #MAX_PENDING} entries and 64 MiB of payloads (beyond, the oldest is written
 * without its response), and request ids at most {@value #MAX_ID} characters.
 *
 * <p>A capture that GoReplay is still writing is imported as it grows by {@link GorFollower}.
 *
 * <pre>{@code
 * ImportResult r = GorImporter.importFile(Path.of("requests_0.gor"), Path.of("rec.jsonl.gz"), Redaction.defaults());
 * }</pre>
 */
public final class GorImporter {

  /** The separator line between payloads (without its '\n'). */
  private static final byte[] SEPARATOR = "🐵🙈🙉".getBytes(StandardCharsets.UTF_8);

  /** A separator line inside a message, as its bytes are appended: the line break before it. */
  private static final byte[] SEPARATOR_LF = "\n🐵🙈🙉".getBytes(StandardCharsets.UTF_8);

  /** The same, for a line ending in CR LF (the CR is the line's last byte). */
  private static final byte[] SEPARATOR_CR = "\n🐵🙈🙉\r".getBytes(StandardCharsets.UTF_8);

  /** What GoReplay writes after every payload: the separator line and the line breaks around it. */
  static final byte[] PAYLOAD_END = "\n🐵🙈🙉\n".getBytes(StandardCharsets.UTF_8);

  /**
   * A request still waiting for its response after this much capture time (or this many later
   * requests, or when the payloads held take more than {@link #MAX_PENDING_BYTES}) is written
   * without one, so memory stays bounded on long captures.
   */
  private static final long MAX_WAIT_NANOS = 5L * 60 * 1_000_000_000L;

  /** 2001-01-01T00:00:00Z in nanoseconds: a capture timestamp below is in another unit. */
  static final long NANOS_2001 = 978_307_200L * 1_000_000_000L;

  private static final int MAX_PENDING = 100_000;
  private static final long MAX_PENDING_BYTES = 64L << 20;

  /** A payload holds its body and at most this much more: the payload header and the HTTP head. */
  static final int HEAD_BYTES = 64 * 1024;

  /** A payload header line is short ({@code 1 <40 hex digits> <19 digits> <19 digits>}). */
  private static final int MAX_PAYLOAD_HEADER = 1024;

  /** Request ids are kept for pairing (up to {@link #MAX_PENDING} twice over): they must be short. */
  private static final int MAX_ID = 128;

  /** Bytes tolerated after the end of an HTTP message before its separator (a stray CRLF). */
  private static final int SLACK = 1024;

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
    return Imports.write(
        gor,
        out,
        "import:gor",
        options,
        (sink, warnings, skips) -> read(gor, options.maxBody(), sink, warnings));
  }

  /** Streams the exchanges of {@code gor} to {@code sink}, unredacted, bodies cut at 10 MiB; returns how many. */
  public static long read(Path gor, Consumer<Exchange> sink, Consumer<String> warnings) {
    return read(gor, ImportOptions.DEFAULT_MAX_BODY, sink, warnings);
  }

  /**
   * Streams the exchanges of {@code gor} to {@code sink}, unredacted, bodies cut to
   * {@code maxBody} bytes (flagged truncated, one warning); returns how many.
   */
  public static long read(
      Path gor, long maxBody, Consumer<Exchange> sink, Consumer<String> warnings) {
    Imports.BodyLimit limit = new Imports.BodyLimit(maxBody);
    try (LineSource lines = new LineSource(RecordingReader.openInput(gor), maxPayload(maxBody))) {
      long n = new Run(gor, lines, limit, sink, warnings).run();
      limit.report(gor, warnings);
      return n;
    } catch (IOException e) {
      throw new RecordingException(gor, 0, "cannot read: " + RecordingWriter.describe(e), e);
    }
  }

  /** The longest payload kept: its body within {@code maxBody}, and its head. */
  static int maxPayload(long maxBody) {
    return (int) Math.min(Integer.MAX_VALUE - 64, maxBody + HEAD_BYTES);
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

    long bytes; // of the payloads held: what waiting for a response costs
    long heldSince; // System.nanoTime() when read, when following a growing file
  }

  /** One payload being read: its header, and as much of its message as is kept. */
  private static final class Payload {
    char type;
    String id;
    long timestamp;
    Long latency;
    long line; // of the payload header
    long messageOffset = -1; // of the message's first byte in the file, -1 before the first line
    byte[] data = new byte[1 << 16];
    int length;
    boolean overflowed;
    long allowance; // after overflowing: bytes the message may still take, -1 for any

    void reset() {
      id = null;
      messageOffset = -1;
      length = 0;
      overflowed = false;
    }

    boolean started() {
      return id != null;
    }
  }

  /**
   * Reads payloads off a line source and writes exchanges to a sink. The batch import reads one
   * file to its end; {@link GorFollower} feeds it a file as it grows, across rotations
   * ({@link #startFile}), and expires requests held too long ({@link #expireHeld}) while it waits.
   */
  static final class Run {
    private Path file;
    private long fileStart; // stream offset of the current file's first byte
    private final LineSource lines;
    private final Imports.BodyLimit limit;
    private final int maxPayload;
    private final Consumer<Exchange> sink;
    private final Consumer<String> warnings;

    /** Requests in capture order, until written. */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    /** Unanswered requests by GoReplay id; a response goes to the oldest one. */
    private final Map<String, ArrayDeque<Pending>> waiting = new HashMap<>();

    /** Recently seen ids and how often, to keep output ids unique with bounded memory. */
    private final Map<String, Integer> recentIds =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_PENDING * 2;
          }
        };

    private final Payload payload = new Payload();
    private long pendingBytes;
    private long lineNumber;
    private long emitted;
    private long orphanResponses;
    private long badRequests;

    /** A timestamp too small for nanoseconds was warned of. */
    private boolean smallTimestampSaid;

    /** The payload being read is the last, without its closing separator (a capture cut off). */
    private boolean unterminated;

    private String firstBadRequest;
    private String firstBadReason;
    private long firstBadLine;
    private long extraBytes;
    private long replayed;

    /**
     * Responses that came before their request (GoReplay writes them so at times), by id, until
     * it comes; bounded like the held requests, and by {@link #MAX_WAIT_NANOS} of capture time.
     */
    private final Map<String, ArrayDeque<Orphan>> orphans = new HashMap<>();

    /** The same responses, oldest first, for expiry. */
    private final ArrayDeque<Orphan> orphanOrder = new ArrayDeque<>();

    private long orphanBytes;

    /** Ids of requests that could not be read: their responses go with them. */
    private final Map<String, Boolean> badIds =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_PENDING;
          }
        };

    private long duplicateIds;
    private long payloads;
    private long lastTimestamp;

    /**
     * The file offset of a separator line that may be a line of the payload's body ({@link
     * #bodyGoesOn}), decided by the line after it; -1 when there is none.
     */
    private long separatorInQuestion = -1;

    private boolean separatorInQuestionCr;

    /** Following a growing file: wall-clock time a request is held for its response, else -1. */
    private long maxHoldNanos = -1;

    Run(
        Path file,
        LineSource lines,
        Imports.BodyLimit limit,
        Consumer<Exchange> sink,
        Consumer<String> warnings) {
      this.file = file;
      this.lines = lines;
      this.limit = limit;
      this.maxPayload = lines.limit();
      this.sink = sink;
      this.warnings = warnings;
    }

    /**
     * Following a growing capture: a request waits at most {@code maxHold} of wall-clock time for
     * its response, and a payload still without its separator when the input ends is left out (it
     * may be half-written), with a warning.
     */
    Run following(Duration maxHold) {
      this.maxHoldNanos = Math.max(0, maxHold.toNanos());
      return this;
    }

    /** The input goes on with {@code next}, from stream offset {@code offset}: line numbers restart. */
    void startFile(Path next, long offset) {
      file = next;
      fileStart = offset;
      lineNumber = 0;
    }

    /** Writes the held requests that waited too long for their response (see {@link #following}). */
    void expireHeld() {
      flushReady(lastTimestamp);
    }

    /** Requests held for their response. */
    int held() {
      return pending.size();
    }

    long run() throws IOException {
      while (lines.next()) {
        lineNumber++;
        if (separatorInQuestion >= 0) {
          if (isSeparator()
              || lines.lineIsBlank()
              || looksLikePayloadHeader()
              || !lines.lineTerminated()) { // a capture cut off in the next header: said below
            settle(); // it was the payload's separator after all
          } else {
            // the separator line was a line of the message's body: GoReplay writes a body as it
            // came, and a client may send that line
            byte[] line = separatorInQuestionCr ? SEPARATOR_CR : SEPARATOR_LF;
            append(line, 0, line.length);
            separatorInQuestion = -1;
            message();
            continue;
          }
        }
        if (isSeparator()) {
          if (payload.started() && bodyGoesOn()) {
            // decided by the next line: a payload header (or the end) makes it the separator
            separatorInQuestion = lines.lineOffset();
            separatorInQuestionCr = lines.lineLength() > SEPARATOR.length;
            continue;
          }
          if (payload.started()) {
            payload(lines.lineOffset() - 1);
          }
          payload.reset();
        } else if (!payload.started()) {
          if (!lines.lineIsBlank() || lines.lineTooLong()) {
            if (!payloadHeader()) {
              break; // the last line, cut off: a warning was given
            }
          }
        } else {
          message();
        }
      }
      settle(); // the input ended after a separator in question: it was one
      if (lines.abruptEnd() != null) {
        warnings.accept(
            file
                + ": compressed stream ends early; imported everything before line "
                + (lineNumber + 1));
      }
      if (payload.started() && maxHoldNanos >= 0) {
        warnings.accept(
            file
                + ":"
                + payload.line
                + ": the last payload had no separator yet when the follow stopped (half-written?);"
                + " left out");
      } else if (payload.started()) {
        unterminated = true;
        try {
          payload(
              payload.messageOffset < 0
                  ? -1
                  : lines.lineOffset() + lines.lineLength()); // no closing separator
        } catch (RecordingException e) {
          // a capture cut off mid-payload: keep everything before it, as the recording reader does
          warnings.accept(
              e.getMessage()
                  + "; the last payload has no closing separator (capture cut off?), skipped it");
        }
      }
      while (!pending.isEmpty()) {
        emit(pending.pollFirst());
      }
      orphanResponses += orphanOrder.size();
      orphanOrder.clear();
      orphans.clear();
      orphanBytes = 0;
      if (payloads == 0 && maxHoldNanos < 0) {
        throw new RecordingException(
            file,
            0,
            "no GoReplay payloads found (a payload starts with a line like \"1 <id> <timestamp>\""
                + " and ends with the line 🐵🙈🙉): is it a GoReplay file?");
      }
      if (payloads == 0) {
        warnings.accept(file + ": no GoReplay payloads found");
      }
      if (emitted == 0 && badRequests > 0) {
        throw new RecordingException(
            file,
            firstBadLine,
            firstBadReason
                + (badRequests > 1
                    ? " (and " + (badRequests - 1) + " more malformed requests: none could be read)"
                    : ""));
      }
      if (badRequests > 0) {
        warnings.accept(
            file
                + ": "
                + badRequests
                + " malformed request(s) left out with their responses (first: "
                + firstBadRequest
                + ")");
      }
      if (extraBytes > 0) {
        warnings.accept(
            file
                + ": "
                + extraBytes
                + " request(s) had bytes after their end (pipelined requests are not split);"
                + " left out");
      }
      if (orphanResponses > 0) {
        warnings.accept(
            file
                + ": "
                + orphanResponses
                + " response(s) had no matching request and were skipped");
      }
      if (replayed > 0) {
        warnings.accept(file + ": " + replayed + " replayed response(s) (type 3) ignored");
      }
      if (duplicateIds > 0) {
        warnings.accept(
            file
                + ": "
                + duplicateIds
                + " request id(s) repeated an earlier id; they got a -2, -3... suffix");
      }
      return emitted;
    }

    private boolean isSeparator() {
      int len = lines.lineLength();
      if (len > 0 && lines.buffer()[lines.lineStart() + len - 1] == '\r') {
        len--;
      }
      return !lines.lineTooLong()
          && len == SEPARATOR.length
          && Arrays.equals(
              lines.buffer(), lines.lineStart(), lines.lineStart() + len, SEPARATOR, 0, len);
    }

    /**
     * Whether the message so far is one whose own framing says its body goes on: a {@code
     * Content-Length} body that lacks bytes, a chunked body without its last chunk, a response
     * body that runs to the connection's end (not one to HEAD, nor a 1xx, 204 or 304). Only such a
     * message can hold a separator line. Read from the head alone, but for a chunked body.
     */
    private boolean bodyGoesOn() {
      if (payload.messageOffset < 0 || payload.overflowed) {
        return false;
      }
      byte[] d = payload.data;
      int n = payload.length;
      int headEnd = -1;
      for (int i = 0; i + 1 < n; i++) {
        if (d[i] == '\n'
            && (d[i + 1] == '\n' || d[i + 1] == '\r' && i + 2 < n && d[i + 2] == '\n')) {
          headEnd = d[i + 1] == '\n' ? i + 2 : i + 3;
          break;
        }
      }
      if (headEnd < 0) {
        return false; // no whole head: no body to go on (the payload's end reports it)
      }
      String head = new String(d, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      if (head.contains("\ntransfer-encoding:")) {
        try {
          return allowance() != 0; // chunked: its last chunk tells, which needs the parser
        } catch (RecordingException badRequest) {
          return false; // reported when the payload ends
        }
      }
      int cl = head.indexOf("\ncontent-length:");
      boolean bodiless = payload.type != '1' && bodilessResponse(head);
      if (cl >= 0 && !bodiless) {
        int end = head.indexOf('\n', cl + 1);
        try {
          long length =
              Long.parseLong(head.substring(cl + 16, end < 0 ? head.length() : end).strip());
          return n - headEnd < length;
        } catch (NumberFormatException badLength) {
          return false; // reported when the payload ends
        }
      }
      return payload.type != '1' && !bodiless; // a response without a length runs to the end
    }

    /** A response that has no body whatever its headers: 1xx, 204, 304, or the answer to HEAD. */
    private boolean bodilessResponse(String head) {
      int sp = head.indexOf(' ');
      String code = sp < 0 || sp + 4 > head.length() ? "" : head.substring(sp + 1, sp + 4);
      if (code.startsWith("1") || code.equals("204") || code.equals("304")) {
        return true;
      }
      ArrayDeque<Pending> requests = waiting.get(payload.id);
      Pending request = requests == null ? null : requests.peekFirst();
      return request != null && request.request.method().equalsIgnoreCase("HEAD");
    }

    /**
     * Takes a separator line held in question for the payload's separator: called when the input
     * pauses (a follow waiting for more), since GoReplay writes a payload and its separator
     * together, and a body's line after it would have come with them.
     */
    void settle() {
      if (separatorInQuestion >= 0) {
        payload(separatorInQuestion - 1);
        payload.reset();
        separatorInQuestion = -1;
      }
    }

    /** The current line, when it may be a payload header (short enough), stripped; else null. */
    private String headerLine() {
      return lines.lineTooLong() || lines.lineLength() > MAX_PAYLOAD_HEADER
          ? null
          : new String(
                  lines.buffer(),
                  lines.lineStart(),
                  lines.lineLength(),
                  StandardCharsets.ISO_8859_1)
              .strip();
    }

    /** {@code TYPE ID TIMESTAMP [LATENCY]}'s fields, with TYPE 1, 2 or 3; null when it is not one. */
    private static String[] headerParts(String line) {
      String[] parts = line == null ? new String[0] : line.split(" +");
      return parts.length < 3
              || parts.length > 4
              || parts[0].length() != 1
              || "123".indexOf(parts[0].charAt(0)) < 0
          ? null
          : parts;
    }

    /** Whether the current line reads as a payload header ({@link #payloadHeader}'s test). */
    private boolean looksLikePayloadHeader() {
      return headerParts(headerLine()) != null;
    }

    /**
     * Reads the current line as a payload header, at once: a file that is not GoReplay fails on
     * its first line, not after it was read to the end. False for a last line cut off mid-write.
     */
    private boolean payloadHeader() {
      String meta = headerLine();
      String[] parts = headerParts(meta);
      if (parts == null) {
        String what =
            meta == null
                ? "bad payload header: a line of more than "
                    + MAX_PAYLOAD_HEADER
                    + " bytes (binary data, or not a GoReplay file?)"
                : "bad payload header \"" + abbreviate(printable(meta)) + "\"";
        if (!lines.lineTerminated() && !lines.lineTooLong()) {
          warnings.accept(
              file
                  + ":"
                  + lineNumber
                  + ": "
                  + what
                  + "; the last line is incomplete (capture cut off?), skipped it");
          return false;
        }
        throw new RecordingException(
            file,
            lineNumber,
            what + " (expected 'TYPE ID TIMESTAMP [LATENCY]' with TYPE 1, 2 or 3)");
      }
      payload.type = parts[0].charAt(0);
      payload.timestamp = number(parts[2], "timestamp", lineNumber);
      if (!smallTimestampSaid
          && payload.timestamp >= 100_000_000_000L // 1973 in milliseconds
          && payload.timestamp < NANOS_2001) {
        // GoReplay writes nanoseconds; a tool writing milliseconds or microseconds puts every
        // exchange in January 1970 (--speed, --from/--until and the live day then go wrong)
        smallTimestampSaid = true;
        warnings.accept(
            file
                + ":"
                + lineNumber
                + ": timestamp "
                + payload.timestamp
                + " is before 2001 in nanoseconds (GoReplay's unit) and looks like milliseconds or"
                + " microseconds: the capture's startedAt values are kept as they are, in 1970 if"
                + " so");
      }
      payload.latency = parts.length == 4 ? number(parts[3], "latency", lineNumber) : null;
      payload.id = parts[1];
      payload.line = lineNumber;
      payloads++;
      return true;
    }

    /** Appends the current line to the payload's message, up to the payload limit; beyond, checks it may go on. */
    private void message() {
      if (payload.messageOffset < 0) {
        payload.messageOffset = lines.lineOffset();
      } else if (payload.length < maxPayload) {
        append(new byte[] {'\n'}, 0, 1);
      }
      if (payload.length < maxPayload) {
        append(lines.buffer(), lines.lineStart(), lines.lineLength());
      }
      if (payload.length == maxPayload && !payload.overflowed) {
        payload.overflowed = true;
        payload.allowance = allowance();
      }
      if (payload.overflowed && payload.allowance >= 0) {
        long beyond =
            lines.lineOffset() + lines.lineLength() - payload.messageOffset - payload.length;
        if (beyond > payload.allowance + SLACK) {
          throw new RecordingException(
              file,
              payload.line,
              "the payload goes on past the end of its HTTP message (at least "
                  + beyond
                  + " more bytes, up to line "
                  + lineNumber
                  + ", byte offset "
                  + (lines.lineOffset() + lines.lineLength() - fileStart)
                  + ") without a separator line (not a GoReplay file, or a separator is missing?)");
        }
      }
    }

    private void append(byte[] bytes, int from, int n) {
      int k = Math.min(n, maxPayload - payload.length);
      if (payload.length + k > payload.data.length) {
        payload.data =
            Arrays.copyOf(
                payload.data,
                (int) Math.min(maxPayload, Math.max(payload.length + k, payload.data.length * 2L)));
      }
      System.arraycopy(bytes, from, payload.data, payload.length, k);
      payload.length += k;
    }

    /**
     * How many more bytes the message kept so far can take by its own framing: what a
     * {@code Content-Length} body still lacks, -1 for any (chunked, or a response body that runs
     * to the end), 0 when the message ended (then the payload has no business going on).
     */
    private long allowance() {
      byte[] data = Arrays.copyOf(payload.data, payload.length);
      try {
        if (payload.type == '1') {
          HttpRequest rq = Http1Parser.parseRequest(data, 0);
          return rq.headers().contains("Transfer-Encoding")
              ? (rq.body().truncated() ? -1 : 0)
              : rq.headers().contains("Content-Length") ? missing(rq.body()) : 0;
        }
        HttpResponse rs = Http1Parser.parseResponse(data, 0, "GET");
        return rs.headers().contains("Transfer-Encoding")
            ? (rs.body().truncated() ? -1 : 0)
            : rs.headers().contains("Content-Length") ? missing(rs.body()) : -1;
      } catch (Http1Parser.ParseException e) {
        return -1; // a bad request or response is a warning when its payload ends
      }
    }

    private static long missing(Body body) {
      return body.truncated() ? body.size() - stored(body) : 0;
    }

    /** The payload is complete (its message ended at file offset {@code end}, -1 when there is none). */
    private void payload(long end) {
      Payload p = payload;
      long skipped =
          end < 0 || p.messageOffset < 0 ? 0 : Math.max(0, end - p.messageOffset - p.length);
      byte[] data = Arrays.copyOf(p.data, p.length);
      switch (p.type) {
        case '1' -> request(p.id, data, 0, p.timestamp, p.line, skipped);
        case '2' -> response(p.id, data, 0, p.timestamp, p.latency, p.line, skipped);
        default -> replayed++;
      }
      lastTimestamp = p.timestamp;
      flushReady(p.timestamp);
      expireOrphans(p.timestamp);
    }

    /**
     * {@code body} within the body limit: cut and flagged truncated when longer, its real size
     * counting the {@code skipped} bytes of an overflowed payload (for a chunked body, an upper
     * bound: its framing is counted too).
     */
    private Body limited(Body body, long skipped) {
      if (skipped == 0 || body instanceof Body.None) {
        return limit.apply(body);
      }
      byte[] bytes = body.bytes();
      return limit.of(bytes, bytes.length + skipped, body.size());
    }

    private static long stored(Body b) {
      return b instanceof Body.Text t
          ? t.bytes().length
          : b instanceof Body.Binary bin ? bin.unsafeBytes().length : 0;
    }

    private void request(
        String id, byte[] data, int offset, long timestamp, long line, long skipped) {
      if (id.length() > MAX_ID) {
        throw new RecordingException(
            file,
            line,
            "bad payload header: an id of "
                + id.length()
                + " characters (GoReplay ids are short hex strings)");
      }
      HttpRequest request;
      int[] after = new int[1];
      try {
        request = Http1Parser.parseRequest(data, offset, after);
      } catch (Http1Parser.ParseException e) {
        String reason = "request " + id + ": " + e.getMessage();
        String where = file + ":" + (line + 1) + ": " + reason;
        if (unterminated) {
          warnings.accept(
              where + "; the last payload has no closing separator (capture cut off?), skipped it");
          return;
        }
        // one malformed request (a scanner's junk) is left out, counted; never the whole capture
        badRequests++;
        badIds.put(id, Boolean.TRUE);
        dropOrphans(id);
        if (firstBadRequest == null) {
          firstBadRequest = where;
          firstBadReason = reason;
          firstBadLine = line + 1;
        }
        if (badRequests <= MAX_WARNED) {
          warnings.accept(where + "; left out");
        }
        return;
      }
      if (after[0] > 0 && !blank(data, data.length - after[0], data.length)) {
        extraBytes++;
        if (extraBytes <= MAX_WARNED) {
          warnings.accept(
              file
                  + ":"
                  + (line + 1)
                  + ": request "
                  + id
                  + ": "
                  + after[0]
                  + " bytes after the request (pipelined requests in one payload, or stray bytes:"
                  + " a request without Content-Length or Transfer-Encoding has no body); left out");
        }
      }
      request = request.withBody(limited(request.body(), skipped));
      int seen = recentIds.merge(id, 1, Integer::sum);
      if (seen > 1) {
        duplicateIds++;
      }
      Pending p = new Pending(id, seen == 1 ? id : id + "-" + seen, request, timestamp);
      p.heldSince = maxHoldNanos >= 0 ? System.nanoTime() : 0;
      pending.addLast(p);
      p.bytes = data.length;
      pendingBytes += p.bytes;
      ArrayDeque<Orphan> early = orphans.get(id);
      if (early != null) {
        Orphan o = early.pollFirst();
        if (early.isEmpty()) {
          orphans.remove(id);
        }
        orphanOrder.remove(o);
        orphanBytes -= o.data.length;
        answer(p, o.id, o.data, o.timestamp, o.latency, o.line, o.skipped);
        return;
      }
      waiting.computeIfAbsent(id, k -> new ArrayDeque<>()).addLast(p);
    }

    /** A response read before its request. */
    private record Orphan(
        String id, byte[] data, long timestamp, Long latency, long line, long skipped) {}

    /** Warnings given one by one at most, per kind; the rest are counted at the end. */
    private static final int MAX_WARNED = 5;

    private static boolean blank(byte[] b, int from, int to) {
      for (int i = from; i < to; i++) {
        if (b[i] != '\r' && b[i] != '\n' && b[i] != ' ' && b[i] != '\t') {
          return false;
        }
      }
      return true;
    }

    private void dropOrphans(String id) {
      ArrayDeque<Orphan> early = orphans.remove(id);
      if (early != null) {
        for (Orphan o : early) {
          orphanOrder.remove(o);
          orphanBytes -= o.data.length;
        }
      }
    }

    /** Held responses whose request has not come in {@link #MAX_WAIT_NANOS}, or beyond the bounds. */
    private void expireOrphans(long now) {
      while (!orphanOrder.isEmpty()) {
        Orphan o = orphanOrder.peekFirst();
        if (now - o.timestamp <= MAX_WAIT_NANOS
            && orphanOrder.size() <= MAX_PENDING
            && orphanBytes <= MAX_PENDING_BYTES) {
          return;
        }
        orphanOrder.pollFirst();
        orphanBytes -= o.data.length;
        ArrayDeque<Orphan> same = orphans.get(o.id);
        if (same != null && same.remove(o) && same.isEmpty()) {
          orphans.remove(o.id);
        }
        orphanResponses++;
      }
    }

    private void response(
        String id, byte[] data, int offset, long timestamp, Long latency, long line, long skipped) {
      ArrayDeque<Pending> candidates = waiting.get(id);
      Pending p = candidates == null ? null : candidates.pollFirst();
      if (candidates != null && candidates.isEmpty()) {
        waiting.remove(id);
      }
      if (p == null) {
        if (badIds.containsKey(id)) {
          return; // the response of a request left out: counted with it
        }
        // GoReplay may write a response before its request: held until the request comes
        byte[] kept = offset == 0 ? data : Arrays.copyOfRange(data, offset, data.length);
        Orphan o = new Orphan(id, kept, timestamp, latency, line, skipped);
        orphans.computeIfAbsent(id, k -> new ArrayDeque<>()).addLast(o);
        orphanOrder.addLast(o);
        orphanBytes += kept.length;
        expireOrphans(timestamp);
        return;
      }
      answer(p, id, data, timestamp, latency, line, skipped);
    }

    /** {@code data} (a response payload) parsed as the answer to {@code p}. */
    private void answer(
        Pending p, String id, byte[] data, long timestamp, Long latency, long line, long skipped) {
      try {
        HttpResponse response = Http1Parser.parseResponse(data, 0, p.request.method());
        p.response = response.withBody(limited(response.body(), skipped));
        p.bytes += data.length;
        pendingBytes += data.length;
        p.latencyNanos =
            latency != null && latency > 0 ? latency : Math.max(0, timestamp - p.timestampNanos);
      } catch (Http1Parser.ParseException e) {
        p.error = "unparseable response in the GoReplay file: " + e.getMessage();
        warnings.accept(
            file
                + ":"
                + (line + 1)
                + ": response "
                + id
                + ": "
                + e.getMessage()
                + "; kept the request without a response");
      }
    }

    private void flushReady(long now) {
      while (!pending.isEmpty()) {
        Pending head = pending.peekFirst();
        boolean answered = head.response != null || head.error != null;
        boolean stale =
            now - head.timestampNanos > MAX_WAIT_NANOS
                || maxHoldNanos >= 0 && System.nanoTime() - head.heldSince > maxHoldNanos
                || pending.size() > MAX_PENDING
                || pendingBytes > MAX_PENDING_BYTES;
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
      pendingBytes -= p.bytes;
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
        throw new RecordingException(
            file,
            line,
            "bad "
                + what
                + " \""
                + abbreviate(printable(s))
                + "\" in payload header (expected nanoseconds)");
      }
    }
  }

  /** The line with control characters (of a binary file) shown as '?': an error message is one clean line. */
  private static String printable(String s) {
    return s.replaceAll("[\\p{Cntrl}\u0080-\u009f]", "?");
  }
}
