package dev.shadowtest.core;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * Exports a recording as a HAR 1.2 file that browsers' DevTools and HAR viewers open. Streams:
 * one exchange in memory at a time. Text bodies become {@code content.text}, binary bodies
 * base64 with {@code encoding: "base64"}; the exchange id and tags go into a {@code _shadow}
 * block so that {@link HarImporter} restores them. The URL is rebuilt as
 * {@code http://<Host><target>} (a recording does not keep the scheme).
 *
 * <pre>{@code
 * HarExporter.exportFile(Path.of("rec.jsonl.gz"), Path.of("rec.har"));
 * }</pre>
 */
public final class HarExporter {

  private HarExporter() {}

  /**
   * Writes {@code recording} as HAR to {@code har} (gzip if it ends in .gz), permissions 0600; an
   * existing {@code har} is refused.
   */
  public static ImportResult exportFile(Path recording, Path har) {
    return exportFile(recording, har, w -> {});
  }

  /** As {@link #exportFile(Path, Path)}, with warnings from reading also sent to {@code warningSink}. */
  public static ImportResult exportFile(Path recording, Path har, Consumer<String> warningSink) {
    return exportFile(recording, har, false, warningSink);
  }

  /**
   * Writes {@code recording} as HAR to {@code har}; warnings from reading also go to
   * {@code warningSink}. An existing {@code har} is replaced only when {@code overwrite} is true;
   * {@code har} is never the recording itself. The output appears only when complete.
   */
  public static ImportResult exportFile(
      Path recording, Path har, boolean overwrite, Consumer<String> warningSink) {
    return exportFile(recording, har, overwrite, true, warningSink);
  }

  /**
   * As {@link #exportFile(Path, Path, boolean, Consumer)}; unless {@code acceptBadLines}, a
   * recording with unreadable lines (each named in a warning) is refused and nothing is written:
   * a HAR file never silently lacks exchanges.
   */
  public static ImportResult exportFile(
      Path recording,
      Path har,
      boolean overwrite,
      boolean acceptBadLines,
      Consumer<String> warningSink) {
    Imports.checkOutput(recording, har, overwrite);
    Path temp = SecureFiles.temporarySibling(har);
    long count = 0;
    long withoutResponse = 0;
    List<String> warnings = new ArrayList<>();
    try (RecordingReader reader = RecordingReader.open(recording, warningSink)) {
      try (OutputStream raw = SecureFiles.newExclusiveOutputStream(temp);
          OutputStream out =
              RecordingWriter.isGzip(har) ? new GZIPOutputStream(raw, 1 << 16) : raw;
          JsonGenerator g = ExchangeCodec.FACTORY.createGenerator(out)) {
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeObjectFieldStart("log");
        g.writeStringField("version", "1.2");
        g.writeObjectFieldStart("creator");
        g.writeStringField("name", "Shadow");
        g.writeStringField("version", version());
        g.writeEndObject();
        g.writeArrayFieldStart("pages");
        g.writeEndArray();
        g.writeArrayFieldStart("entries");
        while (reader.hasNext()) {
          Exchange e = reader.next();
          entry(g, e);
          count++;
          if (e.response() == null) {
            withoutResponse++;
          }
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
      }
      if (reader.unreadable() > 0 && !acceptBadLines) {
        throw new RecordingException(
            recording,
            0,
            reader.unreadable()
                + " unreadable line(s) (named in the warnings):"
                + " nothing exported; --skip-bad-lines exports the "
                + count
                + " readable exchange(s)");
      }
      warnings.addAll(reader.warnings());
    } catch (IOException e) {
      Imports.deleteQuietly(temp);
      throw new RecordingException(har, 0, "cannot write: " + RecordingWriter.describe(e), e);
    } catch (RuntimeException | Error e) {
      Imports.deleteQuietly(temp);
      throw e;
    }
    Imports.commit(temp, har, overwrite);
    return new ImportResult(har, count, withoutResponse, warnings);
  }

  private static void entry(JsonGenerator g, Exchange e) throws IOException {
    HttpRequest rq = e.request();
    g.writeStartObject();
    // both are required by HAR 1.2 and time is never negative: unknown values are written as the
    // epoch and 0, and the _shadow block says they were unknown
    g.writeStringField(
        "startedDateTime", (e.startedAt() == null ? Instant.EPOCH : e.startedAt()).toString());
    double ms = e.durationMicros() == null ? 0 : e.durationMicros() / 1000.0;
    g.writeNumberField("time", ms);

    g.writeObjectFieldStart("request");
    g.writeStringField("method", rq.method());
    g.writeStringField("url", url(rq));
    g.writeStringField("httpVersion", rq.httpVersion());
    g.writeArrayFieldStart("cookies");
    g.writeEndArray();
    headers(g, rq.headers());
    g.writeArrayFieldStart("queryString");
    for (String[] param : query(rq.target())) {
      g.writeStartObject();
      g.writeStringField("name", param[0]);
      g.writeStringField("value", param[1]);
      g.writeEndObject();
    }
    g.writeEndArray();
    if (!(rq.body() instanceof Body.None) && !(rq.body() instanceof Body.NotCaptured)) {
      g.writeObjectFieldStart("postData");
      g.writeStringField("mimeType", rq.headers().first("Content-Type").orElse(""));
      text(g, rq.body());
      g.writeEndObject();
    }
    g.writeNumberField("headersSize", -1);
    g.writeNumberField("bodySize", rq.body().size());
    g.writeEndObject();

    HttpResponse rs = e.response();
    g.writeObjectFieldStart("response");
    g.writeNumberField("status", rs == null ? 0 : rs.status());
    g.writeStringField("statusText", rs == null ? "" : rs.reason());
    g.writeStringField("httpVersion", rq.httpVersion());
    g.writeArrayFieldStart("cookies");
    g.writeEndArray();
    headers(g, rs == null ? Headers.empty() : rs.headers());
    g.writeObjectFieldStart("content");
    Body body = rs == null ? Body.none() : rs.body();
    g.writeNumberField("size", body.size());
    g.writeStringField("mimeType", rs == null ? "" : rs.headers().first("Content-Type").orElse(""));
    if (!(body instanceof Body.None) && !(body instanceof Body.NotCaptured)) {
      text(g, body);
    }
    g.writeEndObject();
    g.writeStringField("redirectURL", rs == null ? "" : rs.headers().first("Location").orElse(""));
    g.writeNumberField("headersSize", -1);
    g.writeNumberField("bodySize", body.size());
    if (rs == null) {
      g.writeStringField("_error", e.error() == null ? "no response" : e.error());
    }
    g.writeEndObject();

    g.writeObjectFieldStart("cache");
    g.writeEndObject();
    g.writeObjectFieldStart("timings");
    g.writeNumberField("send", 0);
    g.writeNumberField("wait", ms);
    g.writeNumberField("receive", 0);
    g.writeEndObject();

    g.writeObjectFieldStart("_shadow");
    g.writeStringField("id", e.id());
    g.writeStringField("target", rq.target());
    if (!rq.headers().contains("Host")) {
      g.writeBooleanField("noHost", true);
    }
    if (e.startedAt() == null) {
      g.writeBooleanField("noStart", true);
    }
    if (e.durationMicros() == null) {
      g.writeBooleanField("noTime", true);
    }
    flags(g, "request", rq.body());
    if (rs != null) {
      flags(g, "response", rs.body());
    }
    if (rs == null) {
      g.writeStringField("error", e.error());
    }
    if (!e.tags().isEmpty()) {
      g.writeObjectFieldStart("tags");
      for (Map.Entry<String, String> t : e.tags().entrySet()) {
        g.writeStringField(t.getKey(), t.getValue());
      }
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /** What HAR cannot say about a body: binary, cut at capture, or not captured at all. */
  private static void flags(JsonGenerator g, String side, Body body) throws IOException {
    if (body instanceof Body.Binary) {
      g.writeBooleanField(side + "Binary", true);
    }
    if (body.truncated()) {
      g.writeBooleanField(side + "Truncated", true);
    }
    if (body instanceof Body.NotCaptured) {
      g.writeBooleanField(side + "NotCaptured", true);
    }
  }

  private static void text(JsonGenerator g, Body body) throws IOException {
    if (body instanceof Body.Text t) {
      g.writeStringField("text", t.text());
    } else if (body instanceof Body.Binary b) {
      g.writeFieldName("text");
      g.writeBinary(b.unsafeBytes());
      g.writeStringField("encoding", "base64");
    }
  }

  private static void headers(JsonGenerator g, Headers headers) throws IOException {
    g.writeArrayFieldStart("headers");
    for (Headers.Field f : headers) {
      g.writeStartObject();
      g.writeStringField("name", f.name());
      g.writeStringField("value", f.value());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static String url(HttpRequest rq) {
    String target = rq.target();
    if (target.startsWith("http://") || target.startsWith("https://")) {
      return target; // absolute form, as sent to a forward proxy
    }
    String host = rq.headers().first("Host").orElse("localhost");
    return "http://" + host + (target.startsWith("/") ? "" : "/") + target;
  }

  private static List<String[]> query(String target) {
    int q = target.indexOf('?');
    List<String[]> out = new ArrayList<>();
    if (q < 0 || q == target.length() - 1) {
      return out;
    }
    for (String pair : target.substring(q + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      out.add(new String[] {decode(name), decode(value)});
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // malformed escapes: show as sent
    }
  }

  static String version() {
    String v = HarExporter.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
