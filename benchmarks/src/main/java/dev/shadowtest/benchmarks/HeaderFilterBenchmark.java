package dev.shadowtest.benchmarks;

import dev.shadowtest.recorder.internal.HeaderFilter;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.message.BasicHttpResponse;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The recorder's choice of the headers it passes on, for one exchange of the load benchmark (wrk's
 * GET and nginx's answer, headers as HttpCore's parser leaves them): the case-insensitive sorted
 * sets it used before (a {@code TreeSet} per message for the names its {@code Connection} lists;
 * {@code MinimalProxy}'s, which still chooses so) against {@link HeaderFilter}.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar HeaderFilterBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderFilterBenchmark {

  private static final Set<String> REQUEST_ONLY = MinimalProxy.caseInsensitive("Expect");

  private BasicHttpRequest request;
  private BasicHttpResponse response;

  @Setup
  public void setUp() {
    request = new BasicHttpRequest("GET", "/api/data.json");
    request.addHeader(ConnectionReuseBenchmark.parsed("Host: 127.0.0.1:8080"));
    response = new BasicHttpResponse(200, "OK");
    response.setVersion(HttpVersion.HTTP_1_1);
    for (String line :
        new String[] {
          "Server: nginx",
          "Date: Sat, 28 Nov 2026 16:00:00 GMT",
          "Content-Type: application/json",
          "Content-Length: 2247",
          "Last-Modified: Sat, 28 Nov 2026 15:00:00 GMT",
          "Connection: keep-alive",
          "ETag: \"6763-8c7\"",
          "Accept-Ranges: bytes"
        }) {
      response.addHeader(ConnectionReuseBenchmark.parsed(line));
    }
  }

  /** The request's and the response's headers passed on, as the recorder chose them before. */
  @Benchmark
  public int sortedSets() {
    int passed = 0;
    Set<String> listed = MinimalProxy.connectionListed(request);
    for (Header h : request.getHeaders()) {
      if (!MinimalProxy.HOP_BY_HOP.contains(h.getName())
          && !REQUEST_ONLY.contains(h.getName())
          && !listed.contains(h.getName())) {
        passed++;
      }
    }
    Set<String> upListed = MinimalProxy.connectionListed(response);
    for (Header h : response.getHeaders()) {
      if (!MinimalProxy.HOP_BY_HOP.contains(h.getName()) && !upListed.contains(h.getName())) {
        passed++;
      }
    }
    return passed;
  }

  /** The same choice with {@link HeaderFilter}. */
  @Benchmark
  public int headerFilter() {
    int passed = 0;
    String[] listed = HeaderFilter.connectionListed(request);
    for (Header h : request.getHeaders()) {
      String name = h.getName();
      if (!HeaderFilter.hopByHop(name)
          && !HeaderFilter.requestOnly(name)
          && !HeaderFilter.listed(listed, name)) {
        passed++;
      }
    }
    String[] upListed = HeaderFilter.connectionListed(response);
    for (Header h : response.getHeaders()) {
      String name = h.getName();
      if (!HeaderFilter.hopByHop(name) && !HeaderFilter.listed(upListed, name)) {
        passed++;
      }
    }
    return passed;
  }
}
