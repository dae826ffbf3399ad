package dev.shadowtest.core.internal;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses one raw HTTP/1.x message held in memory (as GoReplay stores them): start line, header
 * fields in order, and the body framed by {@code Transfer-Encoding: chunked}, {@code Content-Length}
 * or the end of the data. Chunked bodies are stored de-chunked (the headers stay as sent); a body
 * shorter than its declared length is kept and flagged truncated.
 */
public final class Http1Parser {

  /** A malformed message; the message says what and where (byte offset). */
  public static final class ParseException extends Exception {
    public ParseException(String message) {
      super(message, null, false, false);
    }
  }

  private final byte[] data;
  private int pos;
  private Headers trailers = Headers.empty();

  private Http1Parser(byte[] data, int offset) {
    this.data = data;
    this.pos = offset;
  }

  /** Parses a request from {@code data[offset..]}. */
  public static HttpRequest parseRequest(byte[] data, int offset) throws ParseException {
    return parseRequest(data, offset, new int[1]);
  }

  /**
   * Parses a request from {@code data[offset..]}; {@code after[0]} gets the bytes that follow
   * the message (a pipelined request, stray bytes). A request with neither {@code
   * Transfer-Encoding} nor {@code Content-Length} has no body (RFC 9112, 6.3): what follows its
   * head is not its body.
   */
  public static HttpRequest parseRequest(byte[] data, int offset, int[] after)
      throws ParseException {
    Http1Parser p = new Http1Parser(data, offset);
    String line = p.line("request line");
    String[] parts = line.split(" ", -1);
    if (parts.length != 3
        || parts[0].isEmpty()
        || parts[1].isEmpty()
        || !parts[2].startsWith("HTTP/")) {
      throw new ParseException(
          "bad request line \"" + withoutQuery(line) + "\" (expected METHOD TARGET HTTP/1.x)");
    }
    Headers headers = p.headers();
    Body body = p.body(headers, true);
    after[0] = Math.max(0, data.length - p.pos);
    return new HttpRequest(parts[0], parts[1], parts[2], p.withTrailers(headers), body);
  }

  /**
   * Parses a response from {@code data[offset..]}. Interim 1xx responses before the final one are
   * skipped. {@code requestMethod} tells whether a body can follow ({@code HEAD} never has one).
   */
  public static HttpResponse parseResponse(byte[] data, int offset, String requestMethod)
      throws ParseException {
    Http1Parser p = new Http1Parser(data, offset);
    while (true) {
      String line = p.line("status line");
      int sp = line.indexOf(' ');
      if (!line.startsWith("HTTP/")
          || sp < 0
          || line.length() < sp + 4
          || line.length() > sp + 4 && line.charAt(sp + 4) != ' ') {
        throw new ParseException(
            "bad status line \"" + abbreviate(line) + "\" (expected HTTP/1.x NNN Reason)");
      }
      int status;
      try {
        status = Integer.parseInt(line.substring(sp + 1, sp + 4));
      } catch (NumberFormatException e) {
        throw new ParseException("bad status code in \"" + abbreviate(line) + "\"");
      }
      if (status < 100) {
        throw new ParseException("bad status code " + status);
      }
      String reason = line.length() > sp + 5 ? line.substring(sp + 5) : "";
      Headers headers = p.headers();
      if (status >= 100 && status < 200 && status != 101 && p.pos < data.length) {
        continue; // interim response (100 Continue, 103 Early Hints): the final one follows
      }
      boolean bodyAllowed =
          !"HEAD".equalsIgnoreCase(requestMethod)
              && status != 204
              && status != 304
              && (status >= 200 || status == 101);
      Body body = bodyAllowed ? p.body(headers, false) : Body.none();
      return new HttpResponse(status, reason, p.withTrailers(headers), body);
    }
  }

  private String line(String what) throws ParseException {
    int start = pos;
    while (pos < data.length && data[pos] != '\n') {
      pos++;
    }
    if (pos >= data.length && start == pos) {
      throw new ParseException("missing " + what + " (no data)");
    }
    int end = pos;
    if (pos < data.length) {
      pos++; // past '\n'
    }
    if (end > start && data[end - 1] == '\r') {
      end--;
    }
    // a bare CR inside a line is whitespace (RFC 9112, 2.2): a recorded field never holds one
    return new String(data, start, end - start, StandardCharsets.ISO_8859_1).replace('\r', ' ');
  }

  private Headers headers() throws ParseException {
    List<Headers.Field> fields = new ArrayList<>();
    while (true) {
      if (pos >= data.length) {
        return Headers.of(fields); // headers cut off without the empty line: keep what we have
      }
      String line = line("header");
      if (line.isEmpty()) {
        return Headers.of(fields);
      }
      if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && !fields.isEmpty()) {
        // obsolete line folding: joins the previous value
        Headers.Field last = fields.remove(fields.size() - 1);
        fields.add(new Headers.Field(last.name(), last.value() + " " + line.strip()));
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        // never print the line: it may be a credential ("Authorization Bearer ...")
        throw new ParseException(
            "bad header line of "
                + line.length()
                + " characters without ':' (expected Name: value)");
      }
      fields.add(new Headers.Field(line.substring(0, colon), line.substring(colon + 1).strip()));
    }
  }

  private Body body(Headers headers, boolean request) throws ParseException {
    int available = data.length - pos;
    if (headers.all("Transfer-Encoding").stream()
        .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
      return chunked();
    }
    var length = headers.first("Content-Length");
    if (length.isPresent()) {
      long declared;
      try {
        declared = Long.parseLong(length.get().strip());
      } catch (NumberFormatException e) {
        throw new ParseException("bad Content-Length \"" + abbreviate(length.get()) + "\"");
      }
      if (declared < 0) {
        throw new ParseException("negative Content-Length " + declared);
      }
      int n = (int) Math.min(declared, available);
      Body b = Body.of(slice(pos, n), declared);
      pos += n;
      return b;
    }
    if (request) {
      return Body.none(); // no framing: no body
    }
    if (available == 0) {
      return Body.of(new byte[0]);
    }
    pos += available;
    return Body.of(slice(pos - available, available)); // read until close
  }

  private Body chunked() throws ParseException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      if (pos >= data.length) {
        return Body.of(out.toByteArray(), out.size() + 1L); // cut before the last chunk
      }
      String sizeLine = line("chunk size");
      int semi = sizeLine.indexOf(';');
      String hex = (semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip();
      if (hex.isEmpty()
          || hex.length() > 15
          || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        throw new ParseException(
            "bad chunk size \"" + abbreviate(sizeLine) + "\" (expected hex digits)");
      }
      long size = Long.parseLong(hex, 16);
      if (size == 0) {
        trailers = headers(); // kept after the header fields, in order
        return Body.of(out.toByteArray());
      }
      int n = (int) Math.min(size, data.length - pos);
      out.write(data, pos, n);
      pos += n;
      if (n < size) {
        return Body.of(out.toByteArray(), out.size() + (size - n));
      }
      if (pos < data.length && data[pos] == '\r') {
        pos++;
      }
      if (pos < data.length) {
        if (data[pos] != '\n') {
          throw new ParseException(
              "chunk of " + size + " bytes is not followed by CRLF (bad chunk framing)");
        }
        pos++;
      }
    }
  }

  private Headers withTrailers(Headers headers) {
    if (trailers.isEmpty()) {
      return headers;
    }
    List<Headers.Field> all = new ArrayList<>(headers.asList());
    all.addAll(trailers.asList());
    return Headers.of(all);
  }

  private byte[] slice(int from, int n) {
    byte[] b = new byte[n];
    System.arraycopy(data, from, b, 0, n);
    return b;
  }

  /** The request line without its query string, which may hold tokens. */
  private static String withoutQuery(String line) {
    int q = line.indexOf('?');
    return abbreviate(q < 0 ? line : line.substring(0, q) + "?...");
  }

  /** {@code s}, cut to 80 characters for error messages. */
  public static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
