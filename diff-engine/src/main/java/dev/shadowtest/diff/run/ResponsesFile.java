package dev.shadowtest.diff.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.diff.JsonDiff;
import dev.shadowtest.diff.StoredPair;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code responses.jsonl.gz}: what re-judging a run needs (docs/run-format.md). One JSON line per
 * compared exchange, in the order of {@code results.jsonl.gz}, holding the stored form of its
 * comparison with the baseline ({@link StoredPair}: addresses replaced, bodies decoded, values
 * pseudonymised under a key that is never written) and of its noise comparison, if any. Lines
 * are kept until their total reaches a budget; an end line says how many were stored and left
 * out. A file without its end line is from a run that did not finish writing it.
 */
public final class ResponsesFile implements AutoCloseable {

  public static final String NAME = "responses.jsonl.gz";

  /** The default budget: 256 MiB of lines before compression. */
  public static final long DEFAULT_BUDGET = 256L << 20;

  /**
   * The revision written: 3 stores the bodies of a pair of kind {@code json} as JSON ({@code
   * {"json": …}}) rather than as a string of JSON text; 2 stores an actual body equal to the
   * expected one as {@code {"sameAsExpected": true}}. Files of revisions 1 and 2 are still read.
   */
  static final int VERSION = 3;

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Lines hold whole bodies, as strings or as JSON nested as deep as the comparison reads it: as
   * long and as deep as a line may be (the budget bounds them).
   */
  private static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxStringLength(Integer.MAX_VALUE)
                      .maxNestingDepth(JsonDiff.MAX_DEPTH + 8)
                      .build())
              .build());

  /**
   * One exchange's stored comparisons, and what the replay measured of it: enough to rebuild its
   * result line under any rules, also after a re-judging skipped it.
   *
   * @param line  the index of its line in {@code results.jsonl.gz} (0 for the first): entries are
   *     matched to result lines by it, whatever the ids
   * @param noise null when the exchange had no noise comparison (no secondary, or it failed)
   * @param notes notes of the replay's own about the exchange (not the comparison's)
   */
  public record Entry(
      long line,
      String id,
      StoredPair candidate,
      StoredPair noise,
      List<String> notes,
      Integer primaryStatus,
      Long primaryMicros,
      Long candidateMicros,
      String candidateTarget) {
    public Entry {
      notes = List.copyOf(notes);
    }

    /** An entry of comparisons, before the replay's measures are known. */
    public Entry(String id, StoredPair candidate, StoredPair noise, List<String> notes) {
      this(-1, id, candidate, noise, notes, null, null, null, null);
    }

    /** This entry moved to another results file, at line {@code index}. */
    public Entry at(long index) {
      return new Entry(
          index,
          id,
          candidate,
          noise,
          notes,
          primaryStatus,
          primaryMicros,
          candidateMicros,
          candidateTarget);
    }

    /** This entry with the measures of its result line, the {@code index}th of its file. */
    public Entry measured(ResultLine line, long index) {
      return new Entry(
          index,
          id,
          candidate,
          noise,
          notes,
          line.primaryStatus(),
          line.primaryMicros(),
          line.candidateMicros(),
          line.candidateTarget());
    }
  }

  /**
   * The end line: how many exchanges were stored, left out over the budget, and not stored
   * because storing failed (a bug, told in the run's warnings).
   */
  public record End(long stored, long leftOut, long budget, long failed) {}

  private final OutputStream out;
  private final long budget;
  private long used;
  private long stored;
  private long leftOut;
  private long failed;

  /** True once an entry did not fit: the run cannot be re-judged, so nothing more is kept. */
  private volatile boolean full;

  private ResponsesFile(OutputStream out, long budget) throws IOException {
    this.out = out;
    this.budget = budget;
    out.write(("{\"shadowResponses\":" + VERSION + "}\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Creates {@code dir}/{@value #NAME} (0600, gzip) keeping lines up to {@code budget} bytes. */
  public static ResponsesFile create(Path dir, long budget) throws IOException {
    return new ResponsesFile(
        new GZIPOutputStream(SecureFiles.newOutputStream(dir.resolve(NAME)), 1 << 16) {
          {
            // the fastest level: at the default one, compressing kept responses cost a replay
            // more CPU than preparing them (docs/PERFORMANCE.md)
            def.setLevel(Deflater.BEST_SPEED);
          }
        },
        budget);
  }

  /**
   * Stores {@code e} if the budget has room; false (and counted as left out) if not. Once an
   * entry was left out, every later one is too, unwritten (the run can no longer be re-judged).
   */
  public synchronized boolean write(Entry e) throws IOException {
    if (full) {
      leftOut++;
      return false;
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = JSON.createGenerator(buf)) {
      g.writeStartObject();
      g.writeNumberField("line", e.line());
      g.writeStringField("id", e.id());
      g.writeFieldName("candidate");
      pair(g, buf, e.candidate());
      if (e.noise() != null) {
        g.writeFieldName("noise");
        pair(g, buf, e.noise());
      }
      strings(g, "notes", e.notes());
      if (e.primaryStatus() != null) {
        g.writeNumberField("primaryStatus", e.primaryStatus());
      }
      if (e.primaryMicros() != null) {
        g.writeNumberField("primaryMicros", e.primaryMicros());
      }
      if (e.candidateMicros() != null) {
        g.writeNumberField("candidateMicros", e.candidateMicros());
      }
      if (e.candidateTarget() != null) {
        g.writeStringField("candidateTarget", e.candidateTarget());
      }
      g.writeEndObject();
    }
    buf.write('\n');
    if (used + buf.size() > budget) {
      full = true;
      leftOut++;
      return false;
    }
    used += buf.size();
    stored++;
    buf.writeTo(out);
    return true;
  }

  /**
   * True once the budget was spent: whatever is offered from then on is left out, so it need not
   * be prepared at all ({@link ExchangeJudge} stops pseudonymising).
   */
  public boolean full() {
    return full;
  }

  /** Counts compared exchanges left out over a budget (another file's, when merging). */
  public synchronized void leftOut(long n) {
    leftOut += n;
  }

  /** Counts compared exchanges whose responses could not be stored (storing failed). */
  public synchronized void failed(long n) {
    failed += n;
  }

  /** {@code buf}: where {@code g} writes, for JSON bodies written past it ({@link #response}). */
  private static void pair(JsonGenerator g, OutputStream buf, StoredPair p) throws IOException {
    g.writeStartObject();
    g.writeStringField("kind", p.kind());
    if (p.originsNormalized() != null) {
      g.writeBooleanField("originsNormalized", p.originsNormalized());
    }
    strings(g, "rawHeaders", p.rawHeaders());
    strings(g, "notes", p.notes());
    boolean json = p.kind().equals(JSON_KIND);
    g.writeFieldName("expected");
    response(g, buf, p.expected(), false, json);
    g.writeFieldName("actual");
    // the stored form of two equal bodies is one object (most compared answers match)
    response(g, buf, p.actual(), p.actual().body() == p.expected().body(), json);
    g.writeEndObject();
  }

  private static void strings(JsonGenerator g, String name, List<String> values)
      throws IOException {
    if (!values.isEmpty()) {
      g.writeArrayFieldStart(name);
      for (String v : values) {
        g.writeString(v);
      }
      g.writeEndArray();
    }
  }

  /**
   * The comparator whose stored bodies are JSON documents (the stored form parsed them), written
   * into the line as they are: no string escapes to write, nor to read.
   */
  private static final String JSON_KIND = "json";

  /** {@code json}: the pair is of {@link #JSON_KIND}, so a text body is a JSON document. */
  private static void response(
      JsonGenerator g, OutputStream buf, HttpResponse r, boolean sameAsExpected, boolean json)
      throws IOException {
    g.writeStartObject();
    g.writeNumberField("status", r.status());
    if (r.reason() != null) {
      g.writeStringField("reason", r.reason());
    }
    g.writeArrayFieldStart("headers");
    for (Headers.Field f : r.headers()) {
      g.writeStartArray();
      g.writeString(f.name());
      g.writeString(f.value());
      g.writeEndArray();
    }
    g.writeEndArray();
    g.writeFieldName("body");
    Body b = r.body();
    if (b instanceof Body.None) {
      g.writeNull();
    } else if (sameAsExpected) {
      g.writeStartObject();
      g.writeBooleanField("sameAsExpected", true);
      g.writeEndObject();
    } else {
      g.writeStartObject();
      if (b instanceof Body.NotCaptured n) {
        g.writeNumberField("notCaptured", n.size());
      } else if (b instanceof Body.Text t && !t.truncated()) {
        String text = t.text();
        if (json && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
          // a line break in it would end the line: none is. The generator writes the separator
          // and the document's bytes go straight after it (encoding the text for the
          // generator, character by character, cost more than the rest of the line)
          g.writeFieldName("json");
          g.writeRawValue("");
          g.flush();
          buf.write(text.getBytes(StandardCharsets.UTF_8));
        } else {
          g.writeStringField("text", text);
        }
      } else {
        g.writeStringField("base64", Base64.getEncoder().encodeToString(b.bytes()));
        if (b.truncated()) {
          g.writeNumberField("truncatedFrom", b.size());
        }
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  @Override
  public synchronized void close() throws IOException {
    out.write(
        ("{\"end\":true,\"stored\":"
                + stored
                + ",\"leftOut\":"
                + leftOut
                + ",\"budget\":"
                + budget
                + ",\"failed\":"
                + failed
                + "}\n")
            .getBytes(StandardCharsets.UTF_8));
    out.close();
  }

  /** Reads a responses file in order; {@link #end()} is known once every entry was read. */
  public static final class Reader implements AutoCloseable {
    private final Path file;
    private final BufferedReader in;
    private long line;
    private Entry peeked;
    private End end;

    private Reader(Path file, BufferedReader in) {
      this.file = file;
      this.in = in;
    }

    /** Opens {@code file}, checking its first line. */
    public static Reader open(Path file) {
      try {
        Reader r =
            new Reader(
                file,
                new BufferedReader(
                    new InputStreamReader(
                        new GZIPInputStream(Files.newInputStream(file), 1 << 16),
                        StandardCharsets.UTF_8)));
        JsonNode first = r.nextJson();
        int version = first == null ? 0 : first.path("shadowResponses").asInt();
        if (version < 1 || version > VERSION) {
          throw new RecordingException(
              file, 1, "not a Shadow responses file of version 1 to " + VERSION);
        }
        return r;
      } catch (IOException e) {
        throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
      }
    }

    /** The JSON bodies of the last line read, as written, by their JSON pointer. */
    private Map<String, String> raw = Map.of();

    private JsonNode nextJson() throws IOException {
      String s = in.readLine();
      if (s == null) {
        return null;
      }
      line++;
      try {
        JsonNode n = MAPPER.readTree(s);
        raw = s.contains("\"json\":") ? jsonBodies(s) : Map.of();
        return n;
      } catch (IOException e) {
        throw new RecordingException(file, line, "bad line: " + e.getMessage(), e);
      }
    }

    /**
     * The text of every {@code "json"} body of {@code line}, exactly as written (the tree of the
     * line would not give back a number as it was written), by the JSON pointer of its field.
     */
    private static Map<String, String> jsonBodies(String line) throws IOException {
      Map<String, String> out = new HashMap<>();
      try (JsonParser p = MAPPER.getFactory().createParser(line)) {
        for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
          if (t != JsonToken.FIELD_NAME || !p.currentName().equals("json")) {
            continue;
          }
          String pointer = p.getParsingContext().pathAsPointer().toString();
          JsonToken v = p.nextToken();
          int start = (int) p.currentTokenLocation().getCharOffset();
          if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
            p.skipChildren();
          } else if (v == JsonToken.VALUE_STRING) {
            p.getText(); // read to its closing quote
          }
          out.put(pointer, line.substring(start, (int) p.currentLocation().getCharOffset()));
        }
      }
      return out;
    }

    /** The next entry without consuming it, or null at the end of the entries. */
    public Entry peek() {
      if (peeked == null && end == null) {
        try {
          JsonNode n = nextJson();
          if (n == null) {
            throw new RecordingException(
                file,
                line,
                "cut off: the run did not finish writing it (no end line), so what it left out is"
                    + " not known");
          }
          if (n.path("end").asBoolean()) {
            end =
                new End(
                    n.path("stored").asLong(),
                    n.path("leftOut").asLong(),
                    n.path("budget").asLong(),
                    n.path("failed").asLong());
          } else {
            peeked = entry(n, raw);
          }
        } catch (IOException e) {
          throw new RecordingException(file, line, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
          if (e instanceof RecordingException r) {
            throw r;
          }
          throw new RecordingException(file, line, "bad entry: " + e.getMessage(), e);
        }
      }
      return peeked;
    }

    /** Consumes and returns the next entry, or null at the end of the entries. */
    public Entry next() {
      Entry e = peek();
      peeked = null;
      return e;
    }

    /** The end line, once every entry has been read (null before). */
    public End end() {
      return end;
    }

    /** Reads to the end line and returns it. */
    public End drain() {
      while (next() != null) {
        // skip
      }
      return end;
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        // read-only
      }
    }
  }

  /** {@code raw}: the line's JSON bodies by pointer ({@link Reader#jsonBodies}). */
  private static Entry entry(JsonNode n, Map<String, String> raw) {
    return new Entry(
        n.get("line").asLong(),
        n.get("id").asText(),
        pair(n.get("candidate"), raw, "/candidate"),
        n.hasNonNull("noise") ? pair(n.get("noise"), raw, "/noise") : null,
        strings(n.path("notes")),
        n.hasNonNull("primaryStatus") ? n.get("primaryStatus").asInt() : null,
        n.hasNonNull("primaryMicros") ? n.get("primaryMicros").asLong() : null,
        n.hasNonNull("candidateMicros") ? n.get("candidateMicros").asLong() : null,
        n.hasNonNull("candidateTarget") ? n.get("candidateTarget").asText() : null);
  }

  private static StoredPair pair(JsonNode n, Map<String, String> raw, String at) {
    HttpResponse expected = response(n.get("expected"), null, raw, at + "/expected");
    return new StoredPair(
        expected,
        response(n.get("actual"), expected.body(), raw, at + "/actual"),
        n.get("kind").asText(),
        n.hasNonNull("originsNormalized") ? n.get("originsNormalized").asBoolean() : null,
        strings(n.path("rawHeaders")),
        strings(n.path("notes")));
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  /**
   * {@code expected}: the expected side's body, which {@code sameAsExpected} stands for; {@code
   * at}: the response's JSON pointer in the line, under which {@code raw} holds a JSON body.
   */
  private static HttpResponse response(
      JsonNode n, Body expected, Map<String, String> raw, String at) {
    List<Headers.Field> headers = new ArrayList<>();
    for (JsonNode h : n.path("headers")) {
      headers.add(new Headers.Field(h.get(0).asText(), h.get(1).asText()));
    }
    JsonNode b = n.get("body");
    Body body;
    if (b == null || b.isNull()) {
      body = Body.none();
    } else if (expected != null && b.path("sameAsExpected").asBoolean()) {
      body = expected;
    } else if (b.has("notCaptured")) {
      body = Body.notCaptured(b.get("notCaptured").asLong());
    } else if (b.has("json")) {
      String text = raw.get(at + "/body/json");
      if (text == null) {
        throw new IllegalStateException("no JSON body at " + at);
      }
      body = Body.text(text);
    } else if (b.has("text")) {
      body = Body.text(b.get("text").asText());
    } else {
      byte[] bytes = Base64.getDecoder().decode(b.get("base64").asText());
      body =
          b.has("truncatedFrom")
              ? new Body.Binary(bytes, true, b.get("truncatedFrom").asLong())
              : Body.binary(bytes);
    }
    return new HttpResponse(
        n.get("status").asInt(),
        n.hasNonNull("reason") ? n.get("reason").asText() : null,
        Headers.of(headers),
        body);
  }
}
