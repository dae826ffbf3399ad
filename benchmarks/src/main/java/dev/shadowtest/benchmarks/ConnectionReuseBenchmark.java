package dev.shadowtest.benchmarks;

import dev.shadowtest.http.ConnectionReuse;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.impl.DefaultConnectionReuseStrategy;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.apache.hc.core5.http.message.BufferedHeader;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whether a connection is kept after an exchange: HttpCore's {@code
 * DefaultConnectionReuseStrategy} (the reference) against Shadow's {@link ConnectionReuse}, which
 * gives the same answer, on the messages of the load benchmarks (nginx's answer to a GET of the
 * static JSON document, its headers as HttpCore's parser leaves them).
 *
 * <ul>
 *   <li>{@code messages=connection}: the request carries {@code Connection: keep-alive} (as
 *       Shadow's replay and the recorder's upstream requests do) and so does the answer (nginx).
 *   <li>{@code messages=none}: neither has a {@code Connection} header (wrk's requests to the
 *       recorder, and the recorder's answers to them).
 * </ul>
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ConnectionReuseBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConnectionReuseBenchmark {

  @Param({"connection", "none"})
  public String messages;

  private BasicHttpRequest request;
  private HttpResponse response;
  private final HttpContext context = HttpCoreContext.create();

  @Setup
  public void setUp() {
    boolean connection = messages.equals("connection");
    request = new BasicHttpRequest("GET", "/api/data.json?i=1");
    request.addHeader("Host", "127.0.0.1:8080");
    request.addHeader("Accept", "application/json");
    if (connection) {
      request.addHeader("Connection", "keep-alive");
    }
    response = new BasicHttpResponse(200, "OK");
    response.setVersion(HttpVersion.HTTP_1_1);
    for (String line :
        new String[] {
          "Server: nginx",
          "Date: Sat, 28 Nov 2026 16:00:00 GMT",
          "Content-Type: application/json",
          "Content-Length: 628",
          "Last-Modified: Sat, 28 Nov 2026 15:00:00 GMT",
          "ETag: \"6763-274\"",
          "Accept-Ranges: bytes"
        }) {
      response.addHeader(parsed(line));
    }
    if (connection) {
      response.addHeader(parsed("Connection: keep-alive"));
    }
  }

  static BufferedHeader parsed(String line) {
    CharArrayBuffer buffer = new CharArrayBuffer(line.length());
    buffer.append(line);
    return BufferedHeader.create(buffer);
  }

  @Benchmark
  public boolean httpcore() {
    return DefaultConnectionReuseStrategy.INSTANCE.keepAlive(request, response, context);
  }

  @Benchmark
  public boolean shadow() {
    return ConnectionReuse.INSTANCE.keepAlive(request, response, context);
  }
}
