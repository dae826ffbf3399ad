package dev.shadowtest.benchmarks;

import dev.shadowtest.recorder.internal.SelectedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How the recorder's listener reads and writes a kept-alive client connection: one request of 80
 * bytes and an answer of 2 KB per operation over loopback, the benchmark's thread being the client
 * and a thread of its own the server. The server side is what differs:
 *
 * <ul>
 *   <li>{@code server=timed}: a blocking {@code SocketChannel}'s socket streams with a read timeout,
 *       as the listener read its connections before {@link SelectedChannel} (JDK 17 makes the
 *       channel non-blocking and blocking again around each timed read);
 *   <li>{@code server=selected}: {@link SelectedChannel}: non-blocking throughout, a wait is one
 *       {@code epoll_wait} on the server thread's own selector;
 *   <li>{@code server=untimed}: the blocking streams without a timeout (one {@code read} that
 *       blocks in the kernel): the floor, which the listener cannot use (an idle connection must
 *       time out, and a kept-alive one be parked after 50 ms).
 * </ul>
 *
 * <p>Besides JMH's time per round trip, each iteration prints the server thread's CPU time per
 * request ({@code ThreadMXBean}), which is what the recorder pays.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar ClientReadsBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClientReadsBenchmark {

  private static final byte[] REQUEST =
      ("GET /api/data.json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n"
              + "\r\n")
          .getBytes(StandardCharsets.US_ASCII);

  private static final byte[] ANSWER = new byte[2048];

  @Param({"timed", "selected", "untimed"})
  public String server;

  private ServerSocketChannel listening;
  private Socket client;
  private InputStream fromServer;
  private OutputStream toServer;
  private Thread serving;
  private volatile boolean stop;
  private final AtomicLong served = new AtomicLong();
  private final byte[] answer = new byte[ANSWER.length];
  private long cpuAtStart;
  private long servedAtStart;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    listening = ServerSocketChannel.open();
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    client = new Socket();
    client.setTcpNoDelay(true);
    client.connect(listening.getLocalAddress());
    SocketChannel accepted = listening.accept();
    accepted.socket().setTcpNoDelay(true);
    accepted.socket().setSoTimeout(server.equals("untimed") ? 0 : 300_000);
    InputStream in;
    OutputStream out;
    if (server.equals("selected")) {
      var holder = new SelectedChannel(accepted).holder();
      in = holder.getInputStream();
      out = holder.getOutputStream();
    } else {
      in = accepted.socket().getInputStream();
      out = accepted.socket().getOutputStream();
    }
    fromServer = client.getInputStream();
    toServer = client.getOutputStream();
    serving = new Thread(() -> serve(accepted, in, out), "server");
    serving.setDaemon(true);
    serving.start();
  }

  private void serve(SocketChannel channel, InputStream in, OutputStream out) {
    byte[] request = new byte[REQUEST.length];
    try {
      while (!stop) {
        int got = 0;
        while (got < request.length) {
          int n = in.read(request, got, request.length - got);
          if (n < 0) {
            return;
          }
          got += n;
        }
        out.write(ANSWER);
        served.incrementAndGet();
      }
    } catch (IOException e) {
      // the benchmark ended
    } finally {
      try {
        channel.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  @Setup(Level.Iteration)
  public void mark() {
    cpuAtStart = threads.getThreadCpuTime(serving.getId());
    servedAtStart = served.get();
  }

  @TearDown(Level.Iteration)
  public void report() {
    long cpu = threads.getThreadCpuTime(serving.getId()) - cpuAtStart;
    long n = served.get() - servedAtStart;
    System.out.printf(
        "%n  server=%s: server thread CPU %.2f µs per request (%d requests)%n",
        server, cpu / 1000.0 / Math.max(1, n), n);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    stop = true;
    client.close();
    listening.close();
    serving.join(5_000);
  }

  @Benchmark
  public int roundTrip() throws IOException {
    toServer.write(REQUEST);
    int got = 0;
    while (got < answer.length) {
      int n = fromServer.read(answer, got, answer.length - got);
      if (n < 0) {
        throw new IOException("the server closed");
      }
      got += n;
    }
    return answer[0];
  }
}
