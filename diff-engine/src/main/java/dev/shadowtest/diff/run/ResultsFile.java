package dev.shadowtest.diff.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.FieldKey;
import dev.shadowtest.diff.Verdict;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/** Streams {@code results.jsonl.gz}: one JSON line per exchange. */
public final class ResultsFile implements AutoCloseable {

  public static final String NAME = "results.jsonl.gz";

  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final OutputStream out;
  private final JsonGenerator g;

  private ResultsFile(OutputStream out) throws IOException {
    this.out = out;
    this.g = JSON.createGenerator(out);
    g.setRootValueSeparator(null);
  }

  /** Creates {@code file} (0600, gzip; {@link #flush} makes every line written so far readable). */
  public static ResultsFile create(Path file) throws IOException {
    return new ResultsFile(
        new GZIPOutputStream(SecureFiles.newOutputStream(file), 1 << 16, true) {
          {
            def.setLevel(Deflater.BEST_SPEED); // one line per exchange: speed over size
          }
        });
  }

  /**
   * Makes the lines written so far readable from the file (a gzip sync flush): a run that goes on
   * for days flushes now and then, so that a crash loses seconds, not the day.
   */
  public synchronized void flush() throws IOException {
    g.flush();
    out.flush();
  }

  public synchronized void write(ResultLine r) throws IOException {
    g.writeStartObject();
    g.writeStringField("id", r.id());
    g.writeStringField("endpoint", r.endpoint());
    g.writeStringField("method", r.method());
    g.writeStringField("target", r.target());
    g.writeStringField("verdict", r.verdict().name());
    number(g, "recordedStatus", r.recordedStatus());
    number(g, "primaryStatus", r.primaryStatus());
    number(g, "candidateStatus", r.candidateStatus());
    number(g, "recordedMicros", r.recordedMicros());
    number(g, "primaryMicros", r.primaryMicros());
    number(g, "candidateMicros", r.candidateMicros());
    if (r.error() != null) {
      g.writeStringField("error", r.error());
    }
    g.writeArrayFieldStart("differences");
    Set<FieldKey> noise = r.noiseFields();
    var outcome = r.outcome();
    for (Difference d : r.differences()) {
      g.writeStartObject();
      g.writeStringField("path", d.path());
      g.writeStringField("field", d.field());
      g.writeStringField("type", d.type().name());
      if (d.expected() != null) {
        g.writeStringField("expected", d.expected());
      }
      if (d.actual() != null) {
        g.writeStringField("actual", d.actual());
      }
      g.writeBooleanField("noise", outcome.isNoise(d));
      if (d.accepted() != null) {
        g.writeStringField("accepted", d.accepted());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeArrayFieldStart("noiseFields");
    for (FieldKey k : noise.stream().sorted().toList()) {
      g.writeStartArray();
      g.writeString(k.field());
      g.writeString(k.type().name());
      g.writeEndArray();
    }
    g.writeEndArray();
    g.writeBooleanField("hadSecondary", r.hadSecondary());
    g.writeBooleanField("serverError", r.serverError());
    if (r.candidateTarget() != null) {
      g.writeStringField("candidateTarget", r.candidateTarget());
    }
    if (!r.notes().isEmpty()) {
      g.writeArrayFieldStart("notes");
      for (String n : r.notes()) {
        g.writeString(n);
      }
      g.writeEndArray();
    }
    if (!r.transforms().isEmpty()) {
      g.writeArrayFieldStart("transforms");
      for (String t : r.transforms()) {
        g.writeString(t);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeRaw('\n');
  }

  private static void number(JsonGenerator g, String name, Number n) throws IOException {
    if (n != null) {
      g.writeNumberField(name, n.longValue());
    }
  }

  @Override
  public synchronized void close() throws IOException {
    g.close();
    out.close();
  }

  /** Reads every line of {@code file}; a bad line is an error naming file and line. */
  public static void read(Path file, Consumer<ResultLine> sink) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                StandardCharsets.UTF_8))) {
      String line;
      long n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        ResultLine parsed;
        try {
          parsed = parse(MAPPER.readTree(line));
        } catch (IOException | RuntimeException e) {
          throw new RecordingException(file, n, "bad result line: " + e.getMessage(), e);
        }
        sink.accept(parsed); // the consumer's own failures (e.g. a full disk) are not this file's
      }
    } catch (NoSuchFileException e) {
      throw new RecordingException(file, 0, "no such file (not a Shadow run directory?)", e);
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the lines of a results file that a crash may have cut off (gzip without its end, a last
   * line cut mid-write): every complete line before the cut; returns a warning naming the cut,
   * or null when the file is whole. Any other bad line is an error naming file and line.
   */
  public static String readRecovering(Path file, Consumer<ResultLine> sink) {
    long n = 0;
    try (CutTolerant gz =
            new CutTolerant(new GZIPInputStream(Files.newInputStream(file), 1 << 16));
        BufferedReader in = new BufferedReader(new InputStreamReader(gz, StandardCharsets.UTF_8))) {
      String line = in.readLine();
      while (line != null) {
        n++;
        String next = in.readLine();
        if (!line.isBlank()) {
          ResultLine parsed;
          try {
            parsed = parse(MAPPER.readTree(line));
          } catch (IOException | RuntimeException e) {
            if (next == null && gz.cut) {
              return file + ": cut off in line " + n + " (a crash); the lines before are read";
            }
            throw new RecordingException(file, n, "bad result line: " + e.getMessage(), e);
          }
          sink.accept(parsed);
        }
        line = next;
      }
      return gz.cut
          ? file + ": cut off after line " + n + " (a crash); the lines before are read"
          : null;
    } catch (NoSuchFileException e) {
      throw new RecordingException(file, 0, "no such file (not a Shadow run directory?)", e);
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
  }

  /** A gzip stream whose early end (a crash's cut) reads as its end, and is remembered. */
  private static final class CutTolerant extends FilterInputStream {
    boolean cut;

    CutTolerant(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      if (cut) {
        return -1;
      }
      try {
        return super.read();
      } catch (EOFException | ZipException e) {
        cut = true;
        return -1;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (cut) {
        return -1;
      }
      try {
        return super.read(b, off, len);
      } catch (EOFException | ZipException e) {
        cut = true;
        return -1;
      }
    }

    @Override
    public int available() throws IOException {
      return cut ? 0 : super.available();
    }
  }

  private static ResultLine parse(JsonNode n) {
    List<Difference> diffs = new ArrayList<>();
    for (JsonNode d : n.path("differences")) {
      diffs.add(
          new Difference(
              d.get("path").asText(),
              d.get("field").asText(),
              DifferenceType.valueOf(d.get("type").asText()),
              d.hasNonNull("expected") ? d.get("expected").asText() : null,
              d.hasNonNull("actual") ? d.get("actual").asText() : null,
              d.hasNonNull("accepted") ? d.get("accepted").asText() : null));
    }
    Set<FieldKey> noise = new HashSet<>();
    for (JsonNode k : n.path("noiseFields")) {
      noise.add(new FieldKey(k.get(0).asText(), DifferenceType.valueOf(k.get(1).asText())));
    }
    List<String> notes = new ArrayList<>();
    n.path("notes").forEach(x -> notes.add(x.asText()));
    List<String> transforms = new ArrayList<>();
    n.path("transforms").forEach(x -> transforms.add(x.asText()));
    return new ResultLine(
        n.get("id").asText(),
        n.get("endpoint").asText(),
        n.path("method").asText(),
        n.path("target").asText(),
        Verdict.valueOf(n.get("verdict").asText()),
        integer(n, "recordedStatus"),
        integer(n, "primaryStatus"),
        integer(n, "candidateStatus"),
        longValue(n, "recordedMicros"),
        longValue(n, "primaryMicros"),
        longValue(n, "candidateMicros"),
        n.hasNonNull("error") ? n.get("error").asText() : null,
        diffs,
        noise,
        n.path("hadSecondary").asBoolean(),
        n.path("serverError").asBoolean(),
        notes,
        n.hasNonNull("candidateTarget") ? n.get("candidateTarget").asText() : null,
        transforms);
  }

  private static Integer integer(JsonNode n, String f) {
    return n.hasNonNull(f) ? n.get(f).asInt() : null;
  }

  private static Long longValue(JsonNode n, String f) {
    return n.hasNonNull(f) ? n.get(f).asLong() : null;
  }
}
