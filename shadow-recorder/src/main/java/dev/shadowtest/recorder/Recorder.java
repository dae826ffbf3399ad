package dev.shadowtest.recorder;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.ExchangeSink;
import dev.shadowtest.core.ExchangeStorage;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.core.ShadowListener;
import dev.shadowtest.http.ConnectionReuse;
import dev.shadowtest.recorder.internal.AdminServer;
import dev.shadowtest.recorder.internal.CaptureBudget;
import dev.shadowtest.recorder.internal.CaptureLine;
import dev.shadowtest.recorder.internal.CaptureWriter;
import dev.shadowtest.recorder.internal.Counters;
import dev.shadowtest.recorder.internal.FileSink;
import dev.shadowtest.recorder.internal.H2Bridge;
import dev.shadowtest.recorder.internal.Listener;
import dev.shadowtest.recorder.internal.LiveMetrics;
import dev.shadowtest.recorder.internal.Mirror;
import dev.shadowtest.recorder.internal.OwnAddress;
import dev.shadowtest.recorder.internal.ProxyHandler;
import dev.shadowtest.recorder.internal.ServerConnection;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.HttpConnection;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.impl.Http1StreamListener;
import org.apache.hc.core5.http.impl.bootstrap.HttpRequester;
import org.apache.hc.core5.http.impl.bootstrap.RequesterBootstrap;
import org.apache.hc.core5.http.impl.io.DefaultClassicHttpResponseFactory;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.support.BasicHttpServerExpectationDecorator;
import org.apache.hc.core5.http.io.support.BasicHttpServerRequestHandler;
import org.apache.hc.core5.http.protocol.DefaultHttpProcessor;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.http.protocol.RequestConnControl;
import org.apache.hc.core5.http.protocol.RequestContent;
import org.apache.hc.core5.http.protocol.RequestTargetHost;
import org.apache.hc.core5.http.protocol.ResponseConnControl;
import org.apache.hc.core5.http.protocol.ResponseContent;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The recording reverse proxy: forwards every request to the one upstream, streams bodies both
 * ways, and records each exchange (redacted, bounded, sampled, filtered) through a bounded queue
 * to a writer thread, so the live traffic never waits for the disk. Optionally mirrors recorded
 * requests to a candidate and diffs the answers online.
 *
 * <pre>{@code
 * try (Recorder r = Recorder.start(RecorderConfig.of(new InetSocketAddress("0.0.0.0", 8080),
 *     URI.create("http://legacy:8080"), Path.of("capture.jsonl.gz")))) {
 *   ... // until SIGTERM
 *   System.out.println(r.stop(Duration.ofSeconds(30)));
 * }
 * }</pre>
 */
public final class Recorder implements AutoCloseable {

  private final RecorderConfig config;
  private final Counters counters;
  private final Redactor redactor;
  private final CaptureWriter writer;
  private final FileSink files;
  private volatile Mirror
      mirror; // set once the ports are bound: a recorder that cannot start creates no run directory
  private final HttpRequester requester;

  /** How long a request may pause mid-way, and a kept-alive connection stay idle. */
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

  /** The encoders' warm-up before the listener accepts: at most this long (see CaptureWarmup). */
  private static final Duration WARMUP_MAX = Duration.ofSeconds(2);

  private static final AtomicBoolean ENCODERS_WARM = new AtomicBoolean();

  private final Listener server;
  private final AdminServer admin;

  /** HTTP/2 clients' streams, or null without {@code http2}. */
  private final H2Bridge h2;

  /** The Prometheus metrics the admin port serves ({@code /metrics}). */
  private final LiveMetrics metrics;

  private volatile RecorderStats finalStats;
  private volatile boolean stopping;

  private Recorder(RecorderConfig config, ExchangeSink sink, ShadowListener listener)
      throws IOException {
    this.config = config;
    this.counters = new Counters(listener);
    refuseLoop(config.upstream(), "--upstream", config.listen());
    if (config.mirror() != null) {
      refuseLoop(config.mirror(), "--mirror", config.listen());
      if (config.mirroring().secondary() != null) {
        refuseLoop(config.mirroring().secondary(), "--secondary", config.listen());
      }
    }
    this.metrics = new LiveMetrics(counters, LiveMetrics.DEFAULT_MAX_ENDPOINTS);
    this.redactor = new Redactor(config.redaction(), config.capture().key(), config.maxBody());
    Path file = config.outFile();
    this.files =
        sink == null && file != null
            ? new FileSink(
                file,
                () -> config.capture().header(redactor.description()),
                config.rotation().exchanges(),
                config.rotation().bytes(),
                f -> {
                  if (mirror != null) {
                    mirror.checkpoint(f);
                  }
                })
            : null;
    this.writer =
        new CaptureWriter(
            files,
            sink != null
                ? sink
                : files != null
                    ? null
                    : ExchangeStorage.sink(
                        config.out(), config.capture().header(redactor.description())),
            config.queueCapacity(),
            config.capture().queueBytes(),
            config.capture().encoders(),
            counters,
            this::process,
            // without a mirror (which takes exchanges) and with redaction by header names only,
            // proxied exchanges are written straight from their captured parts
            config.mirror() == null && CaptureLine.handles(redactor.description())
                ? new CaptureLine(
                    redactor, config.capture().header(redactor.description()).rawBodies())
                : null);
    this.requester =
        RequesterBootstrap.bootstrap()
            // only what framing needs: no User-Agent or other additions to the client's request
            .setHttpProcessor(
                new DefaultHttpProcessor(
                    new RequestContent(), new RequestTargetHost(), new RequestConnControl()))
            .setSocketConfig(
                SocketConfig.custom()
                    .setSoTimeout(Timeout.of(config.responseTimeout()))
                    .setTcpNoDelay(true)
                    .build())
            .setHttp1Config(ServerConnection.HTTP1)
            .setConnectionReuseStrategy(ConnectionReuse.INSTANCE)
            .setMaxTotal(1000)
            .setDefaultMaxPerRoute(1000)
            // an https upstream: the system trust store or --upstream-ca, and its host name
            // checked (HttpCore leaves that to its user)
            .setSslContext(upstreamTls(config.tls()))
            .setSslSetupHandler(p -> p.setEndpointIdentificationAlgorithm("HTTPS"))
            .create();
    Set<String> own = Set.of(config.listen().getHostString() + ":" + config.listen().getPort());
    ProxyHandler handler =
        new ProxyHandler(
            requester,
            config.upstream(),
            own,
            config.maxBody(),
            filter(config),
            config.filters().sample(),
            config.forwardedHeaders(),
            config.tls().server() != null,
            Timeout.of(config.connectTimeout()),
            Timeout.of(config.responseTimeout()),
            upstreamTls(config.tls()),
            config.capture().webSocketMessages(),
            counters,
            CaptureBudget.ofHeap(),
            () -> stopping,
            writer::offer);
    H2Bridge h2 = config.http2() ? new H2Bridge(handler) : null;
    this.h2 = h2;
    HttpService service =
        new HttpService(
            // only framing and connection control: the upstream's Date, Server... pass through
            // unchanged
            new DefaultHttpProcessor(Recorder::framing, new ResponseConnControl()),
            new BasicHttpServerExpectationDecorator(
                new BasicHttpServerRequestHandler(
                    (request, context) -> handler, // every Host: it is forwarded, never routed
                    DefaultClassicHttpResponseFactory.INSTANCE)),
            ServerConnection.HTTP1,
            ConnectionReuse.INSTANCE, // HttpCore's decision, for less (both sides of each request)
            new BetweenRequests(writer));
    AdminServer adminServer = null;
    try {
      try {
        this.server =
            new Listener(
                config.listen(),
                service,
                config.tls().server(),
                h2,
                counters,
                (int) READ_TIMEOUT.toMillis());
      } catch (BindException e) {
        throw new BindException(
            "cannot listen on " + hostPort(config.listen()) + " (--listen): " + e.getMessage());
      }
      // bound (a port in use fails at once) but not yet accepting: the encoders are compiled
      // first, while the machine is idle; connections made meanwhile wait in the backlog
      try {
        if (!ENCODERS_WARM.get() && writer.warmUp(redactor::apply, WARMUP_MAX.toNanos()) > 0) {
          ENCODERS_WARM.set(true); // compiled code is the JVM's: once is enough
        }
      } catch (RuntimeException e) {
        // never seen: the warm-up only makes the first seconds faster, and never stops a start
      }
      if (config.adminPort() >= 0) {
        try {
          adminServer =
              new AdminServer(
                  config.admin().bind(),
                  config.adminPort(),
                  config.admin().token(),
                  () -> stats().toJson(),
                  metrics);
        } catch (BindException e) {
          throw new BindException(
              "cannot serve the admin endpoints on "
                  + config.admin().bind().getHostAddress()
                  + ":"
                  + config.adminPort()
                  + " (--admin-port): "
                  + e.getMessage());
        }
      }
      // the mirror's run directory only once the ports are ours (a recorder that cannot start
      // creates none), and before the first connection is accepted: every exchange recorded is
      // mirrored (a start slowed by a busy machine used to leave its first exchanges unmirrored,
      // uncounted)
      this.mirror =
          config.mirror() == null ? null : new Mirror(config, counters, redactor, metrics);
      server.start();
    } catch (IOException | RuntimeException | Error e) {
      abandon(adminServer);
      if (mirror != null) {
        try {
          mirror.close(1000); // built, but the listener did not start: its threads end
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException ignored) {
          // the start failed already; that is the error to report
        }
      }
      throw e;
    }
    this.admin = adminServer;
  }

  /**
   * A connection thread's moment between two requests: its response has been sent in full, and
   * when the encoders are behind it encodes a few captures before it reads the next request.
   */
  private record BetweenRequests(CaptureWriter writer) implements Http1StreamListener {
    @Override
    public void onRequestHead(HttpConnection connection, HttpRequest request) {}

    @Override
    public void onResponseHead(HttpConnection connection, HttpResponse response) {}

    @Override
    public void onExchangeComplete(HttpConnection connection, boolean keepAlive) {
      if (!writer.behind()) {
        return;
      }
      // HttpCore flushes after this call: a response without a body may still be buffered
      if (connection instanceof ServerConnection c) {
        try {
          c.flush();
        } catch (IOException e) {
          return; // the client went away: the connection ends, nothing to help with
        }
      }
      writer.help();
    }
  }

  /** Refuses a target that is the proxy itself: each request would come back to it, forever. */
  private static void refuseLoop(URI target, String flag, InetSocketAddress listen) {
    if (OwnAddress.reaches(target, listen)) {
      throw new BadInputException(
          flag
              + " "
              + target
              + " is the proxy's own address (--listen "
              + hostPort(listen)
              + "): every request would come back to the proxy");
    }
  }

  private static String hostPort(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /** A start that failed: everything started is stopped, and the recording file goes if it holds nothing. */
  private void abandon(AdminServer adminServer) {
    if (server != null) {
      server.close();
    }
    if (h2 != null) {
      h2.close();
    }
    if (adminServer != null) {
      adminServer.close();
    }
    requester.close(CloseMode.IMMEDIATE);
    try {
      writer.close(1000);
      if (files != null) {
        files.discardIfEmpty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      // the start failed already; that is the error to report
    }
  }

  /**
   * Starts listening; the recording file is created at once.
   *
   * @throws java.net.BindException naming the address when the port or the admin port is taken or
   *     the address is not this machine's; no recording file is left behind
   * @throws BadInputException when the upstream or the mirror is the proxy's own address
   */
  public static Recorder start(RecorderConfig config) throws IOException {
    return new Recorder(config, null, ShadowListener.NONE);
  }

  /** As {@link #start(RecorderConfig)}, telling {@code listener} of what is recorded and lost. */
  public static Recorder start(RecorderConfig config, ShadowListener listener) throws IOException {
    return new Recorder(config, null, listener);
  }

  /** With another sink (tests: a failing or blocking disk). */
  static Recorder start(RecorderConfig config, ExchangeSink sink) throws IOException {
    return new Recorder(config, sink, ShadowListener.NONE);
  }

  private static Predicate<ClassicHttpRequest> filter(RecorderConfig c) {
    return r -> {
      if (!c.filters().methods().isEmpty()
          && !c.filters().methods().contains(r.getMethod().toUpperCase(Locale.ROOT))) {
        return false;
      }
      String path = r.getPath();
      int q = path.indexOf('?');
      String p = q < 0 ? path : path.substring(0, q);
      return (c.filters().include() == null || c.filters().include().matcher(p).find())
          && (c.filters().exclude() == null || !c.filters().exclude().matcher(p).find());
    };
  }

  /** On the writer thread: what is written is redacted; the mirror gets the original request. */
  private Exchange process(Exchange raw) {
    Exchange safe = redactor.apply(raw); // the writer stores escape-heavy text as base64
    if (mirror != null) {
      mirror.offer(raw, safe);
    }
    return safe;
  }

  private static final ResponseContent CONTENT = new ResponseContent();

  /**
   * Framing of responses to clients: as HttpCore's, except that a response without a body (to
   * HEAD, or a 304) keeps the upstream's Content-Length, which describes the resource.
   */
  private static void framing(HttpResponse response, EntityDetails entity, HttpContext context)
      throws HttpException, IOException {
    HttpRequest request = HttpCoreContext.cast(context).getRequest();
    boolean bodiless =
        request != null && "HEAD".equalsIgnoreCase(request.getMethod())
            || response.getCode() == 304;
    if (bodiless && entity == null && response.containsHeader("Content-Length")) {
      return;
    }
    CONTENT.process(response, entity, context);
  }

  /** Client connections open now (tests; users read {@code shadow_client_connections}). */
  int connections() {
    return counters.connections.get();
  }

  /** Requests sent to the upstream again after a kept-alive connection closed under them. */
  long upstreamRetries() {
    return counters.upstreamRetries.sum();
  }

  /** Client connections parked idle now, without a thread. */
  int idleConnections() {
    return counters.idleConnections.get();
  }

  public int port() {
    return server.port();
  }

  /** The proxy's own base URL ({@code https} with a TLS listener). */
  public URI url() {
    String scheme = config.tls().server() == null ? "http" : "https";
    return URI.create(
        scheme + "://" + config.listen().getAddress().getHostAddress() + ":" + port());
  }

  private static SSLContext upstreamTls(RecorderConfig.Tls tls) {
    if (tls.upstream() != null) {
      return tls.upstream();
    }
    try {
      return SSLContext.getDefault(); // the system trust store
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no default TLS context", e);
    }
  }

  /**
   * Runs one evaluation of the live mirror now, as its timer does every {@code evaluateEvery}
   * (the day boundary, the metrics, the triggers), and waits for it: tests with a test clock.
   */
  void evaluateNow() throws InterruptedException {
    if (mirror != null) {
      mirror.evaluateNow();
    }
  }

  /** The admin port on 127.0.0.1, or -1 without one. */
  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  public RecorderStats stats() {
    return finalStats != null ? finalStats : counters.snapshot(redactor.patternOverruns());
  }

  /** The recording files written so far (several with rotation). */
  public List<Path> files() {
    return files == null ? List.of() : files.files();
  }

  /**
   * Stops gracefully: no new connections, in-flight exchanges finish (up to {@code grace}), the
   * queue is written and the file closed cleanly; the mirror's run directory is written. Returns
   * the final counters.
   */
  public synchronized RecorderStats stop(Duration grace) {
    if (finalStats != null) {
      return finalStats;
    }
    long deadline = System.nanoTime() + grace.toNanos();
    stopping = true; // from now on every response says Connection: close
    server.stopAccepting();
    try {
      // in-flight exchanges finish; kept-alive connections get one more answer (with close) if a
      // request was already on its way, then a short quiet period lets them go
      long quietSince = System.nanoTime();
      while (System.nanoTime() < deadline) {
        if (counters.inFlight.get() > 0) {
          quietSince = System.nanoTime();
        } else if (System.nanoTime() - quietSince > 300_000_000L) {
          break;
        }
        Thread.sleep(10);
      }
      server.close(); // idle keep-alive connections: nothing is in flight on them
      if (h2 != null) {
        h2.close();
      }
      // the server's close ended the WebSocket tunnels: each records its connection now
      while (counters.tunnels.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      writer.close(Math.max(1000, (deadline - System.nanoTime()) / 1_000_000));
      if (mirror != null) {
        mirror.close(Math.max(1000, (deadline - System.nanoTime()) / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      requester.close(CloseMode.GRACEFUL);
      if (admin != null) {
        admin.close();
      }
    }
    finalStats = counters.snapshot(redactor.patternOverruns());
    return finalStats;
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }
}
