package dev.shadowtest.core;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Copies a recording from one location to another, whatever keeps them: a file to a Kafka topic
 * (publishing an existing recording), a topic to a file, a file to a file. The exchanges keep
 * their content and the recording header its facts (the redaction that was applied); nothing is
 * redacted again or undone. A file is written 0600 and appears only when the copy is complete.
 *
 * <pre>{@code
 * RecordingCopy.Result r = RecordingCopy.copy("rec.jsonl.gz", "kafka://b:9092/traffic", false, false, System.err::println);
 * }</pre>
 */
public final class RecordingCopy {

  /**
   * What was copied.
   *
   * @param exchanges   written to the target
   * @param unreadable  skipped because they could not be read (named in the warnings)
   */
  public record Result(long exchanges, long unreadable) {}

  private RecordingCopy() {}

  /**
   * Copies {@code from} to {@code to}. An existing target file is replaced only with {@code
   * overwrite}. Unless {@code acceptBadLines}, unreadable exchanges make the copy fail: a target
   * file is then not written; records already published to a topic stay, and the error says how
   * many.
   *
   * @throws BadInputException when a location cannot be read or written, or the sink lost
   *     exchanges it had accepted
   */
  public static Result copy(
      String from,
      String to,
      boolean overwrite,
      boolean acceptBadLines,
      Consumer<String> warnings) {
    return copy(from, to, overwrite, acceptBadLines, 0, warnings);
  }

  /**
   * As {@link #copy(String, String, boolean, boolean, Consumer)}, writing recording version
   * {@code version} (1, or {@link RecordingHeader#RAW_BODIES_VERSION}; 0 keeps the source's). A
   * Kafka topic keeps one exchange per record as JSON whatever the version.
   */
  public static Result copy(
      String from,
      String to,
      boolean overwrite,
      boolean acceptBadLines,
      int version,
      Consumer<String> warnings) {
    Path target = ExchangeStorage.file(to);
    Path input = ExchangeStorage.file(from);
    try (ExchangeSource source = ExchangeStorage.source(from, warnings)) {
      RecordingHeader header =
          version == 0 ? source.header() : source.header().withVersion(version);
      if (target != null) {
        Imports.checkOutput(input == null ? Path.of(from) : input, target, overwrite);
        Path temp = SecureFiles.temporarySibling(target);
        long n = 0;
        try (RecordingWriter w =
            RecordingWriter.createTemporary(temp, header, RecordingWriter.isGzip(target))) {
          while (source.hasNext()) {
            w.write(source.next());
            n++;
          }
          refuseBadLines(source, acceptBadLines, from, n, "nothing written");
        } catch (RuntimeException | Error e) {
          Imports.deleteQuietly(temp);
          throw e;
        }
        Imports.commit(temp, target, overwrite);
        return new Result(n, source.unreadable());
      }
      long n = 0;
      long lost;
      try (ExchangeSink sink = ExchangeStorage.sink(to, header)) {
        while (source.hasNext()) {
          sink.write(source.next());
          n++;
        }
        sink.close();
        lost = sink.lost();
      }
      if (lost > 0) {
        throw new BadInputException(
            to
                + ": "
                + lost
                + " of "
                + n
                + " exchange(s) could not be delivered (the others were)");
      }
      refuseBadLines(
          source, acceptBadLines, from, n, n + " readable exchange(s) were written to " + to);
      return new Result(n, source.unreadable());
    }
  }

  private static void refuseBadLines(
      ExchangeSource source, boolean acceptBadLines, String from, long n, String what) {
    if (source.unreadable() > 0 && !acceptBadLines) {
      throw new BadInputException(
          from
              + ": "
              + source.unreadable()
              + " unreadable exchange(s) (named in the warnings): "
              + what
              + "; --skip-bad-lines accepts the "
              + n
              + " readable exchange(s)");
    }
  }
}
