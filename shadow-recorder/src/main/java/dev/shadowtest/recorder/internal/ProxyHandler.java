package dev.shadowtest.recorder.internal;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.http.Sender;
import dev.shadowtest.recorder.internal.CaptureParts.RawBody;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.FormattedHeader;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.impl.bootstrap.HttpRequester;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.util.Timeout;

/**
 * One request: refused when it is not for the upstream, else forwarded with its bodies streamed
 * both ways; the bodies are teed into bounded capture buffers, and the exchange is handed to
 * {@code capture} once the response has been written to the client (off the live path).
 */
public final class ProxyHandler implements HttpRequestHandler {

  private final HttpRequester requester;
  private final HttpHost upstream;
  private final String upstreamPath;
  private final Set<String> ownAuthorities;
  private final int maxBody;
  private final Predicate<ClassicHttpRequest> record;
  private final double sample;
  private final boolean forwarded;

  /** How clients reach the proxy: {@code http}, or {@code https} with a TLS listener. */
  private final String proto;

  private final Timeout connectTimeout;
  private final Timeout responseTimeout;
  private final SSLContext upstreamTls;
  private final boolean recordWebSocket;
  private final Counters counters;
  private final Consumer<CaptureWriter.Pending> capture;
  private final CaptureBudget budget;
  private final BooleanSupplier stopping;
  private final String idPrefix =
      Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
  private final AtomicLong sequence = new AtomicLong();

  public ProxyHandler(
      HttpRequester requester,
      URI upstream,
      Set<String> ownAuthorities,
      int maxBody,
      Predicate<ClassicHttpRequest> record,
      double sample,
      boolean forwarded,
      boolean https,
      Timeout connectTimeout,
      Timeout responseTimeout,
      SSLContext upstreamTls,
      boolean recordWebSocket,
      Counters counters,
      CaptureBudget budget,
      BooleanSupplier stopping,
      Consumer<CaptureWriter.Pending> capture) {
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
    this.proto = https ? "https" : "http";
    this.connectTimeout = connectTimeout;
    this.responseTimeout = responseTimeout;
    this.upstreamTls = upstreamTls;
    this.recordWebSocket = recordWebSocket;
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
      response.setHeader(
          "Connection", "close"); // draining: this connection takes no further request
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
  private boolean forward(
      ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context)
      throws HttpException, IOException {
    Refusal refusal = refusal(request);
    if (refusal != null) {
      counters.refused.increment();
      response.setCode(refusal.status());
      response.setEntity(new StringEntity(refusal.message() + "\n", ContentType.TEXT_PLAIN));
      return false;
    }
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    boolean recording =
        record.test(request) && (sample >= 1 || ThreadLocalRandom.current().nextDouble() < sample);
    if (!recording) {
      counters.filtered.increment();
    }
    String target = request.getPath();
    ClassicHttpRequest up =
        new BasicClassicHttpRequest(request.getMethod(), upstream, upstreamPath + target);
    String[] connectionListed = HeaderFilter.connectionListed(request);
    Header[] requestHeaders = request.getHeaders(); // a copy: forwarded, then captured
    for (Header h : requestHeaders) {
      String name = h.getName();
      if (!HeaderFilter.hopByHop(name)
          && !HeaderFilter.requestOnly(name)
          && !HeaderFilter.listed(connectionListed, name)) {
        up.addHeader(h); // as parsed (immutable): no value copied on the live path
      }
    }
    if (forwarded) {
      addForwarded(request, up, context, proto);
    }
    ServerConnection connection = ServerConnection.current();
    if (connection != null && WebSocketTunnel.isHandshake(request)) {
      tunnel(request, up, connection, response, recording, startedAt, t0);
      return false;
    }
    TeeEntity.Capture requestBody = new TeeEntity.Capture(maxBody, budget);
    String method = request.getMethod();
    String version = version(request);
    HttpEntity in = request.getEntity();
    if (in != null) {
      up.setEntity(recording ? new TeeEntity(in, requestBody, () -> {}) : in);
    }
    ClassicHttpResponse upResponse;
    try {
      upResponse = execute(up, in == null && Sender.idempotent(method));
    } catch (IOException | HttpException e) {
      badGateway(
          response,
          e,
          recording,
          startedAt,
          t0,
          () -> httpRequest(method, target, version, requestHeaders, requestBody, in),
          Map.of(),
          requestBody::release,
          held(target, requestHeaders, null, requestBody, null));
      return false;
    }
    response.setCode(upResponse.getCode());
    response.setReasonPhrase(upResponse.getReasonPhrase());
    String[] upListed = HeaderFilter.connectionListed(upResponse);
    // a response without a body (HEAD, 304) keeps the upstream's Content-Length: it describes the
    // resource
    boolean bodiless = method.equalsIgnoreCase("HEAD") || upResponse.getCode() == 304;
    Header[] responseHeaders = upResponse.getHeaders(); // a copy: passed back, then captured
    for (Header h : responseHeaders) {
      String name = h.getName();
      boolean keep = bodiless && name.equalsIgnoreCase("Content-Length");
      if (keep || !HeaderFilter.hopByHop(name) && !HeaderFilter.listed(upListed, name)) {
        response.addHeader(h);
      }
    }
    int status = upResponse.getCode();
    String reason = upResponse.getReasonPhrase() == null ? "" : upResponse.getReasonPhrase();
    HttpEntity out = upResponse.getEntity();
    if (out == null) {
      upResponse.close();
      if (recording) {
        String id = nextId();
        long micros = (System.nanoTime() - t0) / 1000;
        capture.accept(
            new CaptureWriter.Pending(
                new CaptureParts(
                    id,
                    startedAt,
                    micros,
                    method,
                    target,
                    version,
                    requestHeaders,
                    in == null ? null : RawBody.of(requestBody, in.getContentLength()),
                    status,
                    reason,
                    responseHeaders,
                    null,
                    null),
                requestBody::release,
                held(target, requestHeaders, responseHeaders, requestBody, null)));
      }
      return false;
    }
    if (!recording) {
      response.setEntity(new ClosingEntity(out, upResponse, counters));
      return true;
    }
    TeeEntity.Capture responseBody = new TeeEntity.Capture(maxBody, budget);
    long responseLength = out.getContentLength();
    response.setEntity(
        new TeeEntity(
            out,
            responseBody,
            () -> {
              Truncation cut = truncation(responseBody, responseLength);
              try {
                if (cut == Truncation.CLIENT_ABORT) {
                  counters.clientAborts.increment();
                } else if (cut == Truncation.UPSTREAM_CLOSE) {
                  counters.upstreamCloses.increment();
                }
                upResponse.close();
              } catch (IOException e) {
                // the connection is discarded
              }
              try {
                // only a cheap hand-over here: the exchange is built, redacted and written on the
                // writer thread
                String id = nextId();
                long micros = (System.nanoTime() - t0) / 1000;
                if (requestBody.cutByBudget || responseBody.cutByBudget) {
                  counters.bodiesCut.increment();
                }
                capture.accept(
                    new CaptureWriter.Pending(
                        new CaptureParts(
                            id,
                            startedAt,
                            micros,
                            method,
                            target,
                            version,
                            requestHeaders,
                            in == null ? null : RawBody.of(requestBody, in.getContentLength()),
                            status,
                            reason,
                            responseHeaders,
                            RawBody.of(responseBody, responseLength),
                            cut),
                        () -> {
                          requestBody.release();
                          responseBody.release();
                        },
                        held(target, requestHeaders, responseHeaders, requestBody, responseBody)));
              } finally {
                counters.inFlight.decrementAndGet();
              }
            }));
    return true;
  }

  /**
   * The upstream did not answer: the client gets a 502 saying why, and the exchange is recorded
   * with the error (its request built off the live path by {@code request}).
   */
  private void badGateway(
      ClassicHttpResponse response,
      Exception e,
      boolean recording,
      Instant startedAt,
      long t0,
      Supplier<HttpRequest> request,
      Map<String, String> tags,
      Runnable release,
      long held) {
    counters.upstreamErrors.increment();
    String why = category(e);
    response.setCode(502);
    response.setEntity(
        new StringEntity(
            "Bad Gateway: the upstream did not answer (" + why + ")\n", ContentType.TEXT_PLAIN));
    if (!recording) {
      return;
    }
    String id = nextId();
    long micros = (System.nanoTime() - t0) / 1000;
    capture.accept(
        new CaptureWriter.Pending(
            () -> new Exchange(id, startedAt, micros, request.get(), null, why, tags),
            release,
            held));
  }

  /** The request's protocol as recorded: {@code HTTP/1.1}, {@code HTTP/1.0}, {@code HTTP/2}. */
  private static String version(ClassicHttpRequest request) {
    ProtocolVersion v = request.getVersion();
    if (v == null) {
      return "HTTP/1.1";
    }
    return v.getMajor() >= 2 ? "HTTP/" + v.getMajor() : v.toString();
  }

  /** Thrown once a tunnel has ended: the client's connection is closed, no response follows. */
  static final class TunnelEnded extends IOException {
    TunnelEnded() {
      super("the WebSocket tunnel ended", null);
    }
  }

  /**
   * A WebSocket handshake: sent to the upstream on a connection of its own; after a 101 the two
   * connections are a tunnel until either side closes, then the exchange is recorded (the
   * handshake, the message counts, and with {@code --record-websocket} the messages). Any other
   * answer is passed back as it is. A failure before the upstream answered is a 502, as for any
   * request.
   */
  private void tunnel(
      ClassicHttpRequest request,
      ClassicHttpRequest up,
      ServerConnection connection,
      ClassicHttpResponse response,
      boolean recording,
      Instant startedAt,
      long t0)
      throws IOException {
    List<Header> headers = new ArrayList<>(List.of(up.getHeaders()));
    if (up.getFirstHeader("Host") == null) {
      headers.add(0, new BasicHeader("Host", upstream.toHostString()));
    }
    headers.add(new BasicHeader("Connection", "Upgrade"));
    headers.add(new BasicHeader("Upgrade", request.getFirstHeader("Upgrade").getValue()));
    Socket upSocket;
    WebSocketTunnel.Answer answer;
    try {
      upSocket =
          WebSocketTunnel.connect(
              upstream,
              upstreamTls,
              (int) connectTimeout.toMilliseconds(),
              (int) responseTimeout.toMilliseconds());
      try {
        WebSocketTunnel.sendHead(
            upSocket.getOutputStream(), request.getMethod(), up.getPath(), headers);
        answer = WebSocketTunnel.readHead(upSocket.getInputStream());
      } catch (IOException e) {
        upSocket.close();
        throw e;
      }
    } catch (IOException e) {
      Header[] requestHeaders = request.getHeaders();
      String target = request.getPath();
      String version = version(request);
      badGateway(
          response,
          e,
          recording,
          startedAt,
          t0,
          () -> httpRequest(request.getMethod(), target, version, requestHeaders, null, null),
          Map.of(Exchange.TAG_WEBSOCKET, "v1"),
          () -> {},
          held(target, requestHeaders, null, new TeeEntity.Capture(0, budget), null));
      return;
    }
    long handshakeMicros = (System.nanoTime() - t0) / 1000;
    Socket client = connection.socket();
    Socket upstreamSocket = upSocket;
    boolean upgraded = answer.status() == 101;
    WebSocketTranscript transcript =
        new WebSocketTranscript(recordWebSocket && recording && upgraded, maxBody, budget);
    ByteArrayOutputStream refusedBody = new ByteArrayOutputStream();
    if (upgraded) {
      counters.tunnels.incrementAndGet(); // the stop waits for it to be recorded
      counters.inFlight.decrementAndGet(); // an open tunnel does not hold up a stop
    }
    try {
      try {
        OutputStream toClient = client.getOutputStream();
        if (upgraded) {
          toClient.write(answer.head());
          toClient.flush();
          relay(client, upstreamSocket, toClient, transcript);
        } else {
          // passed back as it is, but the connection ends after it: say so
          toClient.write(WebSocketTunnel.closingHead(answer));
          toClient.flush();
          WebSocketTunnel.passBody(
              upstreamSocket.getInputStream(), toClient, answer, maxBody, refusedBody);
        }
      } catch (IOException e) {
        // a side went away mid-way: what was seen is recorded
      } finally {
        upstreamSocket.close();
        client.close();
      }
      if (recording) {
        recordTunnel(request, answer, transcript, refusedBody, startedAt, handshakeMicros);
      }
    } finally {
      if (upgraded) {
        counters.inFlight.incrementAndGet(); // handle() counts it down
        counters.tunnels.decrementAndGet();
      }
    }
    throw new TunnelEnded();
  }

  /**
   * Copies both ways until either side ends; then the other side has a bounded time to finish
   * (5 s after the client ended, 30 s after the upstream did) before both connections go.
   */
  private static void relay(
      Socket client, Socket upstreamSocket, OutputStream toClient, WebSocketTranscript transcript)
      throws IOException {
    client.setSoTimeout(0);
    client.setKeepAlive(true);
    upstreamSocket.setSoTimeout(0);
    InputStream fromUpstream = upstreamSocket.getInputStream();
    CountDownLatch clientDone = new CountDownLatch(1);
    Thread back =
        new Thread(
            () -> {
              WebSocketTunnel.pump(fromUpstream, toClient, client, transcript::fromServer);
              try {
                if (!clientDone.await(30, TimeUnit.SECONDS)) {
                  client.close(); // a client that never ends its side does not pin the tunnel
                }
              } catch (InterruptedException | IOException e) {
                // ending anyway
              }
            },
            "shadow-websocket");
    back.setDaemon(true);
    back.start();
    WebSocketTunnel.pump(
        client.getInputStream(),
        upstreamSocket.getOutputStream(),
        upstreamSocket,
        transcript::fromClient);
    clientDone.countDown();
    try {
      back.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Records a WebSocket handshake once its connection ended (or the refusal that answered it). */
  private void recordTunnel(
      ClassicHttpRequest request,
      WebSocketTunnel.Answer answer,
      WebSocketTranscript transcript,
      ByteArrayOutputStream refusedBody,
      Instant startedAt,
      long handshakeMicros) {
    boolean upgraded = answer.status() == 101;
    String id = nextId();
    Header[] requestHeaders = request.getHeaders();
    String target = request.getPath();
    String version = version(request);
    Map<String, String> tags = new TreeMap<>();
    tags.put(Exchange.TAG_WEBSOCKET, "v1");
    byte[] body = upgraded ? transcript.bytes() : refusedBody.toByteArray();
    if (upgraded) {
      tags.put(Exchange.TAG_WEBSOCKET + ".clientMessages", "" + transcript.clientMessages());
      tags.put(Exchange.TAG_WEBSOCKET + ".serverMessages", "" + transcript.serverMessages());
      if (transcript.cut()) {
        tags.put(Exchange.TAG_WEBSOCKET + ".truncated", "true");
      }
    }
    List<Headers.Field> fields = new ArrayList<>();
    for (Header h : answer.headers()) {
      fields.add(new Headers.Field(h.getName(), h.getValue()));
    }
    capture.accept(
        new CaptureWriter.Pending(
            () ->
                new Exchange(
                    id,
                    startedAt,
                    handshakeMicros,
                    httpRequest(request.getMethod(), target, version, requestHeaders, null, null),
                    new HttpResponse(
                        answer.status(),
                        answer.reason(),
                        Headers.of(fields),
                        body.length == 0 ? Body.none() : Body.of(body, body.length)),
                    null,
                    tags),
            transcript::release,
            body.length + answer.head().length + 1024L));
  }

  /** A request that is answered by the proxy itself and never forwarded. */
  private record Refusal(int status, String message) {}

  /**
   * Why a request is refused, or null: only origin-form requests (or absolute ones for the
   * upstream) pass, and below a base path only those that stay below it.
   */
  private Refusal refusal(ClassicHttpRequest request) {
    if (request.getMethod().equalsIgnoreCase("CONNECT")) {
      return new Refusal(
          405, "CONNECT is refused: this is a reverse proxy for " + upstream.toURI() + " only");
    }
    if (request.getScheme() != null
        && request.getAuthority() != null) { // absolute form: http://host:port/path
      String scheme = request.getScheme();
      int p = request.getAuthority().getPort();
      String authority =
          request.getAuthority().getHostName()
              + ":"
              + (p > 0 ? p : scheme.equalsIgnoreCase("https") ? 443 : 80);
      if (!ownAuthorities.contains(authority)) {
        return new Refusal(
            403, "Forbidden: " + authority + " is not proxied (only " + upstream.toURI() + ")");
      }
    } else if (!request.getPath().startsWith("/") && !request.getPath().equals("*")) {
      return new Refusal(403, "Forbidden: unsupported request target " + request.getPath());
    }
    ProtocolVersion v = request.getVersion();
    if (v != null && v.getMajor() == 1) {
      // RFC 9112 3.2: a server answers 400 to a request with more than one Host, or, in HTTP/1.1,
      // none (an upstream and Shadow could each take another one for the host asked for)
      int hosts = request.countHeaders("Host");
      if (hosts > 1) {
        return new Refusal(400, "Bad Request: more than one Host header");
      }
      if (hosts == 0 && v.getMinor() >= 1) {
        return new Refusal(400, "Bad Request: an HTTP/1.1 request without a Host header");
      }
    }
    if (!upstreamPath.isEmpty() && DotSegments.climbOut(request.getPath())) {
      return new Refusal(
          400, "Bad Request: the target climbs out of the upstream's base path " + upstreamPath);
    }
    return null;
  }

  private static void addForwarded(
      ClassicHttpRequest request, ClassicHttpRequest up, HttpContext context, String proto) {
    EndpointDetails details = HttpCoreContext.cast(context).getEndpointDetails();
    SocketAddress remote = details == null ? null : details.getRemoteAddress();
    SocketAddress local = details == null ? null : details.getLocalAddress();
    String client =
        remote instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
    // every X-Forwarded-For line the client sent, as one list, this hop last: a second line left
    // after ours would let the client name the address an upstream that trusts the last hop sees
    StringBuilder xff = new StringBuilder();
    for (Header h : request.getHeaders("X-Forwarded-For")) {
      xff.append(h.getValue()).append(", ");
    }
    up.removeHeaders("X-Forwarded-For");
    up.setHeader("X-Forwarded-For", xff.append(client).toString());
    Header host = request.getFirstHeader("Host");
    up.removeHeaders("X-Forwarded-Host");
    if (host != null) {
      up.setHeader("X-Forwarded-Host", host.getValue());
    }
    up.removeHeaders("X-Forwarded-Proto");
    up.setHeader("X-Forwarded-Proto", proto);
    up.addHeader("Via", request.getVersion() + " shadow-recorder");
    // the standard form (RFC 7239): one element per proxy, appended to those of earlier proxies
    StringBuilder element = new StringBuilder();
    element.append("for=").append(node(remote));
    if (local instanceof InetSocketAddress) {
      element.append(";by=").append(node(local));
    }
    if (host != null && !host.getValue().isBlank()) {
      element.append(";host=").append(forwardedValue(host.getValue().strip()));
    }
    element.append(";proto=").append(proto);
    Header[] earlier = request.getHeaders("Forwarded");
    StringBuilder forwarded = new StringBuilder();
    for (Header h : earlier) {
      forwarded.append(h.getValue()).append(", ");
    }
    up.removeHeaders("Forwarded");
    up.setHeader("Forwarded", forwarded.append(element).toString());
  }

  /** A node of {@code Forwarded} (RFC 7239 6): an IPv4 address, or a quoted bracketed IPv6 one. */
  static String node(SocketAddress address) {
    if (!(address instanceof InetSocketAddress a) || a.getAddress() == null) {
      return "unknown";
    }
    String ip = a.getAddress().getHostAddress();
    int zone = ip.indexOf('%');
    if (zone >= 0) {
      ip = ip.substring(0, zone); // a zone id names an interface of this host: not for upstreams
    }
    return ip.contains(":") ? "\"[" + ip + "]\"" : ip;
  }

  /** A {@code Forwarded} value: a token as it is, anything else quoted with escapes. */
  static String forwardedValue(String v) {
    if (!v.isEmpty() && v.chars().allMatch(ProxyHandler::tokenChar)) {
      return v;
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : v.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.append('"').toString();
  }

  private static boolean tokenChar(int c) {
    return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
  }

  /** Why a response body did not go through whole, or null when it did. */
  static Truncation truncation(TeeEntity.Capture response, long declaredLength) {
    if (response.complete(declaredLength)) {
      return null;
    }
    return response.end == TeeEntity.End.SOURCE_FAILED
        ? Truncation.UPSTREAM_CLOSE
        : Truncation.CLIENT_ABORT;
  }

  private static HttpRequest httpRequest(
      String method,
      String target,
      String version,
      Header[] requestHeaders,
      TeeEntity.Capture requestBody,
      HttpEntity in) {
    return CaptureParts.request(
        method,
        target,
        version,
        requestHeaders,
        in == null ? null : RawBody.of(requestBody, in.getContentLength()));
  }

  /** What a capture holds in memory until it is written, roughly: bodies kept, target, headers. */
  private static long held(
      String target,
      Header[] requestHeaders,
      Header[] responseHeaders,
      TeeEntity.Capture requestBody,
      TeeEntity.Capture responseBody) {
    long n = 256L + target.length();
    for (Header h : requestHeaders) {
      n += held(h);
    }
    if (responseHeaders != null) {
      for (Header h : responseHeaders) {
        n += held(h);
      }
    }
    n += requestBody.kept();
    if (responseBody != null) {
      n += responseBody.kept();
    }
    return n;
  }

  /** A header's share: a parsed one holds its line (read without copying its value). */
  private static long held(Header h) {
    return h instanceof FormattedHeader f
        ? 48L + 2L * f.getBuffer().length()
        : 48L + h.getName().length() + h.getValue().length();
  }

  /** {@code prefix-000000042}: at least nine digits (String.format cost 13% of a busy recorder). */
  private String nextId() {
    String n = Long.toString(sequence.incrementAndGet());
    StringBuilder id = new StringBuilder(idPrefix.length() + 1 + Math.max(9, n.length()));
    id.append(idPrefix).append('-');
    for (int i = n.length(); i < 9; i++) {
      id.append('0');
    }
    return id.append(n).toString();
  }

  /**
   * Sends {@code up} to the upstream. A kept-alive connection that the upstream closed while it
   * sat in the pool (an idle timeout: gunicorn's is 2 s, Node's 5 s, nginx's 75 s) fails the first
   * request sent on it, before any byte of an answer. Such a request is sent again, on another
   * connection, up to {@link #STALE_RETRIES} times, when that is safe: its method is idempotent and
   * it has no body (nothing of the client's was consumed). That is what nginx does with its cached
   * upstream connections. A request on a new connection is never sent again.
   */
  private ClassicHttpResponse execute(ClassicHttpRequest up, boolean again)
      throws IOException, HttpException {
    for (int retries = again ? STALE_RETRIES : 0; ; retries--) {
      // a context of its own, not the client connection's: the requester puts the upstream
      // exchange's protocol version, connection details and TLS session in it, which would
      // otherwise frame the answer to the client (chunked to an HTTP/1.0 client, kept alive)
      HttpCoreContext upstreamContext = HttpCoreContext.create();
      try {
        return requester.execute(upstream, up, connectTimeout, upstreamContext);
      } catch (IOException e) {
        // a request count over 1: a connection that had served a request before this one
        EndpointDetails used = upstreamContext.getEndpointDetails();
        if (retries == 0 || !closedUnder(e) || used == null || used.getRequestCount() < 2) {
          throw e;
        }
        counters.upstreamRetries.increment();
        // the framing headers the requester's processing added are added again, as they would be
        up.removeHeaders("Content-Length");
        up.removeHeaders("Transfer-Encoding");
      }
    }
  }

  /** Times a request may be sent again after a kept-alive upstream connection closed under it. */
  static final int STALE_RETRIES = 2;

  /** A connection closed or reset by its peer (not a refused connect, not a timeout). */
  private static boolean closedUnder(IOException e) {
    return e instanceof NoHttpResponseException
        || e instanceof ConnectionClosedException
        || e instanceof SocketException && !(e instanceof ConnectException)
        // over TLS a reset may come wrapped: "Connection reset" in an SSLException
        || e instanceof SSLException
            && !(e instanceof SSLHandshakeException)
            && e.getCause() instanceof SocketException
            && !(e.getCause() instanceof ConnectException);
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
    if (e instanceof SSLException) {
      return "tls: " + m; // the upstream's certificate is not trusted, or no common protocol
    }
    return "reset: " + m;
  }

  /** An upstream entity passed through untouched, releasing the upstream response when done. */
  static final class ClosingEntity extends HttpEntityWrapper {
    private final ClassicHttpResponse upstream;
    private final Counters counters;
    private final AtomicBoolean closed = new AtomicBoolean();

    ClosingEntity(HttpEntity entity, ClassicHttpResponse upstream, Counters counters) {
      super(entity);
      this.upstream = upstream;
      this.counters = counters;
    }

    /** Streams the body through, each part as soon as it comes (server-sent events, long polls). */
    @Override
    public void writeTo(OutputStream out) throws IOException {
      try (InputStream in = getContent()) {
        byte[] buf = TeeEntity.COPY_BUFFER.get();
        int n;
        while ((n = in.read(buf)) >= 0) {
          out.write(buf, 0, n);
          if (in.available() <= 0) {
            out.flush();
          }
        }
      }
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
