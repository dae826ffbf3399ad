package dev.shadowtest.recorder.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.impl.io.HttpService;
import org.apache.hc.core5.http.protocol.HttpCoreContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The proxy's listening side: a connection has a thread only while it has something to say.
 *
 * <p>A connection's requests are served on a pooled thread with HttpCore's blocking I/O (the
 * fastest of the designs measured, docs/PERFORMANCE.md). After a response, the thread waits a
 * short while ({@link #LINGER}) for the next request; when none comes, the connection is
 * <em>parked</em>: its socket goes to one selector thread, its HTTP buffers are let go, and the
 * thread returns to the pool. When the parked socket becomes readable, a pooled thread takes it up
 * again. So idle keep-alive connections (10,000 of them, measured) cost a socket and about
 * 1.5 KiB of heap each, not a thread; new connections start parked and take a thread with their
 * first byte. A connection that stays parked past the idle timeout is closed, as a read timeout closed it
 * before; with TLS or HTTP/2 detection, one that never says its first bytes is closed after 30 s.
 * While stopping, a request that arrives is still answered (the handler says {@code close}).
 *
 * <p>Not parked: a connection with bytes already buffered (pipelined requests: served at once), a
 * WebSocket tunnel or an HTTP/2 bridge (they keep their thread until they end).
 */
public final class Listener {

  /** How long a thread waits for a kept-alive connection's next request before parking it. */
  static final Timeout LINGER = Timeout.ofMilliseconds(50);

  private final ServerSocketChannel server;
  private final int port;
  private final HttpService service;
  private final SSLContext tls;
  private final H2Bridge h2;
  private final Counters counters;
  private final int readTimeoutMillis;
  private final long idleNanos;
  private final boolean deferred; // TLS or HTTP/2 detection: the first bytes are awaited
  private final long firstBytesNanos =
      TimeUnit.MILLISECONDS.toNanos(ServerConnection.HANDSHAKE_MILLIS);
  private final ThreadPoolExecutor workers;
  private final Selector selector;
  private final Queue<Client> toPark = new ConcurrentLinkedQueue<>();
  private final Set<Client> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private final Thread poller;
  private volatile boolean stopping;
  private volatile boolean closed;

  /**
   * Listens on {@code address}; call {@link #start()} to accept. {@code readTimeoutMillis} bounds
   * every read of a request in progress and the time a connection may stay idle.
   */
  public Listener(
      InetSocketAddress address,
      HttpService service,
      SSLContext tls,
      H2Bridge h2,
      Counters counters,
      int readTimeoutMillis)
      throws IOException {
    this.service = service;
    this.tls = tls;
    this.h2 = h2;
    this.counters = counters;
    this.readTimeoutMillis = readTimeoutMillis;
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
    this.deferred = tls != null || h2 != null;
    this.server = ServerSocketChannel.open();
    try {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(address, 4096);
      this.selector = Selector.open();
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    AtomicInteger n = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            10, // a thread idle that long ends: a burst's threads do not outlive it by much
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t =
                  new Thread(
                      () -> {
                        try {
                          r.run();
                        } finally {
                          SelectedChannel.releaseThread();
                        }
                      },
                      "shadow-connection-" + port + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.acceptor = new Thread(this::accept, "shadow-listener-" + port);
    this.acceptor.setDaemon(true);
    this.poller = new Thread(this::poll, "shadow-idle-connections-" + port);
    this.poller.setDaemon(true);
  }

  public void start() {
    poller.start();
    acceptor.start();
  }

  /** The port it listens on (or listened on, once stopped). */
  public int port() {
    return port;
  }

  /**
   * No new connections; a connection's thread ends it after its current request, a parked
   * connection that says something is answered once more (the handler says {@code close}).
   */
  public void stopAccepting() {
    stopping = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Closes every connection, served or parked, and the threads. */
  public void close() {
    stopAccepting();
    closed = true;
    for (Client c : open) {
      c.close();
    }
    workers.shutdown();
    try {
      selector.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private void accept() {
    while (!stopping) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException | RuntimeException | Error e) {
        if (!stopping) {
          // out of file descriptors, or of memory: try again shortly rather than spin or end
          counters.listenerErrors.increment();
          pause();
        }
        continue;
      }
      SelectedChannel io;
      try {
        Socket s = ch.socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(readTimeoutMillis);
        io = deferred ? null : new SelectedChannel(ch);
      } catch (IOException e) {
        closeQuietly(ch);
        continue;
      }
      Client c = new Client(ch, io);
      open.add(c);
      counters.connections.incrementAndGet();
      if (closed) {
        c.close();
      } else {
        c.park(); // its first byte gives it a thread
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The selector thread: wakes parked connections that are readable, closes those idle too long. */
  private void poll() {
    long sweptAt = System.nanoTime();
    List<Client> ready = new ArrayList<>();
    while (!closed) {
      try {
        selector.select(1000);
        for (Client c; (c = toPark.poll()) != null; ) {
          try {
            c.channel.register(selector, SelectionKey.OP_READ, c);
          } catch (ClosedChannelException | RuntimeException e) {
            c.close();
          }
        }
        for (SelectionKey k : selector.selectedKeys()) {
          k.cancel();
          ready.add((Client) k.attachment());
        }
        selector.selectedKeys().clear();
        if (!ready.isEmpty()) {
          selector.selectNow(); // deregisters the cancelled keys: their channels may block again
          while (!ready.isEmpty()) {
            ready.remove(ready.size() - 1).resume(); // out of the list first: resumed once
          }
        }
        long now = System.nanoTime();
        if (now - sweptAt > 1_000_000_000L) {
          sweptAt = now;
          for (SelectionKey k : selector.keys()) {
            Client c = (Client) k.attachment();
            long limit = c.kept == null && deferred ? firstBytesNanos : idleNanos;
            if (k.isValid() && now - c.parkedAt > limit) {
              k.cancel();
              c.close();
            }
          }
        }
      } catch (IOException | RuntimeException | Error e) {
        // a selector failure, or no thread to be had (an OutOfMemoryError): the thread goes on,
        // else every parked connection, and every new one, would sleep forever
        if (closed) {
          return;
        }
        counters.listenerErrors.increment();
        pause();
      }
    }
  }

  /**
   * One client connection: its socket, and its HTTP state while a thread serves it. A plain HTTP/1
   * connection stays non-blocking throughout ({@code io}); one with TLS or HTTP/2 detection is
   * blocking while served and non-blocking while parked.
   */
  private final class Client implements Runnable {
    final SocketChannel channel;
    private final SelectedChannel io; // null: TLS or HTTP/2 detection
    private volatile ServerConnection http; // while served; null while parked
    private ServerConnection.Resumable kept; // what survives parking (a TLS session, say)
    volatile long parkedAt;
    private final AtomicBoolean isParked = new AtomicBoolean();

    Client(SocketChannel channel, SelectedChannel io) {
      this.channel = channel;
      this.io = io;
    }

    /** Gives the socket to the selector thread; this thread goes back to the pool. */
    void park() {
      try {
        if (io != null) {
          io.detach(); // off this thread's selector
        } else {
          channel.configureBlocking(false);
        }
      } catch (IOException | RuntimeException e) {
        close();
        return;
      }
      parkedAt = System.nanoTime();
      if (isParked.compareAndSet(false, true)) {
        counters.idleConnections.incrementAndGet();
      }
      toPark.add(this);
      selector.wakeup();
      if (closed) {
        close();
      }
    }

    /** On the selector thread: the parked socket is readable; a pooled thread takes it up. */
    void resume() {
      unpark();
      try {
        if (io == null) {
          channel.configureBlocking(true);
        }
        workers.execute(this);
      } catch (IOException | RuntimeException | Error e) {
        // closed meanwhile, or no thread to be had (OutOfMemoryError: unable to create a native
        // thread): this connection ends, the others go on
        if (!(e instanceof IOException) && !closed) {
          counters.listenerErrors.increment();
        }
        close();
      }
    }

    private void unpark() {
      if (isParked.compareAndSet(true, false)) {
        counters.idleConnections.decrementAndGet();
      }
    }

    @Override
    public void run() {
      boolean parking = false;
      try {
        http =
            kept == null
                ? ServerConnection.accepted(channel.socket(), io, tls, h2, counters)
                : kept.resume();
        // also while stopping: the request that woke this thread is answered (the handler says
        // Connection: close then, so the connection ends after it)
        while (http.isOpen()) {
          service.handleRequest(http, HttpCoreContext.create());
          if (!http.isOpen()) {
            break;
          }
          if (!http.isDataAvailable(LINGER)) {
            kept = http.parkable();
            if (kept != null) {
              parking = true;
              http = null; // its buffers go: a parked connection keeps only its socket
              park();
              return;
            }
          }
        }
      } catch (IOException | HttpException e) {
        // the client went away, timed out or broke the protocol: the connection ends
      } catch (RuntimeException e) {
        counters.listenerErrors.increment(); // a bug: counted, the connection ends
      } finally {
        if (!parking) {
          close();
        }
      }
    }

    void close() {
      unpark();
      if (open.remove(this)) {
        counters.connections.decrementAndGet();
      }
      ServerConnection h = http;
      if (h != null) {
        h.close(CloseMode.IMMEDIATE);
      }
      closeQuietly(channel);
      if (io != null) {
        io.wakeup(); // a read or write waiting on another thread sees the channel closed
        io.detach(); // on the serving thread: the descriptor is released now
      }
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
