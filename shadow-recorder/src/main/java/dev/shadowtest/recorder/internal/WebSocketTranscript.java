package dev.shadowtest.recorder.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.shadowtest.core.ContentCoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The messages of one WebSocket connection (RFC 6455), read from the bytes the tunnel copies each
 * way: frames are parsed as they pass (never altered), client frames unmasked, fragmented messages
 * joined. With recording on, each message becomes one JSON line of the transcript (format in
 * docs/recording-format.md, "WebSocket"); the transcript is bounded in bytes, and what does not fit
 * is counted, not kept. Both directions feed one transcript: messages keep their order within a
 * direction, and their arrival order across the two.
 */
final class WebSocketTranscript {

  private static final JsonFactory JSON = new JsonFactory();

  private final boolean keep;
  private final long limit;
  private final long start = System.nanoTime();
  private final ByteArrayOutputStream lines = new ByteArrayOutputStream();
  private final Direction client = new Direction("client", true);
  private final Direction server = new Direction("server", false);
  private long clientMessages;
  private long serverMessages;
  private volatile boolean cut;

  /**
   * {@code keep}: record the messages (else only count them); {@code limit}: transcript bytes;
   * what the transcript holds is taken from {@code budget}, shared with every capture (when it is
   * spent, later messages are counted, not kept), and given back by {@link #release}.
   */
  WebSocketTranscript(boolean keep, long limit, CaptureBudget budget) {
    this.keep = keep;
    this.limit = limit;
    this.budget = budget;
  }

  private final CaptureBudget budget;
  private long reserved;

  /** Gives what the transcript held back to the budget (it was written or dropped). */
  synchronized void release() {
    budget.release(reserved);
    reserved = 0;
  }

  /** Bytes the client sent, in order. */
  void fromClient(byte[] b, int n) {
    client.feed(b, n);
  }

  /** Bytes the server sent, in order. */
  void fromServer(byte[] b, int n) {
    server.feed(b, n);
  }

  /** Data messages (text, binary) the client sent. */
  synchronized long clientMessages() {
    return clientMessages;
  }

  /** Data messages the server sent. */
  synchronized long serverMessages() {
    return serverMessages;
  }

  /** True when messages were left out: the transcript reached its limit. */
  synchronized boolean cut() {
    return cut;
  }

  /** The transcript: one JSON line per message. */
  synchronized byte[] bytes() {
    return lines.toByteArray();
  }

  private synchronized void message(
      String from, int opcode, byte[] payload, int length, boolean complete, boolean compressed) {
    if (opcode == 0x9 || opcode == 0xA) {
      return; // ping and pong: connection upkeep, not messages
    }
    if (opcode != 0x8) { // data messages are counted; a close is only in the transcript
      if (from.equals("client")) {
        clientMessages++;
      } else {
        serverMessages++;
      }
    }
    if (!keep || cut) {
      return;
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream(length + 96);
    try (JsonGenerator g = JSON.createGenerator(line)) {
      g.writeStartObject();
      g.writeStringField("from", from);
      g.writeNumberField("atMillis", (System.nanoTime() - start) / 1_000_000);
      String text = opcode == 0x1 && !compressed ? utf8(payload, length) : null;
      if (opcode == 0x8) {
        g.writeStringField("type", "close");
        if (length >= 2) {
          g.writeNumberField("code", ((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
          String reason = utf8(Arrays.copyOfRange(payload, 2, length), length - 2);
          if (reason != null && !reason.isEmpty()) {
            g.writeStringField("reason", reason);
          }
        }
      } else if (text != null) {
        g.writeStringField("type", "text");
        g.writeStringField("text", text);
      } else {
        g.writeStringField("type", opcode == 0x1 ? "text" : "binary");
        g.writeFieldName("base64");
        g.writeBinary(payload, 0, length);
      }
      if (compressed) {
        g.writeBooleanField("compressed", true); // permessage-deflate: the bytes as sent
      }
      if (!complete) {
        g.writeBooleanField("truncated", true);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: never
    }
    long need = line.size() + 1L;
    if (lines.size() + need > limit) {
      cut = true;
      return;
    }
    long granted = budget.reserve(need);
    reserved += granted;
    if (granted < need) {
      cut = true; // the recorder's memory for captures is spent: counted, not kept
      return;
    }
    lines.writeBytes(line.toByteArray());
    lines.write('\n');
    size = lines.size();
  }

  /** The transcript's size so far, read by the parsers without the lock (a bound, not a count). */
  private volatile long size;

  private static String utf8(byte[] b, int n) {
    return ContentCoding.strictUtf8(n == b.length ? b : Arrays.copyOf(b, n));
  }

  /** One direction's frame parser: a state machine fed with whatever bytes arrive. */
  private final class Direction {
    private final String name;
    private final boolean masked;
    private final byte[] header = new byte[14];
    private int headerHave;
    private int headerNeed = 2;
    private long payloadLeft = -1; // -1: reading a header
    private final byte[] mask = new byte[4];
    private boolean frameMasked;
    private long payloadPos;
    private int frameOpcode;
    private boolean frameFin;
    private boolean frameCompressed;
    // the message being joined (data frames), and a control frame (which may come in between)
    private byte[] message = new byte[256];
    private int messageLength;
    private boolean messageComplete = true;
    private int messageOpcode;
    private boolean messageCompressed;
    private byte[] control = new byte[125];
    private int controlLength;
    private boolean broken;

    Direction(String name, boolean masked) {
      this.name = name;
      this.masked = masked;
    }

    void feed(byte[] b, int n) {
      int i = 0;
      while (i < n && !broken) {
        if (payloadLeft < 0) {
          header[headerHave++] = b[i++];
          if (headerHave == 2) {
            int len = header[1] & 0x7f;
            frameMasked = (header[1] & 0x80) != 0;
            headerNeed = 2 + (len == 126 ? 2 : len == 127 ? 8 : 0) + (frameMasked ? 4 : 0);
          }
          if (headerHave == headerNeed && headerHave >= 2) {
            startFrame();
          }
          continue;
        }
        int take = (int) Math.min(payloadLeft, n - i);
        payload(b, i, take);
        i += take;
        payloadLeft -= take;
        if (payloadLeft == 0) {
          endFrame();
        }
      }
    }

    private void startFrame() {
      frameFin = (header[0] & 0x80) != 0;
      frameCompressed = (header[0] & 0x40) != 0;
      frameOpcode = header[0] & 0x0f;
      int len = header[1] & 0x7f;
      long length = len;
      int at = 2;
      if (len == 126) {
        length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        at = 4;
      } else if (len == 127) {
        length = 0;
        for (int k = 0; k < 8; k++) {
          length = (length << 8) | (header[2 + k] & 0xff);
        }
        at = 10;
      }
      if (frameMasked) {
        System.arraycopy(header, at, mask, 0, 4);
      }
      if (length < 0 || frameMasked != masked && name.equals("client")) {
        broken = true; // not WebSocket framing: the bytes still pass, nothing more is parsed
        return;
      }
      headerHave = 0;
      headerNeed = 2;
      payloadPos = 0;
      controlLength = 0;
      if (frameOpcode < 0x8 && frameOpcode != 0x0) { // the first frame of a data message
        messageOpcode = frameOpcode;
        messageCompressed = frameCompressed;
        messageLength = 0;
        messageComplete = true;
      }
      payloadLeft = length;
      if (length == 0) {
        endFrame();
      }
    }

    private void payload(byte[] b, int off, int n) {
      boolean isControl = frameOpcode >= 0x8;
      for (int k = 0; k < n; k++) {
        byte v = b[off + k];
        if (frameMasked) {
          v ^= mask[(int) (payloadPos & 3)];
        }
        payloadPos++;
        if (isControl) {
          if (controlLength < control.length) {
            control[controlLength++] = v;
          }
        } else if (keep && !cut && messageLength < limit - size) {
          if (messageLength == message.length) {
            message = Arrays.copyOf(message, (int) Math.min(limit, message.length * 2L));
          }
          message[messageLength++] = v;
        } else {
          messageComplete = false;
        }
      }
    }

    private void endFrame() {
      payloadLeft = -1;
      if (frameOpcode >= 0x8) {
        message(name, frameOpcode, control, controlLength, true, false);
      } else if (frameFin) {
        message(name, messageOpcode, message, messageLength, messageComplete, messageCompressed);
        if (message.length > 64 << 10) {
          message = new byte[256];
        }
        messageLength = 0;
      }
    }
  }
}
