package dev.shadowtest.http;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.HeaderNames;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.Redaction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.function.Callback;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.apache.hc.core5.http.config.CharCodingConfig;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.DefaultContentLengthStrategy;
import org.apache.hc.core5.http.impl.bootstrap.HttpAsyncRequester;
import org.apache.hc.core5.http.impl.nio.ClientHttp1StreamDuplexerFactory;
import org.apache.hc.core5.http.impl.nio.DefaultHttpRequestWriterFactory;
import org.apache.hc.core5.http.impl.nio.DefaultHttpResponseParserFactory;
import org.apache.hc.core5.http.impl.routing.RequestRouter;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.http.protocol.HttpProcessor;
import org.apache.hc.core5.http.protocol.HttpProcessorBuilder;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.http2.config.H2Config;
import org.apache.hc.core5.http2.impl.nio.ClientH2StreamMultiplexerFactory;
import org.apache.hc.core5.http2.impl.nio.ClientHttpProtocolNegotiationStarter;
import org.apache.hc.core5.http2.impl.nio.ProtocolNegotiationException;
import org.apache.hc.core5.http2.impl.nio.bootstrap.H2AsyncRequester;
import org.apache.hc.core5.http2.nio.support.DefaultAsyncPushConsumerFactory;
import org.apache.hc.core5.http2.protocol.H2RequestConnControl;
import org.apache.hc.core5.http2.protocol.H2RequestContent;
import org.apache.hc.core5.http2.protocol.H2RequestTargetHost;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.net.NamedEndpoint;
import org.apache.hc.core5.net.URIAuthority;
import org.apache.hc.core5.pool.DefaultDisposalCallback;
import org.apache.hc.core5.pool.PoolReusePolicy;
import org.apache.hc.core5.pool.StrictConnPool;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.IOReactorStatus;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.reactor.IOSessionListener;
import org.apache.hc.core5.reactor.ssl.TransportSecurityLayer;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends recorded requests faithfully with HttpCore 5's async requester (HttpClient 5 provides
 * only its TLS strategy): no redirects, cookie store or decompression, and no retries but one kind
 * (a request that a keep-alive connection was closed under before any answer, sent again when that
 * is safe: {@link #send(URI, HttpRequest, Body)}); hop-by-hop and framing headers are not copied;
 * Host becomes the target's unless the recorded one is kept; extra headers replace recorded ones; no
 * {@code User-Agent} of the client's own. Response bodies are kept up to {@code maxBody} bytes;
 * beyond, the rest is drained and only counted (the body is flagged truncated with its real
 * size), and a body still streaming past that at the deadline is the error {@code too-large}.
 */
public final class Sender implements AutoCloseable {

  /** Headers that belong to one connection or are recomputed by the client. */
  private static final HeaderNames NOT_COPIED =
      HeaderNames.of(
          "Connection",
          "Keep-Alive",
          "Proxy-Connection",
          "TE",
          "Trailer",
          "Transfer-Encoding",
          "Upgrade",
          "Content-Length",
          "Host",
          "Expect");

  /** True when {@code name}, in any case, is one of {@link #NOT_COPIED}. */
  static boolean notCopied(String name) {
    return NOT_COPIED.contains(name);
  }

  /** Response bytes kept per body unless configured otherwise (the recorder's default too). */
  public static final int DEFAULT_MAX_BODY = 10 << 20;

  /** What sending one request came to: an answer, or a failure of a known category. */
  public sealed interface Attempt permits Answered, Failed {

    /** How long it took, in microseconds. */
    long micros();

    /** True for an answer. */
    default boolean ok() {
      return this instanceof Answered;
    }

    /** The answer, or null for a failure. */
    default HttpResponse response() {
      return null;
    }

    /** {@code "category: message"} as results files keep it, or null for an answer. */
    default String error() {
      return null;
    }
  }

  /** The target answered (any status). */
  public record Answered(HttpResponse response, long micros) implements Attempt {}

  /** The target gave no answer, for a reason of {@code category}, described by {@code message}. */
  public record Failed(ErrorCategory category, String message, long micros) implements Attempt {
    @Override
    public String error() {
      return category.label() + ": " + message;
    }
  }

  private final HttpAsyncRequester requester;
  private final Headers extraHeaders;
  private final HeaderNames extraNames; // their names, looked up for every recorded header
  private final String explicitHost; // the extra Host, or null
  private final boolean keepHost;
  private final long deadlineMillis;
  private final ScheduledThreadPoolExecutor timer;
  private final int maxBody;
  private final AtomicReference<Exception> reactorFailure = new AtomicReference<>();
  private final boolean http2;
  private final Connections connections;
  private final TargetsSeen seen = new TargetsSeen();
  private final SSLContext tls;
  private final Duration connectTimeout;

  /** How long a {@link ClientCertificateProbe} waits for a server to break a connection off. */
  private final Duration probeWait;

  public Sender(
      int concurrency,
      Duration connectTimeout,
      Duration responseTimeout,
      Headers extraHeaders,
      boolean keepHost) {
    this(concurrency, connectTimeout, responseTimeout, extraHeaders, keepHost, DEFAULT_MAX_BODY);
  }

  /** {@code maxBody}: response body bytes kept per attempt (1 .. 1 GiB). */
  public Sender(
      int concurrency,
      Duration connectTimeout,
      Duration responseTimeout,
      Headers extraHeaders,
      boolean keepHost,
      int maxBody) {
    this(
        concurrency,
        connectTimeout,
        responseTimeout,
        extraHeaders,
        keepHost,
        maxBody,
        Connections.defaults());
  }

  /**
   * {@code maxBody}: response body bytes kept per attempt (1 .. 1 GiB); {@code connections}: TLS
   * trust, client certificate and HTTP version for every target.
   */
  public Sender(
      int concurrency,
      Duration connectTimeout,
      Duration responseTimeout,
      Headers extraHeaders,
      boolean keepHost,
      int maxBody,
      Connections connections) {
    if (maxBody < 1 || maxBody > 1 << 30) {
      throw new BadInputException(
          "the response body limit must be between 1 byte and 1 GiB, got " + maxBody);
    }
    this.maxBody = maxBody;
    this.extraHeaders = extraHeaders;
    this.extraNames = HeaderNames.of(extraHeaders.stream().map(Headers.Field::name).toList());
    this.explicitHost = extraHeaders.first("Host").orElse(null);
    this.keepHost = keepHost;
    // HttpClient's response timeout bounds the gap between bytes; a server that drips one byte a
    // second would never time out. This bounds the whole exchange.
    this.deadlineMillis = connectTimeout.toMillis() + responseTimeout.toMillis();
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "shadow-deadline");
              t.setDaemon(true);
              return t;
            });
    long sweepMillis = Math.max(5, Math.min(100, deadlineMillis / 20));
    timer.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    this.http2 = connections.http2();
    this.connections = connections;
    this.tls = connections.sslContext(seen);
    this.connectTimeout = connectTimeout;
    this.probeWait = clamp(responseTimeout, Duration.ofMillis(200), Duration.ofSeconds(2));
    HttpVersionPolicy policy =
        http2 ? HttpVersionPolicy.FORCE_HTTP_2 : HttpVersionPolicy.FORCE_HTTP_1;
    // HttpCore's requester, without HttpClient's execution chain (redirects, retries, cookies,
    // authentication, content compression: none of which a faithful replay uses). What it adds to
    // a request: Host (HTTP/1.1; over HTTP/2 the authority), Content-Length or Transfer-Encoding
    // for a body, and Connection: keep-alive (HTTP/1.1). No User-Agent, no Expect of its own.
    requester =
        requester(
            IOReactorConfig.custom()
                // a replay judges each answer on the I/O thread that read it: one thread per
                // core, but no more than there are connections to serve
                .setIoThreadCount(
                    Math.max(1, Math.min(concurrency, Runtime.getRuntime().availableProcessors())))
                .setSoTimeout(Timeout.of(responseTimeout))
                .setTcpNoDelay(true)
                .build(),
            // the version policy applies to plain connections too: FORCE_HTTP_2 starts them with
            // the HTTP/2 preface (h2c by prior knowledge), and offers only h2 by ALPN over TLS
            policy,
            Http1Config.custom().setBufferSize(http1BufferSize(concurrency)).build(),
            new VersionedTls(connections.tlsStrategy(tls), policy),
            Timeout.of(connectTimeout),
            Timeout.of(responseTimeout),
            concurrency,
            // HttpCore 5.4 reports a ClosedSelectorException from its own shutdown race (its I/O
            // thread still closing channels), which is no failure at all
            e -> {
              if (!(e instanceof ClosedSelectorException)) {
                reactorFailure.compareAndSet(null, e);
              }
            });
    requester.start();
  }

  /**
   * HttpCore's requester as {@code H2RequesterBootstrap.create()} builds it in HttpCore 5.4 (a
   * strict pool of {@code concurrency} connections per target, three times that in all; the same
   * HTTP/1.1 and HTTP/2 handlers, protocol negotiation and TLS), but HTTP/1.1 connections decide
   * whether they are kept with {@link ConnectionReuse}, which the bootstrap cannot be given: the
   * same decision as HttpCore's own, for a fraction of its cost on every exchange.
   */
  private static HttpAsyncRequester requester(
      IOReactorConfig reactor,
      HttpVersionPolicy policy,
      Http1Config http1,
      TlsStrategy tls,
      Timeout handshakeTimeout,
      Timeout responseTimeout,
      int concurrency,
      Callback<Exception> exceptions) {
    HttpProcessor processor =
        HttpProcessorBuilder.create()
            .addAll(
                H2RequestTargetHost.INSTANCE,
                H2RequestContent.INSTANCE,
                H2RequestConnControl.INSTANCE)
            .build();
    ClientH2StreamMultiplexerFactory h2 =
        new ClientH2StreamMultiplexerFactory(
            processor,
            new DefaultAsyncPushConsumerFactory(
                RequestRouter.create(
                    null, null, List.of(), RequestRouter.LOCAL_AUTHORITY_RESOLVER, null)),
            H2Config.DEFAULT,
            CharCodingConfig.DEFAULT,
            null,
            null);
    ClientHttp1StreamDuplexerFactory h1 =
        new ClientHttp1StreamDuplexerFactory(
            processor,
            http1,
            CharCodingConfig.DEFAULT,
            ConnectionReuse.INSTANCE,
            new DefaultHttpResponseParserFactory(http1),
            DefaultHttpRequestWriterFactory.INSTANCE,
            DefaultContentLengthStrategy.INSTANCE,
            DefaultContentLengthStrategy.INSTANCE,
            null);
    return new H2AsyncRequester(
        policy,
        reactor,
        new ClientHttpProtocolNegotiationStarter(h1, h2, policy, tls, handshakeTimeout, exceptions),
        null,
        exceptions,
        new ResponseTimeout(responseTimeout),
        new StrictConnPool<>(
            concurrency,
            concurrency * 3,
            TimeValue.NEG_ONE_MILLISECOND,
            PoolReusePolicy.LIFO,
            new DefaultDisposalCallback<>(),
            null),
        tls,
        handshakeTimeout,
        null,
        null);
  }

  /**
   * Gives each new connection {@code --timeout} as its socket timeout (the longest gap between two
   * reads). HttpCore's requester sets a new connection's socket timeout to the timeout given for
   * connecting ({@code --connect-timeout}), once connected; this listener is called after that:
   * on a plain connection before its handler starts, on a TLS one once the handshake is done (the
   * handshake itself restores the reactor's socket timeout, {@code --timeout}, when it ends).
   */
  private record ResponseTimeout(Timeout timeout) implements IOSessionListener {
    @Override
    public void connected(IOSession session) {
      session.setSocketTimeout(timeout);
    }

    @Override
    public void startTls(IOSession session) {}

    @Override
    public void inputReady(IOSession session) {}

    @Override
    public void outputReady(IOSession session) {}

    @Override
    public void timeout(IOSession session) {}

    @Override
    public void exception(IOSession session, Exception e) {}

    @Override
    public void disconnected(IOSession session) {}
  }

  /**
   * HttpClient's TLS strategy (hostname verification, the client certificate, ALPN) with the
   * version policy handed to it as the {@link TlsConfig} it reads: HttpCore's requester hands it
   * none, and it would then offer both h2 and http/1.1 by ALPN whatever the connection speaks.
   */
  private record VersionedTls(TlsStrategy tls, HttpVersionPolicy policy) implements TlsStrategy {
    private TlsConfig config() {
      return TlsConfig.custom().setVersionPolicy(policy).build();
    }

    @Override
    @SuppressWarnings("deprecation")
    public boolean upgrade(
        TransportSecurityLayer session,
        HttpHost host,
        SocketAddress localAddress,
        SocketAddress remoteAddress,
        Object attachment,
        Timeout handshakeTimeout) {
      return tls.upgrade(session, host, localAddress, remoteAddress, config(), handshakeTimeout);
    }

    @Override
    public void upgrade(
        TransportSecurityLayer session,
        NamedEndpoint endpoint,
        Object attachment,
        Timeout handshakeTimeout,
        FutureCallback<TransportSecurityLayer> callback) {
      tls.upgrade(session, endpoint, config(), handshakeTimeout, callback);
    }
  }

  /** Checks that {@code base} accepts TCP connections; returns the error, or null when it does. */
  public static String preflight(URI base, Duration timeout) {
    int port = base.getPort() > 0 ? base.getPort() : "https".equals(base.getScheme()) ? 443 : 80;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(base.getHost(), port), (int) Math.max(1, timeout.toMillis()));
      return null;
    } catch (IOException e) {
      return category(e).label() + ": " + base + " (" + e.getMessage() + ")";
    }
  }

  /**
   * Sends {@code recorded} to {@code base}: the answer, or the failure (never completed
   * exceptionally).
   */
  public CompletableFuture<Attempt> send(URI base, HttpRequest recorded) {
    return send(base, recorded, null);
  }

  /**
   * As {@link #send(URI, HttpRequest)}, with the body the answer is expected to have (the recorded
   * response's; null for none): a text read from its bytes ({@link Body.Text#utf8()}), complete,
   * is compared with the answer as it streams in, and an answer that is that body byte for byte
   * gets {@code expected} itself as its body (equal to what its bytes would make), with no copy of
   * its bytes kept and no decoding. Any other answer is kept as usual. A request that the target
   * closed a keep-alive connection under before any of its answer came is sent again on another
   * connection, within the same deadline, when that is safe ({@link #RETRIES}, {@code again}).
   */
  public CompletableFuture<Attempt> send(URI base, HttpRequest recorded, Body expected) {
    CompletableFuture<Attempt> result = new CompletableFuture<>();
    Base target = base(base);
    byte[] body =
        recorded.body() instanceof Body.None || recorded.body() instanceof Body.NotCaptured
            ? null
            : recorded.body().bytes();
    ByteBuffer same =
        expected instanceof Body.Text t && !t.truncated() ? t.utf8().orElse(null) : null;
    attempt(
        new Sending(base, target, recorded, body, expected, same, System.nanoTime(), result),
        RETRIES);
    return result;
  }

  /**
   * How often a request is sent again when the connection it went out on closed before any of an
   * answer came, and it is safe to (see {@link #again}).
   */
  static final int RETRIES = 2;

  /** One exchange being sent, whatever the attempt: the deadline counts from {@code start}. */
  private record Sending(
      URI base,
      Base target,
      HttpRequest recorded,
      byte[] body,
      Body expected,
      ByteBuffer same,
      long start,
      CompletableFuture<Attempt> result) {}

  /**
   * True when a request that failed with {@code e} before any of its answer came is sent again:
   * the target closed the connection under it (a {@code reset}), and the target has answered
   * before (a keep-alive connection it had closed, where a new one will do, and not a target that
   * closes every connection); and either the request was never written ({@link
   * RequestNotExecutedException}), or its method is idempotent (RFC 9110, 9.2.2: a client may send
   * such a request again when the connection closed before an answer). Never a POST that may have
   * reached the target.
   */
  private boolean again(Sending s, Exception e, BoundedResponseConsumer consumer, int retries) {
    return retries > 0
        && !consumer.started()
        && category(e) == ErrorCategory.RESET
        && !seen.neverAnswered(s.base())
        && (e instanceof RequestNotExecutedException || idempotent(s.recorded().method()));
  }

  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

  /**
   * RFC 9110's idempotent methods (GET, HEAD, OPTIONS, TRACE, PUT, DELETE): sending one twice has
   * the effect of sending it once, so a request cut off by a closed connection may be sent again.
   */
  public static boolean idempotent(String method) {
    return IDEMPOTENT.contains(method.toUpperCase(Locale.ROOT));
  }

  /**
   * Sends {@code s}; on a failure that {@link #again} allows, again, at most {@code retries} more
   * times.
   */
  private void attempt(Sending s, int retries) {
    CompletableFuture<Attempt> result = s.result();
    long start = s.start();
    URI base = s.base();
    HttpRequest recorded = s.recorded();
    BasicHttpRequest request = build(base, s.target(), recorded); // anew: processing adds headers
    BasicRequestProducer producer =
        s.body() == null
            ? new BasicRequestProducer(request, null)
            : new BasicRequestProducer(
                request, new BasicAsyncEntityProducer(s.body(), contentType(recorded.headers())));
    BoundedResponseConsumer consumer = new BoundedResponseConsumer(maxBody, s.same());
    Call call = new Call(start, consumer, result);
    inFlight.add(call); // its deadline is watched until it is answered
    try {
      call.running =
          requester.execute(
              s.target().host(), // the target's: the request's authority may be the recorded host
              producer,
              consumer,
              null,
              Timeout.of(connectTimeout),
              HttpCoreContext.create(),
              new FutureCallback<BoundedResponseConsumer.Received>() {
                @Override
                public void completed(BoundedResponseConsumer.Received r) {
                  long micros = (System.nanoTime() - start) / 1000;
                  inFlight.remove(call);
                  seen.answered(base);
                  result.complete(
                      new Answered(toModel(r, recorded.method(), s.expected()), micros));
                }

                @Override
                public void failed(Exception e) {
                  long micros = (System.nanoTime() - start) / 1000;
                  if (again(s, e, consumer, retries) && !result.isDone()) {
                    inFlight.remove(call);
                    attempt(s, retries - 1); // within the same deadline
                  } else if (category(e) == ErrorCategory.TIMEOUT && consumer.beyondLimit()) {
                    inFlight.remove(call);
                    result.complete(deadlinePassed(consumer, start));
                  } else if (certificateInQuestion(base, e)) {
                    // off the I/O thread: a test connection tells whether the certificate is why
                    // (the deadline still holds while it does)
                    seen.certificateRequirement(base, () -> probe(base))
                        .thenAccept(
                            r -> {
                              inFlight.remove(call);
                              result.complete(failure(base, e, micros, r));
                            });
                  } else {
                    inFlight.remove(call);
                    result.complete(failure(base, e, micros));
                  }
                }

                @Override
                public void cancelled() {
                  inFlight.remove(call);
                  result.complete(deadlinePassed(consumer, start));
                }
              });
    } catch (IllegalStateException e) {
      // the requester no longer runs (its I/O reactor stopped): nothing more can be sent
      inFlight.remove(call);
      result.complete(
          new Failed(
              ErrorCategory.INTERNAL, "the HTTP client stopped (" + e.getMessage() + ")", 0));
    }
  }

  /**
   * The Host header a request to {@code base} carries: an explicit {@code --header Host=...},
   * else the recorded one with keepHost, else the target's own authority.
   */
  public String hostSent(URI base, HttpRequest recorded) {
    if (explicitHost != null) {
      return explicitHost;
    }
    if (keepHost) {
      Optional<String> h = recorded.headers().first("Host");
      if (h.isPresent()) {
        return h.get();
      }
    }
    return base.getRawAuthority();
  }

  /**
   * True when a failure may be a client certificate refused: a connection to an https target
   * that asked for one, closed before the target ever answered, with no TLS error to say so.
   */
  private boolean certificateInQuestion(URI base, Exception e) {
    return category(e) == ErrorCategory.RESET
        && "https".equals(base.getScheme())
        && seen.neverAnswered(base)
        && seen.askedForCertificate(base);
  }

  /** Runs a {@link ClientCertificateProbe} of {@code base} on a thread of its own. */
  private CompletableFuture<ClientCertificateProbe.Requirement> probe(URI base) {
    int port = base.getPort() > 0 ? base.getPort() : 443;
    return CompletableFuture.supplyAsync(
        () -> ClientCertificateProbe.probe(tls, base.getHost(), port, connectTimeout, probeWait),
        r -> {
          Thread t = new Thread(r, "shadow-tls-probe");
          t.setDaemon(true);
          t.start();
        });
  }

  /** The most an HTTP/1.1 connection's buffers hold at once, each: 64 KiB. */
  static final int MAX_HTTP1_BUFFER = 64 << 10;

  /** The least, HttpCore's default: 8 KiB. */
  static final int MIN_HTTP1_BUFFER = 8 << 10;

  /**
   * The size of each of the three buffers (input, output, body content) that HttpCore gives an
   * HTTP/1.1 connection, for {@code concurrency} connections to a target: 64 KiB while the three
   * buffers of all those connections take at most 16 MiB (up to 85 connections), then less, down
   * to HttpCore's default of 8 KiB (from 607 connections on). HttpCore hands a body to its
   * consumer a content buffer at a time: with its default of 8 KiB, a 20 KB answer (read from the
   * socket at once, the input buffer having grown to 32 KiB) came in three pieces, each with its
   * own round through the decoder, the flow-control window and the streaming comparison; with 64
   * KiB, in one. That took 1–5 µs per 20 KB exchange off the I/O thread pinned to one core (9
   * runs of 10), nothing unpinned or at 0.6 KB (docs/PERFORMANCE.md, "A body handed over in one
   * piece").
   */
  static int http1BufferSize(int concurrency) {
    long perBuffer = (16L << 20) / (3L * Math.max(1, concurrency));
    return (int) Math.max(MIN_HTTP1_BUFFER, Math.min(MAX_HTTP1_BUFFER, perBuffer & ~1023L));
  }

  /** {@code d} within {@code min} and {@code max}. */
  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  /** As {@link #failure(URI, Exception, long, ClientCertificateProbe.Requirement)}, unprobed. */
  Failed failure(URI base, Exception e, long micros) {
    return failure(base, e, micros, ClientCertificateProbe.Requirement.UNKNOWN);
  }

  /**
   * A failure of the HTTP client, typed by {@link #category(Throwable)}, and told apart further
   * from what this sender saw of the target: a connection closed before the target ever answered,
   * by a server that asked for a client certificate, is a {@code tls} failure when {@code
   * requirement} (a test connection) found that the server refuses what it was given (TLS 1.3
   * refuses it after the client's side of the handshake, often without an alert the client sees);
   * otherwise it stays a {@code reset}, and says whether the certificate may be why. A target that
   * closes at once, answers the HTTP/2 preface with something else or offers no {@code h2} by ALPN
   * under {@code --http2} may not speak HTTP/2.
   */
  Failed failure(
      URI base, Exception e, long micros, ClientCertificateProbe.Requirement requirement) {
    ErrorCategory category = category(e);
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (category == ErrorCategory.RESET && seen.neverAnswered(base)) {
      if ("https".equals(base.getScheme()) && seen.askedForCertificate(base)) {
        String given =
            connections.clientCertificate() == null
                ? null
                : connections
                    .clientCertificate()
                    .chain()
                    .get(0)
                    .getSubjectX500Principal()
                    .getName();
        boolean offered = seen.offeredCertificate(base);
        if (requirement == ClientCertificateProbe.Requirement.REQUIRED) {
          return new Failed(
              ErrorCategory.TLS,
              (given == null
                      ? "the server asked for a client certificate, none was given (--client-cert,"
                          + " --client-key), and it closed the connection"
                      : offered
                          ? "the server asked for a client certificate and closed the connection"
                              + " without answering: it refused "
                              + given
                          : "the server asked for a client certificate of issuers that did not"
                              + " sign "
                              + given
                              + " (--client-cert), so none was given, and it closed the"
                              + " connection")
                  + " ("
                  + message
                  + ")",
              micros);
        }
        String asked =
            given == null
                ? "the server asked for a client certificate and none was given"
                : offered
                    ? "the server asked for a client certificate and was given " + given
                    : "the server asked for a client certificate of issuers that did not sign "
                        + given
                        + ", so none was given";
        message +=
            requirement == ClientCertificateProbe.Requirement.NOT_REQUIRED
                ? " ("
                    + asked
                    + ", but it keeps a connection "
                    + (offered ? "with it" : "without one")
                    + " open: that is not why it closed this one)"
                : " ("
                    + asked
                    + (offered
                        ? ": if it refused it, that is why it closed the connection"
                        : " (--client-cert, --client-key): if it requires one, that is why it"
                            + " closed the connection")
                    + ")";
      }
      if (http2) {
        message += notHttp2(base);
      }
    } else if (category == ErrorCategory.PROTOCOL && http2 && negotiationFailed(e)) {
      message += notHttp2(base); // it answered the HTTP/2 preface with something else
    } else if (category == ErrorCategory.TLS && untrusted(e)) {
      message +=
          " (the target's certificate is not trusted: give its CA with --ca-cert FILE, or"
              + " --insecure for a test system)";
    } else if (category == ErrorCategory.TLS && http2 && noApplicationProtocol(e)) {
      // the server speaks TLS with ALPN, and none of its protocols is h2
      message +=
          " (with --http2: the target offers no HTTP/2 by ALPN, h2 being all that is offered;"
              + " without --http2 it is spoken to in HTTP/1.1)";
    }
    return new Failed(category, message, micros);
  }

  /** The hint that a target may not speak HTTP/2, as {@code base}'s scheme asks it to. */
  private static String notHttp2(URI base) {
    return " (with --http2: does the target speak HTTP/2"
        + ("https".equals(base.getScheme())
            ? ", offering h2 by ALPN?)"
            : " with prior knowledge, h2c?)");
  }

  /** True when HttpCore found no HTTP/2 where its preface was answered. */
  private static boolean negotiationFailed(Throwable e) {
    return causedBy(e, t -> t instanceof ProtocolNegotiationException);
  }

  /** True when the TLS alert {@code no_application_protocol} (no common ALPN protocol) ended it. */
  private static boolean noApplicationProtocol(Throwable e) {
    return causedBy(
        e,
        t ->
            t instanceof SSLException
                && t.getMessage() != null
                && t.getMessage().contains("no_application_protocol"));
  }

  /** True when a certificate chain could not be built to a trusted anchor. */
  private static boolean untrusted(Throwable e) {
    return causedBy(e, t -> t instanceof CertPathBuilderException);
  }

  /** True when {@code e} or one of its first 20 causes is {@code what}. */
  private static boolean causedBy(Throwable e, Predicate<Throwable> what) {
    int depth = 0;
    for (Throwable t = e; t != null && depth++ < 20; t = t.getCause()) {
      if (what.test(t)) {
        return true;
      }
    }
    return false;
  }

  /** A timeout, or {@code too-large} when the body was still streaming past the limit. */
  private Attempt deadlinePassed(BoundedResponseConsumer consumer, long start) {
    long micros = (System.nanoTime() - start) / 1000;
    if (consumer.beyondLimit()) {
      return new Failed(
          ErrorCategory.TOO_LARGE,
          "the body was still streaming when the time ran out, after "
              + consumer.size()
              + " bytes, more than the "
              + maxBody
              + " kept",
          micros);
    }
    return new Failed(
        ErrorCategory.TIMEOUT, "no complete response within " + deadlineMillis + " ms", micros);
  }

  /** True while the client can send (its I/O reactor runs). */
  public boolean running() {
    return requester.getStatus() == IOReactorStatus.ACTIVE;
  }

  /**
   * An exchange in flight, from its sending to its answer (then it leaves {@link #inFlight} at
   * once: nothing, least of all the response, stays referenced for the rest of its deadline).
   */
  private final class Call {
    final long deadline;
    final long start;
    final BoundedResponseConsumer consumer;
    final CompletableFuture<Attempt> result;
    volatile Future<BoundedResponseConsumer.Received> running;

    Call(long start, BoundedResponseConsumer consumer, CompletableFuture<Attempt> result) {
      this.start = start;
      this.deadline = start + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
      this.consumer = consumer;
      this.result = result;
    }
  }

  /**
   * The exchanges in flight, whose deadlines {@link #sweep} watches: adding and removing one is
   * cheaper than scheduling and cancelling a timer task per exchange, which took a lock shared by
   * every I/O thread.
   */
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();

  /**
   * Ends the exchanges whose deadline has passed, as timeouts: cancelling one frees its connection
   * (its {@code cancelled()} then finds the attempt complete). Runs every twentieth of the deadline
   * (5 to 100 ms), so a deadline is kept within that much.
   */
  private void sweep() {
    long now = System.nanoTime();
    for (Call c : inFlight) {
      if (c.result.isDone()) {
        inFlight.remove(c);
      } else if (now - c.deadline >= 0) {
        Future<?> running = c.running;
        if (running == null) {
          continue; // still being handed to the client: the next sweep ends it
        }
        inFlight.remove(c);
        running.cancel(true);
        c.result.complete(deadlinePassed(c.consumer, c.start));
      }
    }
  }

  /** The request to {@code base} ({@code target}: its host and prefix, looked up once). */
  private BasicHttpRequest build(URI base, Base target, HttpRequest recorded) {
    BasicHttpRequest r =
        new BasicHttpRequest(
            recorded.method(), target.host(), target.prefix() + originForm(recorded.target()));
    sentHeaders(
        base,
        recorded,
        (name, value) -> {
          if (!name.equalsIgnoreCase("Host")) {
            r.addHeader(name, value);
          } else if (keepHost || explicitHost != null) {
            if (http2) {
              // over HTTP/2 the host travels as :authority, which must agree with any Host (RFC
              // 9113 8.3.1): the Host chosen for the target becomes the authority; the connection
              // was routed to the target already
              try {
                r.setAuthority(URIAuthority.create(value));
                return;
              } catch (URISyntaxException e) {
                // not a host[:port]: left as a header
              }
            }
            r.addHeader(name, value); // as chosen; the connection still goes to the target
          }
          // else left to the client, which sends the target's own authority
        });
    return r;
  }

  /**
   * The request as the target receives it: origin-form target under the base URL's path, the
   * recorded headers without hop-by-hop and framing ones, the extra headers applied, {@code Host}
   * (see {@link #hostSent}), and without recorded credentials that were redacted at capture
   * ({@code [REDACTED]}, {@code hmac:…}): those are never sent as they are.
   */
  public HttpRequest prepared(URI base, HttpRequest recorded) {
    List<String> fields = new ArrayList<>();
    sentHeaders(
        base,
        recorded,
        (name, value) -> {
          fields.add(name);
          fields.add(value);
        });
    return new HttpRequest(
        recorded.method(),
        prefix(base) + originForm(recorded.target()),
        recorded.httpVersion(),
        Headers.of(fields.toArray(String[]::new)),
        recorded.body());
  }

  /** A recorded target in origin form: an absolute-form one loses its scheme and authority. */
  private static String originForm(String target) {
    if (target.startsWith("/")) {
      return target;
    }
    int slash = target.indexOf('/', target.indexOf("://") + 3);
    return target.startsWith("http") && slash > 0 ? target.substring(slash) : "/";
  }

  /**
   * Gives {@code out} each header field {@link #prepared} sends, in order: the recorded ones that
   * are copied, the extra ones, then {@code Host} unless an extra one is it.
   */
  private void sentHeaders(URI base, HttpRequest recorded, BiConsumer<String, String> out) {
    for (Headers.Field f : recorded.headers()) {
      // a recorded name that is no token (an import's "X:Y", "bad name") is not sent: it would
      // reach the target as another header, or none
      if (!notCopied(f.name())
          && !extraNames.contains(f.name())
          && !redacted(f.value())
          && HeaderNames.isToken(f.name())) {
        out.accept(f.name(), f.value());
      }
    }
    for (Headers.Field f : extraHeaders) {
      out.accept(f.name(), f.value());
    }
    if (explicitHost == null) {
      out.accept("Host", hostSent(base, recorded));
    }
  }

  /** A target's host and path prefix, parsed once: a run has a few targets and sends millions. */
  private record Base(HttpHost host, String prefix) {}

  private final ConcurrentHashMap<URI, Base> bases = new ConcurrentHashMap<>();

  private Base base(URI uri) {
    Base b = bases.get(uri);
    if (b == null) {
      String path = uri.getRawPath();
      b =
          new Base(
              HttpHost.create(uri),
              path == null || path.equals("/")
                  ? ""
                  : path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
      if (bases.size() > 64) {
        bases.clear(); // bounded whatever the callers pass
      }
      bases.put(uri, b);
    }
    return b;
  }

  private String prefix(URI base) {
    return base(base).prefix();
  }

  /** {@code h.c.REDACTED}, or a scheme and it: a JWT recorded with {@code --keep-jwt-claims}. */
  private static final Pattern UNSIGNED_JWT =
      Pattern.compile(
          "(?:\\S+ +)?[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\." + Redaction.Jwt.DROPPED_SIGNATURE);

  /**
   * True for a JWT whose signature was dropped at capture ({@code --keep-jwt-claims}): no server
   * accepts it; a {@code resignJwt} transform signs it anew.
   */
  static boolean withoutSignature(String value) {
    return value.endsWith(Redaction.Jwt.DROPPED_SIGNATURE)
        && value.length() < 65_536
        && UNSIGNED_JWT.matcher(value).matches();
  }

  /**
   * A value the recorder redacted: {@code [REDACTED]}, a pseudonym {@code hmac:} + 22 characters,
   * or a JWT without its signature. Such a header is not sent (a transform may set it anew).
   */
  public static boolean redacted(String value) {
    return value.equals(Redaction.REDACTED)
        || withoutSignature(value)
        || value.length() == 27
            && value.startsWith("hmac:")
            && value
                .substring(5)
                .chars()
                .allMatch(
                    c ->
                        c >= 'A' && c <= 'Z'
                            || c >= 'a' && c <= 'z'
                            || c >= '0' && c <= '9'
                            || c == '-'
                            || c == '_');
  }

  /** The names (lower case) of the recorded headers {@link #prepared} leaves out as redacted. */
  public List<String> redactedNotSent(HttpRequest recorded) {
    List<String> out = null;
    for (Headers.Field f : recorded.headers()) {
      if (redacted(f.value()) && !extraNames.contains(f.name()) && !notCopied(f.name())) {
        (out == null ? out = new ArrayList<>(2) : out).add(f.name().toLowerCase(Locale.ROOT));
      }
    }
    return out == null ? List.of() : out;
  }

  private static ContentType contentType(Headers h) {
    try {
      return h.first("Content-Type").map(ContentType::parse).orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static HttpResponse toModel(
      BoundedResponseConsumer.Received r, String method, Body expected) {
    List<Headers.Field> fields = new ArrayList<>();
    for (Header h : r.head().getHeaders()) {
      fields.add(new Headers.Field(h.getName(), h.getValue()));
    }
    byte[] body = r.kept();
    Body b =
        r.expected()
            ? expected
            : body == null
                ? ("HEAD".equalsIgnoreCase(method) ? Body.none() : Body.of(new byte[0]))
                : Body.of(body, r.size());
    String reason = r.head().getReasonPhrase();
    return new HttpResponse(
        r.head().getCode(), reason == null ? "" : reason, Headers.of(fields), b);
  }

  /**
   * What a failure of the HTTP client was: tls, refused, timeout, reset, protocol, dns or other. A
   * TLS failure anywhere in the causes is {@code tls}: a handshake the server broke off is a TLS
   * failure even when it shows as a closed connection. An answer to the HTTP/2 preface that is no
   * HTTP/2 is {@code protocol}.
   */
  public static ErrorCategory category(Throwable e) {
    if (causedBy(
        e,
        t ->
            t instanceof SSLException
                || t instanceof CertificateException
                || t instanceof CertPathValidatorException
                || t instanceof CertPathBuilderException)) {
      return ErrorCategory.TLS;
    }
    int depth = 0;
    for (Throwable t = e; t != null && depth++ < 20; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return ErrorCategory.REFUSED;
      }
      if (t instanceof SocketTimeoutException
          || t instanceof TimeoutException
          || t instanceof InterruptedIOException) {
        return ErrorCategory.TIMEOUT;
      }
      if (t instanceof UnknownHostException) {
        return ErrorCategory.DNS;
      }
      if (t instanceof ConnectionClosedException || t instanceof SocketException) {
        return ErrorCategory.RESET;
      }
      if (t instanceof ProtocolException
          || t instanceof MalformedChunkCodingException
          || t instanceof ProtocolNegotiationException) {
        return ErrorCategory.PROTOCOL;
      }
    }
    return ErrorCategory.OTHER;
  }

  /** The first failure of the client's I/O reactor (it stopped sending), or null. */
  public Exception reactorFailure() {
    return reactorFailure.get();
  }

  /**
   * Stops the client: in-flight exchanges were awaited or given up before this. The I/O reactor
   * is asked to shut down and given a moment to end on its own before it is closed, so that its
   * threads are not cut off in the middle of their own shutdown.
   */
  @Override
  public void close() {
    try {
      requester.initiateShutdown();
      requester.awaitShutdown(TimeValue.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      requester.close(CloseMode.IMMEDIATE);
      timer.shutdownNow();
      // what is still in flight ends now, as a failure of its target (a request waiting for a
      // connection may not be told by the client): every future completes, nothing is lost
      for (Call c : inFlight) {
        inFlight.remove(c);
        try {
          c.result.complete(
              new Failed(
                  ErrorCategory.TIMEOUT,
                  "no answer when Shadow stopped, after "
                      + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.start)
                      + " ms",
                  (System.nanoTime() - c.start) / 1000));
        } catch (RuntimeException rejected) {
          // a dependent step whose executor has stopped: the caller's own shutdown tells it
        }
      }
    }
  }
}
