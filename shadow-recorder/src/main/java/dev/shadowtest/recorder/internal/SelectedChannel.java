package dev.shadowtest.recorder.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.hc.core5.http.impl.io.SocketHolder;

/**
 * A plain client connection read and written in non-blocking mode: when it must wait, it waits on
 * a selector of the serving thread's own, with the socket's read timeout.
 *
 * <p>Why: JDK 17 reads a blocking channel's socket with a timeout by making the channel
 * non-blocking and blocking again around each read, four {@code fcntl} calls and a read that finds
 * nothing, on top of the {@code poll} and the read that does. Under load that was 5% of the
 * recorder's CPU (docs/PERFORMANCE.md, "Client connections read without toggling"). Here the channel
 * stays non-blocking while it is served and parked alike, and a wait is one {@code epoll_wait}.
 *
 * <p>A read right after a write (the next request after an answer: usually not there yet) waits
 * first and then reads; any other read reads first. A write that finds the socket full waits for
 * room, at most the read timeout without progress (as nginx's {@code send_timeout}), else {@link
 * SocketTimeoutException}.
 *
 * <p>The thread's selector holds the channel only while this thread serves it: {@link #detach()}
 * before the connection is parked or closed, on the serving thread. {@link #wakeup()} from another
 * thread ends a wait when the channel has been closed. A tunnel (WebSocket) takes the socket over in
 * blocking mode ({@link #blocking()}). Public for {@code ClientReadsBenchmark} only.
 */
public final class SelectedChannel {

  private static final ThreadLocal<Selector> SELECTORS = new ThreadLocal<>();
  private static final Consumer<SelectionKey> IGNORE = k -> {};

  private final SocketChannel channel;
  private final Socket socket;
  private final InputStream in = new In();
  private final OutputStream out = new Out();
  private SelectionKey key; // with the serving thread's selector, while it serves
  private volatile Selector waiting; // while a read or write waits on it
  private boolean wrote; // the last call was a write: the next read waits first

  /** {@code channel} is made non-blocking here. */
  public SelectedChannel(SocketChannel channel) throws IOException {
    this.channel = channel;
    this.socket = channel.socket();
    channel.configureBlocking(false);
  }

  /** What HttpCore binds: the socket, read and written through this channel. */
  public SocketHolder holder() {
    return new SocketHolder(socket) {
      @Override
      protected InputStream getInputStream(Socket s) {
        return in;
      }

      @Override
      protected OutputStream getOutputStream(Socket s) {
        return out;
      }
    };
  }

  /** Ends the calling thread's selector, when it has one: call as a serving thread ends. */
  static void releaseThread() {
    Selector s = SELECTORS.get();
    if (s != null) {
      SELECTORS.remove();
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /**
   * Takes the channel off the calling thread's selector, at once (the descriptor of a closed channel
   * is released then). A no-op on any other thread than the one that last served it.
   */
  void detach() {
    SelectionKey k = key;
    Selector s = SELECTORS.get();
    if (k == null || s == null || k.selector() != s) {
      return;
    }
    key = null;
    k.cancel();
    try {
      s.selectNow(); // deregisters the cancelled key
    } catch (IOException | RuntimeException e) {
      releaseThread(); // a broken selector: the thread opens another one
    }
  }

  /** The channel in blocking mode from now on, for a tunnel's streams: call on the serving thread. */
  void blocking() throws IOException {
    detach();
    channel.configureBlocking(true);
  }

  /** Ends a wait on another thread (after the channel was closed there). */
  void wakeup() {
    Selector s = waiting;
    if (s != null) {
      s.wakeup();
    }
  }

  private void await(int ops) throws IOException {
    int timeout = socket.getSoTimeout(); // throws once closed
    long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
    Selector s = SELECTORS.get();
    if (s == null || !s.isOpen()) {
      s = Selector.open();
      SELECTORS.set(s);
    }
    SelectionKey k = key;
    if (k == null || k.selector() != s || !k.isValid()) {
      SelectionKey stale = channel.keyFor(s);
      if (stale != null && !stale.isValid()) {
        s.selectNow(); // cancelled here before, not yet deregistered
      }
      k = channel.register(s, ops);
      key = k;
    } else if (k.interestOps() != ops) {
      k.interestOps(ops);
    }
    waiting = s;
    try {
      while (true) {
        if (!channel.isOpen()) {
          throw new SocketException("Socket closed");
        }
        long wait = 0;
        if (deadline != 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new SocketTimeoutException(
                ops == SelectionKey.OP_READ ? "Read timed out" : "Write timed out");
          }
          wait = Math.max(1, left / 1_000_000);
        }
        if (s.select(IGNORE, wait) > 0) {
          return;
        }
        if (Thread.interrupted()) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for the client");
        }
      }
    } finally {
      waiting = null;
    }
  }

  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
      if (wrote) {
        wrote = false;
        await(SelectionKey.OP_READ);
      }
      while (true) {
        int n = channel.read(buffer);
        if (n != 0) {
          return n; // or -1: the end of the stream
        }
        await(SelectionKey.OP_READ);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
      while (buffer.hasRemaining()) {
        if (channel.write(buffer) == 0) {
          await(SelectionKey.OP_WRITE);
        }
      }
      wrote = true;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
