package dev.shadowtest.core;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.shadowtest.core.internal.SecureFiles;
import java.io.BufferedOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
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
 * <p>Not thread-safe: one writer thread per file.
 */
public final class RecordingWriter implements AutoCloseable, Flushable {

  private final Path file;
  private final OutputStream out;
  private final JsonGenerator json;
  private long count;
  private boolean closed;

  private RecordingWriter(Path file, OutputStream out, RecordingHeader header) throws IOException {
    this.file = file;
    this.out = out;
    this.json = ExchangeCodec.FACTORY.createGenerator(out);
    json.setRootValueSeparator(null);
    ExchangeCodec.writeHeader(json, header);
    json.writeRaw('\n');
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
      throw new IllegalArgumentException("gzip level must be 1..9, got " + gzipLevel);
    }
    return create(file, header, isGzip(file), false, gzipLevel);
  }

  /** Creates a new temporary file (must not exist) with explicit compression. */
  static RecordingWriter createTemporary(Path file, RecordingHeader header, boolean gzip) {
    return create(file, header, gzip, true, Deflater.DEFAULT_COMPRESSION);
  }

  private static RecordingWriter create(Path file, RecordingHeader header, boolean gzip, boolean exclusive, int level) {
    OutputStream raw = null;
    try {
      raw = exclusive ? SecureFiles.newExclusiveOutputStream(file) : SecureFiles.newOutputStream(file);
      OutputStream out = gzip
          ? new LeveledGzip(raw, level) // sync flush: flushed lines are readable
          : new BufferedOutputStream(raw, 1 << 16);
      return new RecordingWriter(file, out, header);
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

  /** Appends one exchange as one line. */
  public void write(Exchange exchange) {
    if (closed) {
      throw new IllegalStateException("writer for " + file + " is closed");
    }
    try {
      ExchangeCodec.writeExchange(json, exchange);
      json.writeRaw('\n');
      count++;
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot write: " + describe(e), e);
    }
  }

  /** Exchanges written so far. */
  public long count() {
    return count;
  }

  public Path file() {
    return file;
  }

  /** Pushes buffered lines to the operating system (for gzip: a sync flush). */
  @Override
  public void flush() {
    try {
      json.flush();
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
