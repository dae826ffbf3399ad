package dev.shadowtest.diff.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

  private final OutputStream out;
  private final JsonGenerator g;

  // a matching exchange's line is mostly these names and a few values that repeat from line to
  // line: encoded once, they are copied instead of escaped character by character
  private static final SerializedString ID = new SerializedString("id");
  private static final SerializedString ENDPOINT = new SerializedString("endpoint");
  private static final SerializedString METHOD = new SerializedString("method");
  private static final SerializedString TARGET = new SerializedString("target");
  private static final SerializedString VERDICT = new SerializedString("verdict");
  private static final SerializedString RECORDED_STATUS = new SerializedString("recordedStatus");
  private static final SerializedString PRIMARY_STATUS = new SerializedString("primaryStatus");
  private static final SerializedString CANDIDATE_STATUS = new SerializedString("candidateStatus");
  private static final SerializedString RECORDED_MICROS = new SerializedString("recordedMicros");
  private static final SerializedString PRIMARY_MICROS = new SerializedString("primaryMicros");
  private static final SerializedString CANDIDATE_MICROS = new SerializedString("candidateMicros");
  private static final SerializedString[] VERDICTS =
      Arrays.stream(Verdict.values())
          .map(v -> new SerializedString(v.name()))
          .toArray(SerializedString[]::new);

  /** Endpoints and methods, encoded once (a run has few; bounded whatever the input). */
  private final Map<String, SerializedString> repeated = new HashMap<>();

  private static final int MAX_REPEATED = 4096;

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
    g.writeFieldName(ID);
    g.writeString(r.id());
    g.writeFieldName(ENDPOINT);
    g.writeString(repeated(r.endpoint()));
    g.writeFieldName(METHOD);
    g.writeString(repeated(r.method()));
    g.writeFieldName(TARGET);
    g.writeString(r.target());
    g.writeFieldName(VERDICT);
    g.writeString(VERDICTS[r.verdict().ordinal()]);
    number(g, RECORDED_STATUS, r.recordedStatus());
    number(g, PRIMARY_STATUS, r.primaryStatus());
    number(g, CANDIDATE_STATUS, r.candidateStatus());
    number(g, RECORDED_MICROS, r.recordedMicros());
    number(g, PRIMARY_MICROS, r.primaryMicros());
    number(g, CANDIDATE_MICROS, r.candidateMicros());
    if (r.error() != null) {
      g.writeStringField("error", r.error());
    }
    // a match is a short line: empty lists and false flags are left out (absent reads as such)
    Set<FieldKey> noise = r.noiseFields();
    var outcome = r.outcome();
    if (!r.differences().isEmpty()) {
      g.writeArrayFieldStart("differences");
    }
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
    if (!r.differences().isEmpty()) {
      g.writeEndArray();
    }
    if (!noise.isEmpty()) {
      g.writeArrayFieldStart("noiseFields");
      for (FieldKey k : noise.stream().sorted().toList()) {
        g.writeStartArray();
        g.writeString(k.field());
        g.writeString(k.type().name());
        g.writeEndArray();
      }
      g.writeEndArray();
    }
    if (r.hadSecondary()) {
      g.writeBooleanField("hadSecondary", true);
    }
    if (r.serverError()) {
      g.writeBooleanField("serverError", true);
    }
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

  private static void number(JsonGenerator g, SerializedString name, Number n) throws IOException {
    if (n != null) {
      g.writeFieldName(name);
      g.writeNumber(n.longValue());
    }
  }

  /** {@code value} encoded, from the values seen before when it is one of them. */
  private SerializedString repeated(String value) {
    SerializedString s = repeated.get(value);
    if (s == null) {
      if (repeated.size() >= MAX_REPEATED) {
        repeated.clear();
      }
      s = new SerializedString(value);
      repeated.put(value, s);
    }
    return s;
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
          parsed = parse(line);
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
    return readRecoveringNumbered(file, (line, number) -> sink.accept(line));
  }

  /** Takes each line read with its number in the file (1 for the first), to name it in errors. */
  @FunctionalInterface
  public interface NumberedSink {
    void accept(ResultLine line, long number);
  }

  /**
   * As {@link #readRecovering(Path, Consumer)}, telling {@code sink} each line's number: a reader
   * that finds a line wrong for its purpose (shadow merge: an id that is no position) names it.
   */
  public static String readRecoveringNumbered(Path file, NumberedSink sink) {
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
            parsed = parse(line);
          } catch (IOException | RuntimeException e) {
            if (next == null && gz.cut) {
              return file + ": cut off in line " + n + " (a crash); the lines before are read";
            }
            throw new RecordingException(file, n, "bad result line: " + e.getMessage(), e);
          }
          sink.accept(parsed, n);
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

  /**
   * One line, read by streaming (no tree): the fields a line has, in any order; unknown fields are
   * skipped (lines of later versions read), {@code id}, {@code endpoint} and {@code verdict} are
   * required.
   */
  static ResultLine parse(String line) throws IOException {
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      String id = null;
      String endpoint = null;
      String method = "";
      String target = "";
      Verdict verdict = null;
      Integer recordedStatus = null;
      Integer primaryStatus = null;
      Integer candidateStatus = null;
      Long recordedMicros = null;
      Long primaryMicros = null;
      Long candidateMicros = null;
      String error = null;
      List<Difference> diffs = List.of();
      Set<FieldKey> noise = Set.of();
      boolean hadSecondary = false;
      boolean serverError = false;
      List<String> notes = List.of();
      String candidateTarget = null;
      List<String> transforms = List.of();
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        JsonToken t = p.nextToken();
        switch (name) {
          case "id" -> id = text(p, t);
          case "endpoint" -> endpoint = text(p, t);
          case "method" -> method = t == JsonToken.VALUE_NULL ? "" : text(p, t);
          case "target" -> target = t == JsonToken.VALUE_NULL ? "" : text(p, t);
          case "verdict" -> verdict = Verdict.valueOf(text(p, t));
          case "recordedStatus" -> recordedStatus = integer(p, t);
          case "primaryStatus" -> primaryStatus = integer(p, t);
          case "candidateStatus" -> candidateStatus = integer(p, t);
          case "recordedMicros" -> recordedMicros = longValue(p, t);
          case "primaryMicros" -> primaryMicros = longValue(p, t);
          case "candidateMicros" -> candidateMicros = longValue(p, t);
          case "error" -> error = t == JsonToken.VALUE_NULL ? null : text(p, t);
          case "differences" -> diffs = differences(p, t);
          case "noiseFields" -> noise = noiseFields(p, t);
          case "hadSecondary" -> hadSecondary = p.getValueAsBoolean();
          case "serverError" -> serverError = p.getValueAsBoolean();
          case "notes" -> notes = strings(p, t);
          case "candidateTarget" -> candidateTarget = t == JsonToken.VALUE_NULL ? null : text(p, t);
          case "transforms" -> transforms = strings(p, t);
          default -> p.skipChildren(); // a field of a later version
        }
      }
      if (id == null || endpoint == null || verdict == null) {
        throw new IOException(
            "missing " + (id == null ? "id" : endpoint == null ? "endpoint" : "verdict"));
      }
      return new ResultLine(
          id,
          endpoint,
          method,
          target,
          verdict,
          recordedStatus,
          primaryStatus,
          candidateStatus,
          recordedMicros,
          primaryMicros,
          candidateMicros,
          error,
          diffs,
          noise,
          hadSecondary,
          serverError,
          notes,
          candidateTarget,
          transforms);
    }
  }

  /** A scalar's text (a number's digits too); a structure or null where a value belongs is an error. */
  private static String text(JsonParser p, JsonToken t) throws IOException {
    if (t == null || !t.isScalarValue() || t == JsonToken.VALUE_NULL) {
      throw new IOException("expected a value at " + p.currentName());
    }
    return p.getText();
  }

  private static Integer integer(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (!t.isScalarValue()) {
      throw new IOException("expected a number at " + p.currentName());
    }
    return p.getValueAsInt();
  }

  private static Long longValue(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (!t.isScalarValue()) {
      throw new IOException("expected a number at " + p.currentName());
    }
    return p.getValueAsLong();
  }

  private static List<String> strings(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      out.add(text(p, e));
    }
    return out;
  }

  private static List<Difference> differences(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      return List.of();
    }
    List<Difference> out = new ArrayList<>();
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (e != JsonToken.START_OBJECT) {
        throw new IOException("expected a difference object");
      }
      String path = null;
      String field = null;
      DifferenceType type = null;
      String expected = null;
      String actual = null;
      String accepted = null;
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        JsonToken v = p.nextToken();
        boolean absent = v == JsonToken.VALUE_NULL;
        switch (name) {
          case "path" -> path = text(p, v);
          case "field" -> field = text(p, v);
          case "type" -> type = DifferenceType.valueOf(text(p, v));
          case "expected" -> expected = absent ? null : text(p, v);
          case "actual" -> actual = absent ? null : text(p, v);
          case "accepted" -> accepted = absent ? null : text(p, v);
          default -> p.skipChildren();
        }
      }
      if (path == null || field == null || type == null) {
        throw new IOException("a difference without path, field or type");
      }
      out.add(new Difference(path, field, type, expected, actual, accepted));
    }
    return out;
  }

  private static Set<FieldKey> noiseFields(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) {
      p.skipChildren();
      return Set.of();
    }
    Set<FieldKey> out = new HashSet<>();
    for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
      if (e != JsonToken.START_ARRAY) {
        throw new IOException("expected a [field, type] pair");
      }
      String field = text(p, p.nextToken());
      DifferenceType type = DifferenceType.valueOf(text(p, p.nextToken()));
      if (p.nextToken() != JsonToken.END_ARRAY) {
        throw new IOException("expected a [field, type] pair");
      }
      out.add(new FieldKey(field, type));
    }
    return out;
  }
}
