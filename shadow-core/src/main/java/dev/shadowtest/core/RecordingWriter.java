package dev.shadowtest.core;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a recording: the header line, then one JSON line per exchange. A name ending in
 * {@code .gz} gets gzip compression. The file is created with permissions 0600. Every line ends
 * with '\n', so a reader can tell a complete last line from one cut off by a crash.
 *
 * <pre>{@code
 * try (RecordingWriter w = RecordingWriter.create(Path.of("nightly.jsonl.gz"),
 *                                                  RecordingHeader.now("recorder", Redaction.defaults()))) {
 *   w.write(exchange);
 * }
 * }</pre>
 *
 * <p>Every line it writes can be read back: a text body full of control characters is stored as
 * base64 when that is smaller (it reads back as the same bytes), and an exchange whose line would
 * be longer than {@link #MAX_LINE_BYTES} has its largest bodies cut until it fits, flagged
 * truncated with their original size, exactly as a capture limit does.
 *
 * <p>Not thread-safe: one writer thread per file.
 */
public final class RecordingWriter implements ExchangeSink {

  /**
   * The longest exchange line written (200 MiB), comfortably below what readers accept
   * ({@link RecordingReader#MAX_LINE_BYTES}, 256 MiB).
   */
  public static final int MAX_LINE_BYTES = 200 << 20;

  /** Room for {@code ,"truncated":true,"size":N} next to a body that gets cut. */
  private static final int TRUNCATION_BYTES = 48;

  private final Path file;
  private final OutputStream out;
  private final JsonGenerator json;

  /** Version 2: each line's JSON goes here first, then to {@link #out} with its raw bodies. */
  private final LineBuffer line;

  private long maxLine = MAX_LINE_BYTES;
  private long count;
  private long cut;
  private boolean closed;

  /** Lines of a file with {@code header} (version 1 when null), which is written first if asked. */
  private RecordingWriter(Path file, OutputStream out, RecordingHeader header, boolean writeHeader)
      throws IOException {
    this.file = file;
    this.out = out;
    this.line = header != null && header.rawBodies() ? new LineBuffer() : null;
    this.json = ExchangeCodec.FACTORY.createGenerator(line != null ? line : out);
    json.setRootValueSeparator(null);
    if (writeHeader && line != null) {
      out.write(headerLine(header));
    } else if (writeHeader && header != null) {
      ExchangeCodec.writeHeader(json, header);
      json.writeRaw('\n');
    }
  }

  /** A reusable buffer for one line's JSON; a very long one is not kept after its line. */
  private static final class LineBuffer extends ByteArrayOutputStream {
    LineBuffer() {
      super(4096);
    }

    void moveTo(OutputStream target) throws IOException {
      target.write(buf, 0, count);
      if (buf.length > 1 << 20) {
        buf = new byte[4096];
      }
      reset();
    }
  }

  /**
   * A writer of exchange lines onto {@code out}, without a header and without a file: the
   * recorder's encoder threads encode batches in memory ({@link #flush} pushes the lines to
   * {@code out}) and append them to the recording whole (see {@link #headerLine}). Lines are
   * bounded and cut to fit exactly as in a file.
   */
  public static RecordingWriter lines(OutputStream out) {
    return lines(out, null);
  }

  /**
   * As {@link #lines(OutputStream)}, with lines of at most {@code maxLineBytes}: bodies are cut to
   * fit, as in a file ({@link #cutToFit} counts them), for storages whose records are smaller than
   * a recording line may be (a Kafka topic's message size).
   */
  public static RecordingWriter lines(OutputStream out, long maxLineBytes) {
    return lines(out).maxLineBytes(Math.min(maxLineBytes, MAX_LINE_BYTES));
  }

  /**
   * As {@link #lines(OutputStream)}, writing the lines a file with {@code header} holds (with
   * raw bodies when its version is {@link RecordingHeader#RAW_BODIES_VERSION}); the header itself
   * is not written.
   */
  public static RecordingWriter lines(OutputStream out, RecordingHeader header) {
    try {
      return new RecordingWriter(Path.of("(encoded in memory)"), out, header, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the {@code length} bytes of a raw body as a version-2 line holds them after its JSON
   * object (with {@code \\}, LF and CR escaped; the tab before it is the caller's), for encoders
   * that write recording lines themselves.
   */
  public static void writeRawBody(OutputStream out, byte[] bytes, int length) throws IOException {
    RawBodies.writeEscaped(out, bytes, length);
  }

  /** The header line of a recording (with its line break), as {@link #create} writes it first. */
  public static byte[] headerLine(RecordingHeader header) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = ExchangeCodec.FACTORY.createGenerator(out)) {
      ExchangeCodec.writeHeader(json, header);
      json.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: never
    }
    return out.toByteArray();
  }

  /** Creates (or replaces) {@code file}; gzip when its name ends in {@code .gz}. */
  public static RecordingWriter create(Path file, RecordingHeader header) {
    return create(file, header, isGzip(file), false, Deflater.DEFAULT_COMPRESSION);
  }

  /**
   * As {@link #create(Path, RecordingHeader)}, with a gzip level (1 fastest .. 9 smallest): the
   * recorder writes at level 1, so that its one writer thread keeps up with live traffic.
   */
  public static RecordingWriter create(Path file, RecordingHeader header, int gzipLevel) {
    if (gzipLevel < 1 || gzipLevel > 9) {
      throw new BadInputException("gzip level must be 1..9, got " + gzipLevel);
    }
    return create(file, header, isGzip(file), false, gzipLevel);
  }

  /** Creates a new temporary file (must not exist) with explicit compression. */
  static RecordingWriter createTemporary(Path file, RecordingHeader header, boolean gzip) {
    return create(file, header, gzip, true, Deflater.DEFAULT_COMPRESSION);
  }

  private static RecordingWriter create(
      Path file, RecordingHeader header, boolean gzip, boolean exclusive, int level) {
    OutputStream raw = null;
    try {
      raw =
          exclusive
              ? SecureFiles.newExclusiveOutputStream(file)
              : SecureFiles.newOutputStream(file);
      OutputStream out =
          gzip
              ? new LeveledGzip(raw, level) // sync flush: flushed lines are readable
              : new BufferedOutputStream(raw, 1 << 16);
      return new RecordingWriter(file, out, header, true);
    } catch (IOException e) {
      closeQuietly(raw);
      throw new RecordingException(file, 0, "cannot write: " + describe(e), e);
    }
  }

  /** True when {@code file}'s name says gzip ({@code .gz}). */
  public static boolean isGzip(Path file) {
    Path name = file.getFileName();
    return name != null && name.toString().endsWith(".gz");
  }

  /**
   * Appends one exchange as one line. When the line would be longer than
   * {@link #MAX_LINE_BYTES}, the largest body is cut first (then the other if needed) so that it
   * fits; the cut bodies are flagged truncated with their original size.
   *
   * @throws UnwritableExchangeException before writing anything, when the exchange cannot fit a line
   *     even without bodies (its target, headers and tags alone are too large), or has more than
   *     100,000 header fields in one message or tags
   */
  public void write(Exchange exchange) {
    if (closed) {
      throw new IllegalStateException("writer for " + file + " is closed");
    }
    ExchangeCodec.checkFieldCounts(exchange);
    Exchange e = exchange;
    HttpResponse rs = e.response();
    ExchangeCodec.BodyForm requestBody = form(e.request().body());
    ExchangeCodec.BodyForm responseBody =
        rs == null ? ExchangeCodec.BodyForm.NULL : form(rs.body());
    // the hot path: an upper bound from the body sizes, no second serialisation
    if (ExchangeCodec.sizeWithoutBodies(e) + requestBody.valueBytes() + responseBody.valueBytes()
        > maxLine) {
      e = fit(e, requestBody, responseBody);
      if (e != exchange) {
        cut++;
        requestBody = form(e.request().body());
        responseBody = rs == null ? ExchangeCodec.BodyForm.NULL : form(e.response().body());
      }
    }
    try {
      ExchangeCodec.writeExchange(json, e, requestBody, responseBody);
      if (line != null) {
        json.flush(); // into the line buffer
        line.moveTo(out);
        writeRaw(requestBody);
        writeRaw(responseBody);
        out.write('\n');
      } else {
        json.writeRaw('\n');
      }
      count++;
    } catch (IOException x) {
      throw new RecordingException(file, 0, "cannot write: " + describe(x), x);
    }
  }

  private ExchangeCodec.BodyForm form(Body body) {
    return line != null ? ExchangeCodec.rawForm(body) : ExchangeCodec.form(body);
  }

  private void writeRaw(ExchangeCodec.BodyForm form) throws IOException {
    if (form.raw() != null) {
      out.write('\t');
      RawBodies.writeEscaped(out, form.raw(), form.raw().length);
    }
  }

  /**
   * Appends one exchange already encoded as one line (its JSON, as {@link #write} writes it, no
   * line break). The caller vouches for its content; its shape is checked.
   *
   * @throws UnwritableExchangeException before writing anything, when it is not a JSON object on
   *     one line, or is longer than a recording line may be
   */
  @Override
  public void writeLine(String line) {
    if (closed) {
      throw new IllegalStateException("writer for " + file + " is closed");
    }
    if (line.isEmpty() || line.charAt(0) != '{' || line.charAt(line.length() - 1) != '}') {
      throw new UnwritableExchangeException("an encoded exchange must be one JSON object");
    }
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new UnwritableExchangeException("an encoded exchange must be one line");
    }
    if ((long) line.length() * 3 > maxLine
        && line.getBytes(StandardCharsets.UTF_8).length > maxLine) {
      throw new UnwritableExchangeException(
          "an encoded exchange is longer than a recording line may be (" + maxLine + " bytes)");
    }
    try {
      if (this.line != null) {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      } else {
        json.writeRaw(line);
        json.writeRaw('\n');
      }
      count++;
    } catch (IOException x) {
      throw new RecordingException(file, 0, "cannot write: " + describe(x), x);
    }
  }

  /**
   * {@code e} itself when its exact line length fits (measured by a second serialisation: only
   * for lines near the limit), else {@code e} with its largest bodies cut to fit.
   */
  private Exchange fit(
      Exchange e, ExchangeCodec.BodyForm requestBody, ExchangeCodec.BodyForm responseBody) {
    long exact = ExchangeCodec.lineLength(e, requestBody, responseBody);
    if (exact <= maxLine) {
      return e;
    }
    long request = requestBody.valueBytes();
    long response = responseBody.valueBytes();
    long rest = exact - request - response;
    long budget = maxLine - rest - 2 * TRUNCATION_BYTES;
    if (budget < 16) {
      throw new UnwritableExchangeException(
          "exchange "
              + e.id()
              + " cannot be written: its target, headers and tags alone take "
              + rest
              + " bytes, more than a recording line may hold ("
              + maxLine
              + ")");
    }
    boolean requestFirst = request >= response;
    long big = Math.max(request, response);
    long small = Math.min(request, response);
    long keepBig = Math.max(0, Math.min(big, budget - small));
    long keepSmall = Math.min(small, budget - keepBig);
    long keepRequest = requestFirst ? keepBig : keepSmall;
    long keepResponse = requestFirst ? keepSmall : keepBig;
    Exchange fitted = e;
    if (request > keepRequest) {
      fitted =
          fitted.withRequest(fitted.request().withBody(cut(fitted.request().body(), keepRequest)));
    }
    if (response > keepResponse) {
      fitted =
          fitted.withResponse(
              fitted.response().withBody(cut(fitted.response().body(), keepResponse)));
    }
    return fitted;
  }

  /**
   * The prefix of {@code body} whose stored form takes at most {@code valueBytes}: base64 bounds
   * it (the writer never chooses a larger form than base64); in version 2, raw bytes escaped,
   * at most two bytes each.
   */
  private Body cut(Body body, long valueBytes) {
    byte[] bytes = body.bytes();
    long fits = line != null ? (valueBytes - 128) / 2 : (valueBytes - 2) / 4 * 3;
    int keep = (int) Math.min(bytes.length, Math.max(0, fits));
    return Body.of(Arrays.copyOf(bytes, keep), body.size());
  }

  /** Test hook: a smaller line limit, so that cutting is tested without 200 MiB bodies. */
  RecordingWriter maxLineBytes(long bytes) {
    maxLine = bytes;
    return this;
  }

  /** Exchanges written so far. */
  public long count() {
    return count;
  }

  /** Exchanges written so far whose bodies were cut to fit {@link #MAX_LINE_BYTES}. */
  public long cutToFit() {
    return cut;
  }

  public Path file() {
    return file;
  }

  /** Pushes buffered lines to the operating system (for gzip: a sync flush). */
  @Override
  public void flush() {
    try {
      json.flush();
      if (line != null) {
        out.flush(); // the generator writes to the line buffer, not to the file
      }
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot write: " + describe(e), e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      json.close(); // closes the stream, writing the gzip trailer
      if (line != null) {
        out.close(); // the generator's stream was the line buffer
      }
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot close: " + describe(e), e);
    }
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName().replace("Exception", "") + (m == null ? "" : ": " + m);
  }

  /** GZIP with sync flush and a chosen level. */
  private static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, 1 << 16, true);
      def.setLevel(level);
    }
  }

  private static void closeQuietly(OutputStream s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }
}
