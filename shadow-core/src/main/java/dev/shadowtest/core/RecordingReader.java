package dev.shadowtest.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.shadowtest.core.internal.LineSource;
import dev.shadowtest.core.internal.StrictGzipInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.ZipException;

/**
 * Streams the exchanges of a recording ({@code .jsonl}, or gzip when the file starts with the
 * gzip magic bytes), in memory bounded by the longest line, for any file size.
 *
 * <p>No line can poison the file. The header (line 1) is strict: a file whose first line is not a
 * recording header is refused with a {@link RecordingException}. After it, an exchange line that
 * cannot be read (not JSON, a bad field, longer than {@link #MAX_LINE_BYTES}) is skipped: it is
 * reported as a warning {@code FILE:LINE: reason; skipped this line}, counted by
 * {@link #unreadable()}, and reading goes on with the next line. A line over the limit is skipped
 * without being held in memory. A last line cut off mid-write (a crashed recorder, a truncated
 * gzip stream) is a warning too, and not counted as unreadable. Only a broken stream (corrupt
 * gzip data, bytes after the gzip trailer, a read error) still stops reading with an exception.
 *
 * <pre>{@code
 * try (RecordingReader r = RecordingReader.open(Path.of("nightly.jsonl.gz"))) {
 *   r.header().source();
 *   while (r.hasNext()) {
 *     Exchange e = r.next();
 *   }
 *   r.warnings().forEach(System.err::println);
 *   r.unreadable(); // lines skipped
 * }
 * }</pre>
 */
public final class RecordingReader implements ExchangeSource {

  /** The longest line read (256 MiB); a longer exchange line is skipped as unreadable. */
  public static final int MAX_LINE_BYTES = LineSource.MAX_LINE_BYTES;

  /**
   * Unreadable lines reported one warning each; beyond, they are only counted, and one last
   * warning gives the total (a file of garbage must not turn into millions of warnings).
   */
  public static final int MAX_LISTED_UNREADABLE = 100;

  private final Path file;
  private final LineSource lines;
  private final Consumer<String> warningSink;
  private final List<String> warnings = new ArrayList<>();
  private final RecordingHeader header;
  private final ExchangeCodec.RawLine raw; // version 2: where the raw bodies of a line are
  private long lineNumber;
  private long count;
  private long unreadable;
  private Exchange next;
  private boolean done;

  /**
   * The longest header line (1 MiB: a header holds a few names and patterns). A file that is not a
   * recording (binary data, no newlines) is refused after 1 MiB, not after 256.
   */
  static final int MAX_HEADER_BYTES = 1 << 20;

  private RecordingReader(Path file, LineSource lines, Consumer<String> warningSink) {
    this.file = file;
    this.lines = lines;
    this.warningSink = warningSink;
    int limit = lines.limit();
    lines.limit(Math.min(limit, MAX_HEADER_BYTES));
    this.header = readHeader();
    this.raw = header.rawBodies() ? new ExchangeCodec.RawLine() : null;
    lines.limit(limit);
  }

  /** Opens {@code file} and reads its header line. */
  public static RecordingReader open(Path file) {
    return open(file, w -> {});
  }

  /** Opens {@code file}; warnings also go to {@code warningSink} as they happen. */
  public static RecordingReader open(Path file, Consumer<String> warningSink) {
    return open(file, warningSink, MAX_LINE_BYTES);
  }

  /** As {@link #open(Path, Consumer)} with another line limit (tests use a small one). */
  static RecordingReader open(Path file, Consumer<String> warningSink, int maxLineBytes) {
    InputStream in = openInput(file);
    try {
      return new RecordingReader(file, new LineSource(in, maxLineBytes), warningSink);
    } catch (RuntimeException e) {
      try {
        in.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * A fast estimate of the number of exchanges in {@code file} (its lines minus the header), for
   * progress and ETA; no parsing. Returns -1 when the file cannot be read.
   */
  public static long estimateExchanges(Path file) {
    try (InputStream in = openInput(file)) {
      byte[] buf = new byte[1 << 16];
      long lines = 0;
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
      }
      return Math.max(0, lines - 1);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Opens a file for reading, decompressing gzip by its magic bytes, with precise errors. */
  static InputStream openInput(Path file) {
    if (Files.isDirectory(file)) {
      throw new RecordingException(file, 0, "is a directory, expected a file");
    }
    try {
      BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      try {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
          return new StrictGzipInputStream(in);
        }
        return in;
      } catch (IOException | RuntimeException e) {
        in.close();
        if (e instanceof ZipException) {
          throw new RecordingException(file, 0, "not a valid gzip file: " + e.getMessage(), e);
        }
        throw e;
      }
    } catch (NoSuchFileException e) {
      throw new RecordingException(file, 0, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new RecordingException(file, 0, "permission denied", e);
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + RecordingWriter.describe(e), e);
    }
  }

  /** The recording's header (line 1). */
  public RecordingHeader header() {
    return header;
  }

  /** Warnings so far (unreadable lines skipped, a last line cut off mid-write). */
  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * How many exchange lines were skipped so far because they could not be read (each also a
   * warning, up to {@link #MAX_LISTED_UNREADABLE}). A last line cut off mid-write is not counted.
   */
  public long unreadable() {
    return unreadable;
  }

  /** The line number of the exchange most recently returned by {@link #next()}. */
  public long lineNumber() {
    return lineNumber;
  }

  public Path file() {
    return file;
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      done = true; // stays done if advance() throws: a broken stream cannot be read past
      next = advance();
      done = next == null;
    }
    return next != null;
  }

  @Override
  public Exchange next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Exchange e = next;
    next = null;
    count++;
    return e;
  }

  /** The remaining exchanges as a sequential stream; closing the stream closes this reader. */
  public Stream<Exchange> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /**
   * One exchange from one recording line (its JSON, without the line break), for sources that
   * keep exchanges one by one (a Kafka record holds one line).
   *
   * @throws BadInputException saying what is wrong with it (field, column)
   */
  public static Exchange parseExchange(byte[] line) {
    try (JsonParser p = ExchangeCodec.FACTORY.createParser(line)) {
      Exchange e = ExchangeCodec.readExchange(p);
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw new BadInputException(
            "unexpected " + ExchangeCodec.describe(trailing) + " after the exchange object");
      }
      return e;
    } catch (ExchangeCodec.FieldProblem e) {
      throw new BadInputException((e.path.isEmpty() ? "" : e.path + ": ") + e.getMessage());
    } catch (StreamReadException e) {
      throw new BadInputException("not JSON (" + jsonError(e) + ")");
    } catch (IOException e) {
      throw new BadInputException("cannot read: " + RecordingWriter.describe(e));
    }
  }

  /**
   * A recording header from its line ({@link RecordingWriter#headerLine}), for sources that keep
   * it beside their exchanges.
   *
   * @throws BadInputException saying what is wrong with it
   */
  public static RecordingHeader parseHeader(byte[] line) {
    try (JsonParser p = ExchangeCodec.FACTORY.createParser(line)) {
      return ExchangeCodec.readHeader(p);
    } catch (ExchangeCodec.FieldProblem e) {
      throw new BadInputException(
          "header: " + (e.path.isEmpty() ? "" : e.path + ": ") + e.getMessage());
    } catch (StreamReadException e) {
      throw new BadInputException("header: not JSON (" + jsonError(e) + ")");
    } catch (IOException e) {
      throw new BadInputException("header: cannot read: " + RecordingWriter.describe(e));
    }
  }

  private RecordingHeader readHeader() {
    if (!nextNonBlankLine()) {
      throw new RecordingException(
          file,
          0,
          "is empty; expected a recording header on line 1"
              + (lines.abruptEnd() != null ? " (the gzip stream is cut off)" : ""));
    }
    if (lines.lineTooLong()) {
      throw new RecordingException(
          file,
          lineNumber,
          "not a Shadow recording: line 1 is longer than "
              + describeLimit()
              + " (binary data, or no newlines)");
    }
    try (JsonParser p = parser()) {
      return ExchangeCodec.readHeader(p);
    } catch (ExchangeCodec.FieldProblem e) {
      throw new RecordingException(
          file, lineNumber, "header: " + (e.path.isEmpty() ? "" : e.path + ": ") + e.getMessage());
    } catch (StreamReadException e) {
      throw new RecordingException(
          file, lineNumber, "not a Shadow recording: line 1 is not JSON (" + jsonError(e) + ")", e);
    } catch (IOException e) {
      throw new RecordingException(
          file, lineNumber, "cannot read: " + RecordingWriter.describe(e), e);
    }
  }

  private Exchange advance() {
    while (true) {
      if (!nextNonBlankLine()) {
        if (lines.abruptEnd() != null) {
          warn(
              file
                  + ": compressed stream ends early ("
                  + lines.abruptEnd().getMessage()
                  + "); kept everything up to line "
                  + lineNumber);
        }
        return finished();
      }
      if (lines.lineTooLong()) {
        skip("longer than " + describeLimit());
        continue;
      }
      if (raw != null) {
        raw.line(lines.buffer(), lines.lineStart(), lines.lineStart() + lines.lineLength());
      }
      try (JsonParser p = parser()) {
        Exchange e = ExchangeCodec.readExchange(p, raw);
        if (raw != null && raw.hadTail()) {
          return e; // the raw bodies ran to the end of the line
        }
        JsonToken trailing = p.nextToken();
        if (trailing == null) {
          return e;
        }
        if (cutOff()) {
          return truncatedLastLine(
              "unexpected " + ExchangeCodec.describe(trailing) + " after the exchange object");
        }
        skip(
            "unexpected "
                + ExchangeCodec.describe(trailing)
                + " after the exchange object (column "
                + p.currentLocation().getColumnNr()
                + ")");
      } catch (ExchangeCodec.FieldProblem e) {
        if (cutOff()) {
          return truncatedLastLine(e.getMessage());
        }
        skip((e.path.isEmpty() ? "" : e.path + ": ") + e.getMessage());
      } catch (StreamReadException e) {
        if (cutOff()) {
          return truncatedLastLine(jsonError(e));
        }
        skip(jsonError(e));
      } catch (IOException e) {
        throw new RecordingException(
            file, lineNumber, "cannot read: " + RecordingWriter.describe(e), e);
      }
    }
  }

  /** The current line cannot be read: count it, say so (up to a limit), go on. */
  private void skip(String why) {
    unreadable++;
    if (unreadable <= MAX_LISTED_UNREADABLE) {
      warn(file + ":" + lineNumber + ": " + why + "; skipped this line");
    }
  }

  private Exchange finished() {
    if (unreadable > MAX_LISTED_UNREADABLE) {
      warn(
          file
              + ": "
              + unreadable
              + " unreadable line(s) skipped in all (only the first "
              + MAX_LISTED_UNREADABLE
              + " are listed)");
    }
    return null;
  }

  private String describeLimit() {
    int limit = lines.limit();
    return limit % (1 << 20) == 0 ? (limit >> 20) + " MiB" : limit + " bytes";
  }

  /** The current line is the last one and has no '\n': the writer died mid-line. */
  private boolean cutOff() {
    return !lines.lineTerminated();
  }

  private Exchange truncatedLastLine(String why) {
    warn(
        file
            + ":"
            + lineNumber
            + ": last line is incomplete (cut off mid-write?): "
            + why
            + "; ignored it and kept the "
            + count
            + " exchange(s) before it");
    done = true;
    return finished();
  }

  private boolean nextNonBlankLine() {
    try {
      while (lines.next()) {
        lineNumber++;
        if (lines.lineTooLong() || !lines.lineIsBlank()) {
          return true;
        }
      }
      return false;
    } catch (StrictGzipInputStream.TrailingDataException e) {
      throw new RecordingException(file, lineNumber + 1, e.getMessage(), e);
    } catch (ZipException e) {
      throw new RecordingException(file, lineNumber + 1, "corrupt gzip data: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new RecordingException(
          file, lineNumber + 1, "cannot read: " + RecordingWriter.describe(e), e);
    }
  }

  private JsonParser parser() throws IOException {
    return ExchangeCodec.FACTORY.createParser(
        lines.buffer(), lines.lineStart(), lines.lineLength());
  }

  private static String jsonError(StreamReadException e) {
    // Jackson quotes the bad token, which in a binary line may hold terminal control characters
    String m =
        ExchangeCodec.firstLine(e.getOriginalMessage())
            .replaceAll("[\\p{Cntrl}\u0080-\u009f]", "?");
    int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
    return column > 0 ? m + " (column " + column + ")" : m;
  }

  private void warn(String message) {
    warnings.add(message);
    warningSink.accept(message);
  }

  @Override
  public void close() {
    try {
      lines.close();
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot close: " + RecordingWriter.describe(e), e);
    }
  }
}
