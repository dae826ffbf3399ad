package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.impl.bootstrap.HttpRequester;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.util.Timeout;

/**
 * One request: refused when it is not for the upstream, else forwarded with its bodies streamed
 * both ways; the bodies are teed into bounded capture buffers, and the exchange is handed to
 * {@code capture} once the response has been written to the client (off the live path).
 */
public final class ProxyHandler implements HttpRequestHandler {

  /** Not forwarded: they describe one connection, not the message (RFC 9110 7.6.1), or the framing, which is redone. */
  static final Set<String> HOP_BY_HOP = caseInsensitive("Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
      "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length");

  /**
   * Not forwarded upstream: the proxy has already answered the client's {@code Expect:
   * 100-continue}, so the body follows at once (an upstream that never sends 100 would cost seconds).
   */
  static final Set<String> REQUEST_ONLY = caseInsensitive("Expect");

  private final HttpRequester requester;
  private final HttpHost upstream;
  private final String upstreamPath;
  private final Set<String> ownAuthorities;
  private final int maxBody;
  private final Predicate<ClassicHttpRequest> record;
  private final double sample;
  private final boolean forwarded;
  private final Timeout connectTimeout;
  private final Counters counters;
  private final Consumer<CaptureWriter.Pending> capture;
  private final CaptureBudget budget;
  private final java.util.function.BooleanSupplier stopping;
  private final String idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
  private final AtomicLong sequence = new AtomicLong();

  public ProxyHandler(HttpRequester requester, URI upstream, Set<String> ownAuthorities, int maxBody,
      Predicate<ClassicHttpRequest> record, double sample, boolean forwarded, Timeout connectTimeout, Counters counters,
      CaptureBudget budget, java.util.function.BooleanSupplier stopping, Consumer<CaptureWriter.Pending> capture) {
    this.budget = budget;
    this.stopping = stopping;
    this.requester = requester;
    this.upstream = new HttpHost(upstream.getScheme(), upstream.getHost(), port(upstream));
    String p = upstream.getRawPath() == null ? "" : upstream.getRawPath();
    this.upstreamPath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    this.ownAuthorities = caseInsensitive(ownAuthorities.toArray(String[]::new));
    this.ownAuthorities.add(this.upstream.toHostString());
    this.maxBody = maxBody;
    this.record = record;
    this.sample = sample;
    this.forwarded = forwarded;
    this.connectTimeout = connectTimeout;
    this.counters = counters;
    this.capture = capture;
  }

  static int port(URI u) {
    return u.getPort() > 0 ? u.getPort() : u.getScheme().equals("https") ? 443 : 80;
  }

  static Set<String> caseInsensitive(String... names) {
    Set<String> s = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    s.addAll(List.of(names));
    return s;
  }

  @Override
  public void handle(ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context)
      throws HttpException, IOException {
    counters.proxied.increment();
    counters.inFlight.incrementAndGet();
    if (stopping.getAsBoolean()) {
      response.setHeader("Connection", "close"); // draining: this connection takes no further request
    }
    boolean handedOff = false;
    try {
      handedOff = forward(request, response, context);
    } finally {
      if (!handedOff) {
        counters.inFlight.decrementAndGet();
      }
    }
  }

  /** True when the response entity took over the exchange (and will end it). */
  private boolean forward(ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context)
      throws HttpException, IOException {
    String refusal = refusal(request);
    if (refusal != null) {
      counters.refused.increment();
      response.setCode(refusal.startsWith("CONNECT") ? 405 : 403);
      response.setEntity(new StringEntity(refusal + "\n", ContentType.TEXT_PLAIN));
      return false;
    }
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    boolean recording = record.test(request) && (sample >= 1 || ThreadLocalRandom.current().nextDouble() < sample);
    if (!recording) {
      counters.filtered.increment();
    }
    String target = request.getPath();
    ClassicHttpRequest up = new BasicClassicHttpRequest(request.getMethod(), upstream, upstreamPath + target);
    Set<String> connectionListed = connectionListed(request.getHeaders("Connection"));
    for (Header h : request.getHeaders()) {
      if (!HOP_BY_HOP.contains(h.getName()) && !REQUEST_ONLY.contains(h.getName()) && !connectionListed.contains(h.getName())) {
        up.addHeader(h.getName(), h.getValue());
      }
    }
    if (forwarded) {
      addForwarded(request, up, context);
    }
    TeeEntity.Capture requestBody = new TeeEntity.Capture(maxBody, budget);
    Header[] requestHeaders = request.getHeaders();
    String method = request.getMethod();
    String version = request.getVersion() == null ? "HTTP/1.1" : request.getVersion().toString();
    HttpEntity in = request.getEntity();
    if (in != null) {
      up.setEntity(recording ? new TeeEntity(in, requestBody, () -> { }) : in);
    }
    ClassicHttpResponse upResponse;
    try {
      upResponse = requester.execute(upstream, up, connectTimeout, context);
    } catch (IOException | HttpException e) {
      counters.upstreamErrors.increment();
      String why = category(e);
      response.setCode(502);
      response.setEntity(new StringEntity("Bad Gateway: the upstream did not answer (" + why + ")\n", ContentType.TEXT_PLAIN));
      if (recording) {
        String id = nextId();
        long micros = (System.nanoTime() - t0) / 1000;
        capture.accept(new CaptureWriter.Pending(() -> new Exchange(id, startedAt, micros,
            httpRequest(method, target, version, requestHeaders, requestBody, in), null, why, java.util.Map.of()),
            requestBody::release));
      }
      return false;
    }
    response.setCode(upResponse.getCode());
    response.setReasonPhrase(upResponse.getReasonPhrase());
    Set<String> upListed = connectionListed(upResponse.getHeaders("Connection"));
    // a response without a body (HEAD, 304) keeps the upstream's Content-Length: it describes the resource
    boolean bodiless = method.equalsIgnoreCase("HEAD") || upResponse.getCode() == 304;
    for (Header h : upResponse.getHeaders()) {
      boolean keep = bodiless && h.getName().equalsIgnoreCase("Content-Length");
      if (keep || !HOP_BY_HOP.contains(h.getName()) && !upListed.contains(h.getName())) {
        response.addHeader(h.getName(), h.getValue());
      }
    }
    Header[] responseHeaders = upResponse.getHeaders();
    int status = upResponse.getCode();
    String reason = upResponse.getReasonPhrase() == null ? "" : upResponse.getReasonPhrase();
    HttpEntity out = upResponse.getEntity();
    if (out == null) {
      upResponse.close();
      if (recording) {
        String id = nextId();
        long micros = (System.nanoTime() - t0) / 1000;
        capture.accept(new CaptureWriter.Pending(() -> exchange(id, method, target, version, requestHeaders, requestBody, in,
            status, reason, responseHeaders, null, startedAt, micros), requestBody::release));
      }
      return false;
    }
    if (!recording) {
      response.setEntity(new ClosingEntity(out, upResponse, counters));
      return true;
    }
    TeeEntity.Capture responseBody = new TeeEntity.Capture(maxBody, budget);
    response.setEntity(new TeeEntity(out, responseBody, () -> {
      try {
        if (responseBody.failure != null) {
          counters.clientAborts.increment();
        }
        upResponse.close();
      } catch (IOException e) {
        // the connection is discarded
      }
      try {
        // only a cheap hand-over here: the exchange is built, redacted and written on the writer thread
        String id = nextId();
        long micros = (System.nanoTime() - t0) / 1000;
        if (requestBody.cutByBudget || responseBody.cutByBudget) {
          counters.bodiesCut.increment();
        }
        capture.accept(new CaptureWriter.Pending(() -> exchange(id, method, target, version, requestHeaders, requestBody, in,
            status, reason, responseHeaders, responseBody, startedAt, micros), () -> {
              requestBody.release();
              responseBody.release();
            }));
      } finally {
        counters.inFlight.decrementAndGet();
      }
    }));
    return true;
  }

  /** Why a request is refused, or null: only origin-form requests (or absolute ones for the upstream) pass. */
  private String refusal(ClassicHttpRequest request) {
    if (request.getMethod().equalsIgnoreCase("CONNECT")) {
      return "CONNECT is refused: this is a reverse proxy for " + upstream.toURI() + " only";
    }
    if (request.getScheme() != null && request.getAuthority() != null) { // absolute form: http://host:port/path
      String scheme = request.getScheme();
      int p = request.getAuthority().getPort();
      String authority = request.getAuthority().getHostName() + ":" + (p > 0 ? p : scheme.equalsIgnoreCase("https") ? 443 : 80);
      if (!ownAuthorities.contains(authority)) {
        return "Forbidden: " + authority + " is not proxied (only " + upstream.toURI() + ")";
      }
    } else if (!request.getPath().startsWith("/") && !request.getPath().equals("*")) {
      return "Forbidden: unsupported request target " + request.getPath();
    }
    return null;
  }

  private static Set<String> connectionListed(Header[] connection) {
    Set<String> out = caseInsensitive();
    for (Header h : connection) {
      for (String token : h.getValue().split(",")) {
        out.add(token.strip());
      }
    }
    return out;
  }

  private static void addForwarded(ClassicHttpRequest request, ClassicHttpRequest up, HttpContext context) {
    EndpointDetails details = HttpCoreContext.cast(context).getEndpointDetails();
    SocketAddress remote = details == null ? null : details.getRemoteAddress();
    String client = remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
    Header xff = request.getFirstHeader("X-Forwarded-For");
    up.setHeader("X-Forwarded-For", xff == null ? client : xff.getValue() + ", " + client);
    Header host = request.getFirstHeader("Host");
    if (host != null) {
      up.setHeader("X-Forwarded-Host", host.getValue());
    }
    up.setHeader("X-Forwarded-Proto", "http");
    up.addHeader("Via", request.getVersion() + " shadow-recorder");
  }

  private static Exchange exchange(String id, String method, String target, String version, Header[] requestHeaders,
      TeeEntity.Capture requestBody, HttpEntity in, int status, String reason, Header[] responseHeaders,
      TeeEntity.Capture responseBody, Instant startedAt, long micros) {
    List<Headers.Field> headers = new ArrayList<>();
    for (Header h : responseHeaders) {
      headers.add(new Headers.Field(h.getName(), h.getValue()));
    }
    Body body = responseBody == null ? Body.none() : body(responseBody);
    HttpResponse r = new HttpResponse(status, reason, Headers.of(headers), body);
    java.util.Map<String, String> tags = responseBody != null && responseBody.failure != null
        ? java.util.Map.of("shadow.clientAborted", "true") : java.util.Map.of();
    return new Exchange(id, startedAt, micros, httpRequest(method, target, version, requestHeaders, requestBody, in), r, null,
        tags);
  }

  private static Body body(TeeEntity.Capture c) {
    byte[] kept = c.bytes();
    return Body.of(kept, Math.max(c.size, kept.length));
  }

  private static HttpRequest httpRequest(String method, String target, String version, Header[] requestHeaders,
      TeeEntity.Capture requestBody, HttpEntity in) {
    List<Headers.Field> headers = new ArrayList<>();
    for (Header h : requestHeaders) {
      headers.add(new Headers.Field(h.getName(), h.getValue()));
    }
    Body body = in == null ? Body.none() : body(requestBody);
    if (in != null && !requestBody.complete && requestBody.size < Math.max(0, in.getContentLength())) {
      body = Body.of(requestBody.bytes(), in.getContentLength()); // not fully read: flagged as cut
    }
    return new HttpRequest(method, target, version, Headers.of(headers), body);
  }

  private String nextId() {
    return idPrefix + "-" + String.format(Locale.ROOT, "%09d", sequence.incrementAndGet());
  }

  static String category(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof ConnectException) {
      return "refused: " + m;
    }
    if (e instanceof SocketTimeoutException) {
      return "timeout: " + m;
    }
    if (e instanceof HttpException) {
      return "protocol: " + m;
    }
    return "reset: " + m;
  }

  /** An upstream entity passed through untouched, releasing the upstream response when done. */
  static final class ClosingEntity extends org.apache.hc.core5.http.io.entity.HttpEntityWrapper {
    private final ClassicHttpResponse upstream;
    private final Counters counters;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    ClosingEntity(HttpEntity entity, ClassicHttpResponse upstream, Counters counters) {
      super(entity);
      this.upstream = upstream;
      this.counters = counters;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        upstream.close();
        if (closed.compareAndSet(false, true)) {
          counters.inFlight.decrementAndGet();
        }
      }
    }
  }
}
