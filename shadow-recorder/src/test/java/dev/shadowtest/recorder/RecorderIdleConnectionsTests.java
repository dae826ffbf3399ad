package dev.shadowtest.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.core.Exchange;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle keep-alive connections wait without a thread (parked on a selector) and are served again
 * when they speak; the full 10,000 are measured by benchmarks/recorder/idle-connections.sh.
 */
@Timeout(120)
class RecorderIdleConnectionsTests {

  static final int IDLE = 400;

  @TempDir Path dir;

  @Test
  void idleKeepAliveConnectionsWaitWithoutThreadsAndAreServedWhenTheySpeakAgain() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    List<Socket> idle = new ArrayList<>();
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up, out))) {
      try {
        for (int i = 0; i < IDLE; i++) {
          Socket s = connect(r.port());
          idle.add(s);
          assertThat(exchange(s, "/echo?first=" + i))
              .startsWith("HTTP/1.1 200")
              .contains("first=" + i);
        }
        awaitAtLeast(r::idleConnections, IDLE);
        assertThat(r.connections()).isEqualTo(IDLE);
        // a thread per connection would be 400 of them; parked, they have none
        assertThat(connectionThreads(r.port())).isLessThan(IDLE / 2);

        // an active client is served beside them, on a connection of its own
        try (Socket active = connect(r.port())) {
          for (int i = 0; i < 20; i++) {
            assertThat(exchange(active, "/echo?active=" + i)).contains("active=" + i);
          }
        }

        // every idle connection speaks again, on the same connection: it is taken up and served
        for (int i = 0; i < IDLE; i++) {
          assertThat(exchange(idle.get(i), "/echo?second=" + i))
              .startsWith("HTTP/1.1 200")
              .contains("second=" + i);
        }
        // a client that goes away while parked leaves nothing behind
        for (Socket s : idle) {
          s.close();
        }
        awaitAtMost(r::connections, 0);
        assertThat(r.idleConnections()).isZero();
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
      r.stop(Duration.ofSeconds(10));
      List<Exchange> recorded = RecorderTests.read(out);
      assertThat(recorded).hasSize(2 * IDLE + 20);
      // ids: the recorder's prefix and a sequence of at least nine digits, each id once
      assertThat(recorded).allSatisfy(e -> assertThat(e.id()).matches("[0-9a-f]+-[0-9]{9}"));
      assertThat(recorded.stream().map(Exchange::id).distinct()).hasSize(2 * IDLE + 20);
      assertThat(recorded.stream().map(e -> e.id().substring(e.id().indexOf('-'))))
          .contains("-000000001", "-000000820");
    }
  }

  /**
   * The acceptance: 10,000 idle keep-alive connections, from clients in another process,
   * held with bounded memory (measured: the heap they keep, the threads) while an active client is
   * served, and all of them answered again. Fewer when the file-descriptor limit is lower (each
   * connection takes a descriptor in this process and one in the clients').
   */
  @Test
  void tenThousandIdleConnectionsOfAnotherProcessAreHeldInBoundedMemory() throws Exception {
    int n = Math.min(10_000, openFilesLimit() - 2_000);
    Assumptions.assumeTrue(
        n >= 1_000, "the file-descriptor limit (ulimit -n) is too low for 1,000 connections");
    Path out = dir.resolve("rec.jsonl.gz");
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up, out))) {
      long heapBefore = liveHeap(memory);
      Process clients =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  IdleClients.class.getName(),
                  Integer.toString(n),
                  Integer.toString(r.port()))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      try (BufferedReader said =
              new BufferedReader(
                  new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
          Writer tell = new OutputStreamWriter(clients.getOutputStream(), StandardCharsets.UTF_8)) {
        assertThat(said.readLine()).isEqualTo("ready " + n);
        awaitAtLeast(r::idleConnections, n);
        long heldBytes = liveHeap(memory) - heapBefore;
        long threads = connectionThreads(r.port());
        System.out.printf(
            "%,d idle connections: %,d bytes of live heap (%,d each), %d connection threads%n",
            n, heldBytes, heldBytes / n, threads);
        // HttpCore's buffers alone are 16 KiB a connection; parked, about 1.5 KiB is measured
        assertThat(heldBytes).isLessThan(n * 4_096L);
        assertThat(threads).isLessThan(n / 10);
        try (Socket active = connect(r.port())) {
          for (int i = 0; i < 20; i++) {
            assertThat(exchange(active, "/echo?active=" + i)).contains("active=" + i);
          }
        }
        tell.write("again\n");
        tell.flush();
        assertThat(said.readLine()).isEqualTo("answered " + n);
      } finally {
        clients.destroy();
        clients.waitFor(10, TimeUnit.SECONDS);
      }
      r.stop(Duration.ofSeconds(10));
      assertThat(r.stats().recorded()).isEqualTo(2L * n + 20);
    }
  }

  /** The heap in use after a full collection. */
  private static long liveHeap(MemoryMXBean memory) {
    System.gc();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** This process's soft limit of open files, from /proc (Integer.MAX_VALUE when unknown). */
  private static int openFilesLimit() throws IOException {
    Path limits = Path.of("/proc/self/limits");
    if (!Files.exists(limits)) {
      return Integer.MAX_VALUE;
    }
    for (String line : Files.readAllLines(limits)) {
      if (line.startsWith("Max open files")) {
        String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
        return "unlimited".equals(soft) ? Integer.MAX_VALUE : Integer.parseInt(soft);
      }
    }
    return Integer.MAX_VALUE;
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderWithoutWaitingForAWakeUp() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up, out));
        Socket s = connect(r.port())) {
      StringBuilder three = new StringBuilder();
      for (int i = 0; i < 3; i++) {
        three.append("GET /echo?pipelined=").append(i).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
      }
      s.getOutputStream().write(three.toString().getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      for (int i = 0; i < 3; i++) {
        assertThat(response(s.getInputStream())).contains("pipelined=" + i);
      }
      r.stop(Duration.ofSeconds(5));
      assertThat(RecorderTests.read(out)).hasSize(3);
    }
  }

  @Test
  void aRequestOnAParkedConnectionDuringAGracefulStopIsAnsweredWithClose() throws Exception {
    Path out = dir.resolve("rec.jsonl.gz");
    try (Upstream up = new Upstream();
        Recorder r = Recorder.start(config(up, out));
        Socket s = connect(r.port())) {
      assertThat(exchange(s, "/echo?before")).startsWith("HTTP/1.1 200");
      awaitAtLeast(r::idleConnections, 1);
      CompletableFuture<RecorderStats> stopping =
          CompletableFuture.supplyAsync(() -> r.stop(Duration.ofSeconds(10)));
      // the listener stops accepting first; the parked connection still speaks
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (accepts(r.port()) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(stopping).isNotDone();
      String answer = exchange(s, "/echo?during-stop");
      assertThat(answer).startsWith("HTTP/1.1 200").contains("during-stop");
      assertThat(answer.toLowerCase(Locale.ROOT)).contains("connection: close");
      assertThat(stopping.get(20, TimeUnit.SECONDS).recorded()).isEqualTo(2);
      assertThat(RecorderTests.read(out)).hasSize(2);
    }
  }

  private static boolean accepts(int port) {
    try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return probe.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  static RecorderConfig config(Upstream up, Path out) {
    return RecorderConfig.of(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), up.uri(), out);
  }

  /** A client connection to the proxy, its reads bounded. */
  static Socket connect(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(20_000);
    return s;
  }

  /** Threads of the recorder listening on {@code port} that serve connections. */
  static long connectionThreads(int port) {
    String prefix = "shadow-connection-" + port + "-";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }

  static void awaitAtLeast(IntSupplier value, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (value.getAsInt() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(value.getAsInt()).isGreaterThanOrEqualTo(expected);
  }

  static void awaitAtMost(IntSupplier value, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (value.getAsInt() > expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(value.getAsInt()).isLessThanOrEqualTo(expected);
  }

  /** One GET on a kept-alive connection: the response's head and body. */
  static String exchange(Socket s, String target) throws IOException {
    s.getOutputStream()
        .write(
            ("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return response(s.getInputStream());
  }

  /** Reads one response framed by Content-Length. */
  static String response(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        break;
      }
    }
    String h = head.toString(StandardCharsets.ISO_8859_1);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return h + new String(body, StandardCharsets.UTF_8);
  }
}
