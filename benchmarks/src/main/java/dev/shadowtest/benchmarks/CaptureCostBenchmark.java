package dev.shadowtest.benchmarks;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.recorder.internal.CaptureLine;
import dev.shadowtest.recorder.internal.CaptureParts;
import dev.shadowtest.recorder.internal.LineBuffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BufferedHeader;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What recording one exchange costs on the recorder's encoder threads, step by step, for the
 * exchange of {@code benchmarks/recorder/record-vs-nginx.sh} (a GET answered by nginx with the
 * 2 KB JSON document): the time per exchange of each step, measured over batches of 64 exchanges
 * (the encoders' gzip member is one batch).
 *
 * <ul>
 *   <li>{@code bodyOf}: {@link Body#of} on the response bytes (strict UTF-8 decoding to text).
 *   <li>{@code redact}: the default {@link Redactor} on the exchange.
 *   <li>{@code json}: {@link RecordingWriter} writes the exchange as its JSON line.
 *   <li>{@code deflate}: zlib level 1 (the recorder's gzip) over the batch's JSON lines.
 *   <li>{@code modelLine}: all an encoder did before {@link CaptureLine} for such an exchange:
 *       the exchange built from its captured parts (headers as HttpCore parsed them, body bytes),
 *       redacted, written by {@link RecordingWriter}.
 *   <li>{@code directLine}: {@link CaptureLine} writes the same line straight from the parts.
 *   <li>{@code directRawLine}, {@code deflateRaw}: the same two steps for a recording of version
 *       2 ({@code --recording-version 2}): the body raw after the line's JSON, not a JSON string.
 * </ul>
 *
 * <p>{@code bodies=same}: every body is the benchmark's one document (as in the load benchmark:
 * gzip finds long repeats); {@code bodies=varied}: every exchange's numbers differ (closer to real
 * traffic for the compressor).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CaptureCostBenchmark {

  static final int BATCH = 64;

  @Param({"same", "varied"})
  public String bodies;

  private final List<Exchange> exchanges = new ArrayList<>();
  private final List<byte[]> responseBodies = new ArrayList<>();
  private final Redactor redactor = new Redactor(Redaction.defaults(), null);
  private byte[] lines;
  private byte[] rawLines;
  private final Deflater deflater = new Deflater(1, true);
  private final byte[] out = new byte[1 << 20];
  private final ByteArrayOutputStream json = new ByteArrayOutputStream(1 << 20);
  private final List<CaptureParts> parts = new ArrayList<>();
  private final CaptureLine direct = new CaptureLine(redactor);
  private final CaptureLine directRaw = new CaptureLine(redactor, true);
  private final LineBuffer line = new LineBuffer();

  @Setup
  public void setUp() {
    Random random = new Random(42);
    for (int i = 0; i < BATCH; i++) {
      byte[] body = document("same".equals(bodies) ? null : random);
      responseBodies.add(body);
      Headers response =
          Headers.of("Server", "nginx")
              .with("Date", "Fri, 27 Nov 2026 02:52:10 GMT")
              .with("Content-Type", "application/json")
              .with("Content-Length", Integer.toString(body.length))
              .with("Last-Modified", "Fri, 27 Nov 2026 02:50:00 GMT")
              .with("Connection", "keep-alive")
              .with("ETag", "\"6566d1b8-8a2\"")
              .with("Accept-Ranges", "bytes");
      exchanges.add(
          new Exchange(
              "5a1b2c-" + (1_000_000 + i),
              Instant.parse("2026-11-27T02:52:10.123456Z"),
              412L,
              new HttpRequest(
                  "GET",
                  "/api/data.json",
                  "HTTP/1.1",
                  Headers.of("Host", "127.0.0.1:8080"),
                  Body.none()),
              new HttpResponse(200, "OK", response, Body.of(body, body.length)),
              null,
              Map.of()));
    }
    json.reset();
    RecordingWriter w = RecordingWriter.lines(json);
    for (Exchange e : exchanges) {
      w.write(e);
    }
    w.flush();
    lines = json.toByteArray();
    for (Exchange e : exchanges) {
      byte[] body = e.response().body().bytes();
      parts.add(
          new CaptureParts(
              e.id(),
              e.startedAt(),
              e.durationMicros(),
              "GET",
              "/api/data.json",
              "HTTP/1.1",
              parsed(e.request().headers()),
              null,
              200,
              "OK",
              parsed(e.response().headers()),
              new CaptureParts.RawBody(body, body.length, false, body.length),
              null));
    }
    directRawLine();
    rawLines = Arrays.copyOf(line.array(), line.size());
  }

  /** Headers as HttpCore parses them from the wire. */
  private static Header[] parsed(Headers headers) {
    List<Header> out = new ArrayList<>();
    for (Headers.Field f : headers) {
      CharArrayBuffer b = new CharArrayBuffer(64);
      b.append(f.name() + ": " + f.value());
      out.add(BufferedHeader.create(b));
    }
    return out.toArray(new Header[0]);
  }

  /** The load benchmark's document (bench_static_site), its numbers varied by {@code random}. */
  static byte[] document(Random random) {
    StringBuilder b = new StringBuilder("{\"items\": [");
    for (int i = 0; i < 20; i++) {
      int id = random == null ? i : random.nextInt(1_000_000);
      double price = random == null ? 10 + i / 100.0 : random.nextInt(100_000) / 100.0;
      b.append(i == 0 ? "" : ", ")
          .append("{\"id\": ")
          .append(id)
          .append(", \"name\": \"Product ")
          .append(id)
          .append("\", \"price\": {\"amount\": ")
          .append(price)
          .append(", \"currency\": \"EUR\"}, \"tags\": [\"a\", \"b\"]}");
    }
    return b.append("], \"total\": 20, \"page\": 1}").toString().getBytes(StandardCharsets.UTF_8);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void bodyOf(Blackhole bh) {
    for (byte[] b : responseBodies) {
      bh.consume(Body.of(b, b.length));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void redact(Blackhole bh) {
    for (Exchange e : exchanges) {
      bh.consume(redactor.apply(e));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int json() {
    json.reset();
    RecordingWriter w = RecordingWriter.lines(json);
    for (Exchange e : exchanges) {
      w.write(e);
    }
    w.flush();
    return json.size();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int deflate() {
    return deflate(lines);
  }

  private int deflate(byte[] input) {
    deflater.reset();
    deflater.setInput(input);
    deflater.finish();
    int n = 0;
    while (!deflater.finished()) {
      n += deflater.deflate(out);
    }
    return n;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int modelLine() {
    json.reset();
    RecordingWriter w = RecordingWriter.lines(json);
    for (CaptureParts p : parts) {
      w.write(redactor.apply(p.exchange()));
    }
    w.flush();
    return json.size();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int directLine() {
    return encode(direct);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int directRawLine() {
    return encode(directRaw);
  }

  private int encode(CaptureLine encoder) {
    line.reset();
    for (CaptureParts p : parts) {
      encoder.write(p, line);
    }
    return line.size();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public int deflateRaw() {
    return deflate(rawLines);
  }
}
