package dev.shadowtest.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Method;
import org.apache.hc.core5.http.impl.bootstrap.AsyncRequesterBootstrap;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncRequester;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * What the HTTP libraries allow a replay client, without Shadow: GETs of one URL sent as fast as
 * possible with exactly N requests in flight, nothing done with the answers but checking them
 * (status 200, as many body bytes as announced). For {@code benchmarks/replay/ceiling.sh}, which
 * puts these beside {@code wrk} and {@code shadow replay} in one run (issue 19, item 1).
 *
 * <p>Kinds:
 *
 * <ul>
 *   <li>{@code hc5-async}: HttpClient 5 async, {@code SimpleHttpRequest} / {@code
 *       SimpleHttpResponse} (the body buffered in memory), configured like Shadow's sender
 *       (HTTP/1.1, no redirects, retries, cookies or content compression), pool of N;
 *   <li>{@code hc5-async-stream}: the same client, with a response consumer that counts the body's
 *       bytes and drops them;
 *   <li>{@code hc5-classic}: classic HttpClient 5, N threads sharing a pool of N keep-alive
 *       connections (so one connection per thread), the body read into a per-thread buffer;
 *   <li>{@code core5-async}: HttpCore 5's {@link HttpAsyncRequester} ({@link
 *       AsyncRequesterBootstrap}, pool of N) with the same counting consumer.
 * </ul>
 *
 * <p>The async kinds run N chains: each answer sends the next request from its callback until
 * the deadline. The warm-up phase (same JVM, same client, same connections) runs first; then the
 * measured phase. The process's CPU (utime+stime from {@code /proc/self/stat}) is read at the
 * start and end of the measured phase only.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.shadowtest.benchmarks.ReplayCeiling \
 *     --kind hc5-async --url http://127.0.0.1:8080/api/data.json --in-flight 16 \
 *     --warmup 10 --seconds 10
 * </pre>
 *
 * <p>Prints one {@code RESULT} line: {@code kind=... in_flight=... seconds=... requests=...
 * rps=... errors=... cpu_ticks=...} (ticks of {@code getconf CLK_TCK}). Exits with 1, the first
 * error on stderr, if any request failed or was not a complete 200, in either phase.
 */
public final class ReplayCeiling {

  private static final Timeout TIMEOUT = Timeout.ofSeconds(30);

  private ReplayCeiling() {}

  /**
   * Runs one kind and prints its numbers.
   *
   * @param args {@code --kind K --url URL [--in-flight 16] [--warmup 10] [--seconds 10]}
   * @throws Exception when the client cannot be started
   */
  public static void main(String[] args) throws Exception {
    String kind = null;
    URI url = null;
    int inFlight = 16;
    double warmup = 10;
    double seconds = 10;
    if (args.length % 2 != 0) {
      usage("options take one value each");
    }
    for (int i = 0; i < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--kind" -> kind = value;
        case "--url" -> url = URI.create(value);
        case "--in-flight" -> inFlight = Integer.parseInt(value);
        case "--warmup" -> warmup = Double.parseDouble(value);
        case "--seconds" -> seconds = Double.parseDouble(value);
        default -> usage("unknown option " + args[i]);
      }
    }
    if (kind == null || url == null || inFlight < 1 || seconds <= 0 || warmup < 0) {
      usage("--kind and --url are required; --in-flight >= 1, --seconds > 0, --warmup >= 0");
    }
    try (Client client = client(kind, url, inFlight)) {
      Tally warm = new Tally();
      if (warmup > 0) {
        client.run(deadline(warmup), warm);
        System.err.printf(
            Locale.ROOT, "warm-up %s: %d requests in %.0f s%n", kind, warm.ok.sum(), warmup);
      }
      Tally measured = new Tally();
      long cpu0 = cpuTicks();
      long t0 = System.nanoTime();
      client.run(t0 + nanos(seconds), measured);
      long t1 = System.nanoTime();
      long cpu1 = cpuTicks();
      double elapsed = (t1 - t0) / 1e9;
      long done = measured.ok.sum();
      System.out.printf(
          Locale.ROOT,
          "RESULT kind=%s in_flight=%d seconds=%.3f requests=%d rps=%.1f errors=%d cpu_ticks=%d%n",
          kind,
          inFlight,
          elapsed,
          done,
          done / elapsed,
          measured.errors.sum(),
          cpu1 - cpu0);
      System.out.flush();
      long errors = warm.errors.sum() + measured.errors.sum();
      if (errors > 0) {
        String first =
            warm.firstError.get() != null ? warm.firstError.get() : measured.firstError.get();
        System.err.println("ReplayCeiling " + kind + ": " + errors + " errors; first: " + first);
        System.exit(1);
      }
    }
  }

  private static void usage(String why) {
    System.err.println(
        "ReplayCeiling: "
            + why
            + "\nusage: java -cp benchmarks.jar dev.shadowtest.benchmarks.ReplayCeiling"
            + " --kind hc5-async|hc5-async-stream|hc5-classic|core5-async --url URL"
            + " [--in-flight 16] [--warmup SECONDS] [--seconds SECONDS]");
    System.exit(2);
  }

  private static long nanos(double seconds) {
    return (long) (seconds * 1e9);
  }

  private static long deadline(double seconds) {
    return System.nanoTime() + nanos(seconds);
  }

  /** utime + stime of this process (all threads), fields 14 and 15 of /proc/self/stat. */
  private static long cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"), StandardCharsets.US_ASCII);
    // after the command name, which may hold spaces: field 3 is the first one
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static Client client(String kind, URI url, int inFlight) {
    return switch (kind) {
      case "hc5-async" -> new AsyncClient(url, inFlight, false);
      case "hc5-async-stream" -> new AsyncClient(url, inFlight, true);
      case "hc5-classic" -> new ClassicClient(url, inFlight);
      case "core5-async" -> new CoreRequester(url, inFlight);
      default -> {
        usage("unknown kind " + kind);
        throw new IllegalStateException();
      }
    };
  }

  /** Complete 200 answers and errors of one phase. */
  private static final class Tally {
    final LongAdder ok = new LongAdder();
    final LongAdder errors = new LongAdder();
    final AtomicReference<String> firstError = new AtomicReference<>();

    /** Counts a complete 200, or an error: {@code declared} is -1 when no length was announced. */
    void answer(int status, long bytes, long declared) {
      if (status != 200) {
        error("status " + status);
      } else if (declared >= 0 ? bytes != declared : bytes == 0) {
        error("body of " + bytes + " bytes, announced " + declared);
      } else {
        ok.increment();
      }
    }

    void error(String what) {
      errors.increment();
      firstError.compareAndSet(null, what);
    }
  }

  /** One way of sending the GETs. */
  private interface Client extends AutoCloseable {
    /** Keeps N requests in flight until {@code deadlineNanos}; returns once all are answered. */
    void run(long deadlineNanos, Tally tally) throws InterruptedException;

    @Override
    void close() throws IOException;
  }

  /** Waits for the chains of an async client; a chain that never ends is an error, not a hang. */
  private static void await(CountDownLatch chains, long deadlineNanos) throws InterruptedException {
    long wait = deadlineNanos - System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    if (!chains.await(wait, TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(chains.getCount() + " requests still unanswered");
    }
  }

  /** The callback of one async chain: counts the answer and sends the next request. */
  private abstract static class Chain<T> implements FutureCallback<T> {
    final long deadlineNanos;
    final Tally tally;
    final CountDownLatch done;

    Chain(long deadlineNanos, Tally tally, CountDownLatch done) {
      this.deadlineNanos = deadlineNanos;
      this.tally = tally;
      this.done = done;
    }

    abstract void send();

    abstract void count(T answer);

    private void next() {
      if (System.nanoTime() - deadlineNanos < 0) {
        send();
      } else {
        done.countDown();
      }
    }

    @Override
    public void completed(T answer) {
      count(answer);
      next();
    }

    @Override
    public void failed(Exception e) {
      tally.error(e.toString());
      next();
    }

    @Override
    public void cancelled() {
      tally.error("cancelled");
      next();
    }
  }

  /** A chain whose answers come from the {@link CountingConsumer}. */
  private abstract static class CountingChain extends Chain<Answer> {
    CountingChain(long deadlineNanos, Tally tally, CountDownLatch done) {
      super(deadlineNanos, tally, done);
    }

    @Override
    void count(Answer a) {
      tally.answer(a.status(), a.bytes(), a.declared());
    }
  }

  /** The I/O reactor of both async clients: up to 4 threads, the same socket timeout. */
  private static IOReactorConfig reactor() {
    return IOReactorConfig.custom()
        .setIoThreadCount(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())))
        .setSoTimeout(TIMEOUT)
        .build();
  }

  /** HttpClient 5 async, configured like Shadow's sender. */
  private static final class AsyncClient implements Client {
    private final CloseableHttpAsyncClient client;
    private final URI url;
    private final int inFlight;
    private final boolean stream;

    AsyncClient(URI url, int inFlight, boolean stream) {
      this.url = url;
      this.inFlight = inFlight;
      this.stream = stream;
      client =
          HttpAsyncClients.custom()
              .setConnectionManager(
                  PoolingAsyncClientConnectionManagerBuilder.create()
                      .setMaxConnTotal(inFlight)
                      .setMaxConnPerRoute(inFlight)
                      .setDefaultConnectionConfig(
                          ConnectionConfig.custom()
                              .setConnectTimeout(TIMEOUT)
                              .setSocketTimeout(TIMEOUT)
                              .build())
                      .setDefaultTlsConfig(
                          TlsConfig.custom()
                              .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                              .build())
                      .build())
              .setIOReactorConfig(reactor())
              .setDefaultRequestConfig(
                  RequestConfig.custom()
                      .setResponseTimeout(TIMEOUT)
                      .setRedirectsEnabled(false)
                      .build())
              .disableRedirectHandling()
              .disableAutomaticRetries()
              .disableCookieManagement()
              .disableContentCompression()
              .build();
      client.start();
    }

    @Override
    public void run(long deadlineNanos, Tally tally) throws InterruptedException {
      CountDownLatch done = new CountDownLatch(inFlight);
      for (int i = 0; i < inFlight; i++) {
        if (stream) {
          new CountingChain(deadlineNanos, tally, done) {
            @Override
            void send() {
              client.execute(
                  new BasicRequestProducer(Method.GET, url), new CountingConsumer(), this);
            }
          }.send();
        } else {
          new Chain<SimpleHttpResponse>(deadlineNanos, tally, done) {
            @Override
            void send() {
              client.execute(SimpleRequestBuilder.get(url).build(), this);
            }

            @Override
            void count(SimpleHttpResponse r) {
              byte[] body = r.getBodyBytes();
              Header length = r.getFirstHeader("Content-Length");
              tally.answer(
                  r.getCode(),
                  body == null ? 0 : body.length,
                  length == null ? -1 : Long.parseLong(length.getValue()));
            }
          }.send();
        }
      }
      await(done, deadlineNanos);
    }

    @Override
    public void close() {
      client.close(CloseMode.GRACEFUL);
    }
  }

  /** HttpCore 5's own async requester: no client layer (no routes, exec chain, or cookies). */
  private static final class CoreRequester implements Client {
    private final HttpAsyncRequester requester;
    private final URI url;
    private final int inFlight;

    CoreRequester(URI url, int inFlight) {
      this.url = url;
      this.inFlight = inFlight;
      requester =
          AsyncRequesterBootstrap.bootstrap()
              .setIOReactorConfig(reactor())
              .setMaxTotal(inFlight)
              .setDefaultMaxPerRoute(inFlight)
              .create();
      requester.start();
    }

    @Override
    public void run(long deadlineNanos, Tally tally) throws InterruptedException {
      CountDownLatch done = new CountDownLatch(inFlight);
      for (int i = 0; i < inFlight; i++) {
        new CountingChain(deadlineNanos, tally, done) {
          @Override
          void send() {
            requester.execute(
                new BasicRequestProducer(Method.GET, url), new CountingConsumer(), TIMEOUT, this);
          }
        }.send();
      }
      await(done, deadlineNanos);
    }

    @Override
    public void close() {
      requester.close(CloseMode.GRACEFUL);
    }
  }

  /** Classic HttpClient 5: one thread per connection, each blocking on its exchange. */
  private static final class ClassicClient implements Client {
    private final CloseableHttpClient client;
    private final URI url;
    private final int inFlight;

    ClassicClient(URI url, int inFlight) {
      this.url = url;
      this.inFlight = inFlight;
      client =
          HttpClients.custom()
              .setConnectionManager(
                  PoolingHttpClientConnectionManagerBuilder.create()
                      .setMaxConnTotal(inFlight)
                      .setMaxConnPerRoute(inFlight)
                      .setDefaultSocketConfig(
                          SocketConfig.custom().setTcpNoDelay(true).setSoTimeout(TIMEOUT).build())
                      .setDefaultConnectionConfig(
                          ConnectionConfig.custom()
                              .setConnectTimeout(TIMEOUT)
                              .setSocketTimeout(TIMEOUT)
                              .build())
                      .build())
              .disableRedirectHandling()
              .disableAutomaticRetries()
              .disableCookieManagement()
              .disableContentCompression()
              .build();
    }

    @Override
    public void run(long deadlineNanos, Tally tally) throws InterruptedException {
      Thread[] threads = new Thread[inFlight];
      for (int i = 0; i < inFlight; i++) {
        threads[i] = new Thread(() -> loop(deadlineNanos, tally), "classic-" + i);
        threads[i].start();
      }
      for (Thread t : threads) {
        t.join(TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 60_000);
        if (t.isAlive()) {
          throw new IllegalStateException(t.getName() + " still waits for an answer");
        }
      }
    }

    private void loop(long deadlineNanos, Tally tally) {
      byte[] buffer = new byte[8192];
      while (System.nanoTime() - deadlineNanos < 0) {
        try {
          client.execute(
              new HttpGet(url),
              response -> {
                HttpEntity entity = response.getEntity();
                long bytes = 0;
                if (entity != null) {
                  try (InputStream in = entity.getContent()) {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                      bytes += n;
                    }
                  }
                }
                tally.answer(
                    response.getCode(), bytes, entity == null ? -1 : entity.getContentLength());
                return null;
              });
        } catch (IOException | RuntimeException e) {
          tally.error(e.toString());
        }
      }
    }

    @Override
    public void close() throws IOException {
      client.close();
    }
  }

  /** Status, body bytes received and bytes announced ({@code -1}: none) of one answer. */
  private record Answer(int status, long bytes, long declared) {}

  /** Counts the body's bytes and drops them; no copy, no buffer of its own. */
  private static final class CountingConsumer implements AsyncResponseConsumer<Answer> {
    private int status;
    private long declared;
    private long bytes;
    private FutureCallback<Answer> callback;

    @Override
    public void consumeResponse(
        HttpResponse response,
        EntityDetails entity,
        HttpContext context,
        FutureCallback<Answer> resultCallback) {
      status = response.getCode();
      if (entity == null) {
        resultCallback.completed(new Answer(status, 0, -1));
      } else {
        declared = entity.getContentLength();
        callback = resultCallback;
      }
    }

    @Override
    public void informationResponse(HttpResponse response, HttpContext context) {}

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
      channel.update(Integer.MAX_VALUE);
    }

    @Override
    public void consume(ByteBuffer src) {
      bytes += src.remaining();
      src.position(src.limit());
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) {
      callback.completed(new Answer(status, bytes, declared));
    }

    @Override
    public void failed(Exception cause) {
      // the exchange handler reports the failure to the request's own callback
    }

    @Override
    public void releaseResources() {}
  }
}
