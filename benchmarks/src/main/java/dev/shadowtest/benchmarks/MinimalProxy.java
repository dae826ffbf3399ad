package dev.shadowtest.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.HttpMessage;
import org.apache.hc.core5.http.impl.bootstrap.HttpRequester;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.RequesterBootstrap;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.http.protocol.DefaultHttpProcessor;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.http.protocol.RequestConnControl;
import org.apache.hc.core5.http.protocol.RequestContent;
import org.apache.hc.core5.http.protocol.RequestTargetHost;
import org.apache.hc.core5.http.protocol.ResponseConnControl;
import org.apache.hc.core5.http.protocol.ResponseContent;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * The ceiling of HttpCore 5 <em>classic</em> as a reverse proxy, for {@code
 * benchmarks/recorder/record-vs-nginx.sh}: what {@code shadow record} would cost if it captured
 * nothing. One thread per client connection (HttpCore's {@link ServerBootstrap}), a keep-alive
 * pool of upstream connections ({@link RequesterBootstrap}, {@code TCP_NODELAY} on both sides);
 * each request is forwarded with its method, target and headers (hop-by-hop ones dropped, the
 * framing redone), and both bodies are streamed, never buffered. Nothing else: no capture, no
 * refusal of foreign targets, no {@code Forwarded} headers, and {@code HEAD} responses lose their
 * {@code Content-Length}; it is a measuring stick, not a proxy to deploy.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.shadowtest.benchmarks.MinimalProxy \
 *     --listen 127.0.0.1:8081 --upstream http://127.0.0.1:8080
 * </pre>
 *
 * <p>Prints {@code listening on HOST:PORT} once it accepts connections; stops on SIGTERM.
 */
public final class MinimalProxy {

  /** Describe one connection or the framing (RFC 9110 7.6.1): never forwarded. */
  static final Set<String> HOP_BY_HOP =
      caseInsensitive(
          "Connection",
          "Keep-Alive",
          "Proxy-Connection",
          "Proxy-Authenticate",
          "Proxy-Authorization",
          "TE",
          "Trailer",
          "Transfer-Encoding",
          "Upgrade",
          "Content-Length");

  private MinimalProxy() {}

  /**
   * Starts the proxy and waits until the process is stopped.
   *
   * @param args {@code --listen HOST:PORT --upstream URL}
   * @throws Exception when the arguments are wrong or the port cannot be bound
   */
  public static void main(String[] args) throws Exception {
    String listen = null;
    String upstream = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (args[i].equals("--listen")) {
        listen = args[i + 1];
      } else if (args[i].equals("--upstream")) {
        upstream = args[i + 1];
      } else {
        usage("unknown option " + args[i]);
      }
    }
    if (listen == null || upstream == null || args.length % 2 != 0) {
      usage("both --listen and --upstream are required");
    }
    int colon = listen.lastIndexOf(':');
    if (colon < 0) {
      usage("--listen takes HOST:PORT");
    }
    InetAddress host = InetAddress.getByName(listen.substring(0, colon));
    int port = Integer.parseInt(listen.substring(colon + 1));

    HttpRequester requester =
        RequesterBootstrap.bootstrap()
            // framing and connection control only: the client's headers go through as they are
            .setHttpProcessor(
                new DefaultHttpProcessor(
                    new RequestContent(), new RequestTargetHost(), new RequestConnControl()))
            .setSocketConfig(
                SocketConfig.custom()
                    .setTcpNoDelay(true)
                    .setSoTimeout(Timeout.ofSeconds(60))
                    .build())
            .setMaxTotal(1000)
            .setDefaultMaxPerRoute(1000)
            .create();
    Forward forward = new Forward(requester, URI.create(upstream));
    HttpServer server =
        ServerBootstrap.bootstrap()
            .setLocalAddress(host)
            .setListenerPort(port)
            .setSocketConfig(
                SocketConfig.custom()
                    .setTcpNoDelay(true)
                    .setSoTimeout(Timeout.ofMinutes(5))
                    .build())
            // framing and connection control only: the upstream's Date and Server pass through
            .setHttpProcessor(
                new DefaultHttpProcessor(new ResponseContent(), new ResponseConnControl()))
            .setRequestRouter((request, context) -> forward)
            .create();
    server.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close(CloseMode.IMMEDIATE);
                  requester.close(CloseMode.IMMEDIATE);
                }));
    System.out.println("listening on " + host.getHostAddress() + ":" + server.getLocalPort());
    System.out.flush();
    server.awaitTermination(TimeValue.of(Long.MAX_VALUE, TimeUnit.DAYS));
  }

  private static void usage(String why) {
    System.err.println(
        "MinimalProxy: "
            + why
            + "\nusage: java -cp benchmarks.jar dev.shadowtest.benchmarks.MinimalProxy"
            + " --listen HOST:PORT --upstream http://HOST:PORT[/base]");
    System.exit(2);
  }

  static Set<String> caseInsensitive(String... names) {
    Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(Set.of(names));
    return set;
  }

  /** The header names a message's {@code Connection} header lists: hop-by-hop as well. */
  static Set<String> connectionListed(HttpMessage message) {
    Set<String> listed = caseInsensitive();
    for (Header h : message.getHeaders("Connection")) {
      for (String token : h.getValue().split(",")) {
        listed.add(token.strip());
      }
    }
    return listed;
  }

  /** The request handler: one upstream exchange per client request, on the client's thread. */
  private static final class Forward implements HttpRequestHandler {
    private final HttpRequester requester;
    private final HttpHost upstream;
    private final String basePath;
    private final Timeout connectTimeout = Timeout.ofSeconds(5);

    Forward(HttpRequester requester, URI upstream) {
      this.requester = requester;
      int port =
          upstream.getPort() > 0
              ? upstream.getPort()
              : "https".equals(upstream.getScheme()) ? 443 : 80;
      this.upstream = new HttpHost(upstream.getScheme(), upstream.getHost(), port);
      String path = upstream.getRawPath() == null ? "" : upstream.getRawPath();
      this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    @Override
    public void handle(
        ClassicHttpRequest request, ClassicHttpResponse response, HttpContext context)
        throws HttpException, IOException {
      ClassicHttpRequest up =
          new BasicClassicHttpRequest(request.getMethod(), upstream, basePath + request.getPath());
      Set<String> listed = connectionListed(request);
      for (Header h : request.getHeaders()) {
        if (!HOP_BY_HOP.contains(h.getName()) && !listed.contains(h.getName())) {
          up.addHeader(h);
        }
      }
      // the client's body, if any, is read from its connection as the requester writes it
      up.setEntity(request.getEntity());
      ClassicHttpResponse upResponse;
      try {
        upResponse = requester.execute(upstream, up, connectTimeout, HttpCoreContext.create());
      } catch (IOException e) {
        response.setCode(502);
        response.setEntity(new StringEntity("Bad Gateway: " + e + "\n", ContentType.TEXT_PLAIN));
        return;
      }
      response.setCode(upResponse.getCode());
      response.setReasonPhrase(upResponse.getReasonPhrase());
      Set<String> upListed = connectionListed(upResponse);
      for (Header h : upResponse.getHeaders()) {
        if (!HOP_BY_HOP.contains(h.getName()) && !upListed.contains(h.getName())) {
          response.addHeader(h);
        }
      }
      HttpEntity body = upResponse.getEntity();
      if (body == null) {
        upResponse.close();
      } else {
        response.setEntity(new Relayed(body, upResponse));
      }
    }
  }

  /**
   * The upstream's response body, copied to the client as it arrives; closing it (the server
   * closes every response it has sent) hands the upstream connection back to the pool.
   */
  private static final class Relayed extends HttpEntityWrapper {
    private final ClassicHttpResponse upResponse;

    Relayed(HttpEntity body, ClassicHttpResponse upResponse) {
      super(body);
      this.upResponse = upResponse;
    }

    @Override
    public void close() throws IOException {
      upResponse.close();
    }
  }
}
