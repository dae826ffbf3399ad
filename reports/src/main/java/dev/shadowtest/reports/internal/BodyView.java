package dev.shadowtest.reports.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.ContentCoding;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.JsonPath;
import dev.shadowtest.diff.ContentDecoding;
import dev.shadowtest.diff.Location;
import dev.shadowtest.reports.internal.ReportModel.BodyLine;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A body as lines for the side-by-side view: JSON pretty-printed with each line's path known, so
 * that lines at (or under) a differing path are highlighted; text as its lines, with the differing
 * line region highlighted; binary as its size and hash. Output is bounded.
 */
final class BodyView {

  static final int MAX_LINES = 300;
  static final int MAX_LINE = 400;
  private static final int MAX_DECODED = 64 * 1024;

  /** What one body may cost in the page, escaping included (see {@link #cost}). */
  static final long MAX_COST = 48 * 1024;

  private static final ObjectMapper MAPPER =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
              .build());

  private BodyView() {}

  /** The lines of {@code body}, and a note (truncation, decoding) or null. */
  record View(List<BodyLine> lines, String note) {}

  static View of(Body body, Headers headers, Set<String> differingPaths) {
    if (body instanceof Body.None) {
      return new View(List.of(), "no body");
    }
    if (body instanceof Body.NotCaptured n) {
      return new View(
          List.of(),
          "body not captured in the recording"
              + (n.size() >= 0 ? " (" + n.size() + " bytes)" : "")
              + ": the tool that wrote it left it out, so it was not compared");
    }
    List<String> notes = new ArrayList<>();
    if (body.truncated()) {
      notes.add("cut at " + body.bytes().length + " of " + body.size() + " bytes");
    }
    byte[] bytes = body.bytes();
    String encoding = headers.first("Content-Encoding").orElse("").strip().toLowerCase(Locale.ROOT);
    if (!encoding.isEmpty() && !encoding.equals("identity")) {
      byte[] decoded = decode(bytes, encoding);
      if (decoded == null) {
        notes.add("Content-Encoding " + encoding + " could not be decoded for display");
      } else {
        bytes = decoded;
        notes.add("shown decoded (" + encoding + ")");
      }
    }
    boolean bodyDiffers = differingPaths.contains(new Location.WholeBody().path());
    String text = utf8(bytes);
    List<BodyLine> lines = null;
    if (text != null) {
      String ct = headers.first("Content-Type").orElse("").toLowerCase(Locale.ROOT);
      String t = text.strip();
      if (ct.contains("json") || t.startsWith("{") || t.startsWith("[")) {
        lines = json(text, differingPaths);
      }
      if (lines == null) {
        lines = text(text, differingPaths, bodyDiffers);
      }
    } else {
      lines =
          List.of(
              new BodyLine(
                  String.format(
                      Locale.ROOT, "(binary, %d bytes, sha256 %s)", bytes.length, sha256(bytes)),
                  bodyDiffers));
    }
    long cost = 0;
    int keep = 0;
    while (keep < lines.size()
        && keep < MAX_LINES
        && (cost += cost(lines.get(keep).text())) <= MAX_COST) {
      keep++;
    }
    if (keep < lines.size()) {
      notes.add((lines.size() - keep) + " more lines not shown");
      lines = new ArrayList<>(lines.subList(0, keep));
    }
    return new View(lines, notes.isEmpty() ? null : String.join("; ", notes));
  }

  private static List<BodyLine> json(String text, Set<String> paths) {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (root == null) {
      return null;
    }
    List<BodyLine> out = new ArrayList<>();
    emit(out, root, new ArrayList<>(), "", "", paths);
    return out;
  }

  /** Pretty-prints {@code n} at {@code location}; iterative enough for the 200 levels the parser allows. */
  private static void emit(
      List<BodyLine> out,
      JsonNode n,
      List<Object> location,
      String indent,
      String prefix,
      Set<String> paths) {
    if (out.size() > MAX_LINES) {
      return;
    }
    boolean hit = highlighted(location, paths);
    String comma = "";
    if (n.isObject() && !n.isEmpty()) {
      out.add(line(indent + prefix + "{", hit));
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> f = it.next();
        location.add(f.getKey());
        String key;
        try {
          key = MAPPER.writeValueAsString(f.getKey());
        } catch (IOException e) {
          key = "\"?\"";
        }
        emit(out, f.getValue(), location, indent + "  ", key + ": ", paths);
        location.remove(location.size() - 1);
        if (it.hasNext() && !out.isEmpty()) {
          appendComma(out);
        }
      }
      out.add(line(indent + "}" + comma, hit));
    } else if (n.isArray() && !n.isEmpty()) {
      out.add(line(indent + prefix + "[", hit));
      for (int i = 0; i < n.size(); i++) {
        location.add(i);
        emit(out, n.get(i), location, indent + "  ", "", paths);
        location.remove(location.size() - 1);
        if (i < n.size() - 1) {
          appendComma(out);
        }
      }
      out.add(line(indent + "]", hit));
    } else {
      out.add(line(indent + prefix + n.toString(), hit));
    }
  }

  private static void appendComma(List<BodyLine> out) {
    BodyLine last = out.get(out.size() - 1);
    out.set(out.size() - 1, new BodyLine(last.text() + ",", last.highlighted()));
  }

  /** A line is highlighted when its location, or one of its ancestors, differs. */
  private static boolean highlighted(List<Object> location, Set<String> paths) {
    for (int i = location.size(); i >= 0; i--) {
      if (paths.contains(JsonPath.render(location.subList(0, i)))) {
        return true;
      }
    }
    return false;
  }

  private static List<BodyLine> text(String text, Set<String> paths, boolean all) {
    List<int[]> regions = new ArrayList<>();
    for (String p : paths) {
      Location where = Location.parse(p);
      if (where instanceof Location.TextLines l) {
        regions.add(new int[] {l.from(), l.to()});
      } else if (where instanceof Location.TextToken t) {
        regions.add(new int[] {t.line(), t.line()});
      }
    }
    List<BodyLine> out = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length && out.size() <= MAX_LINES; i++) {
      int n = i + 1;
      boolean hit = all || regions.stream().anyMatch(r -> n >= r[0] && n <= r[1]);
      out.add(line(lines[i], hit));
    }
    return out;
  }

  /** Characters as escaped in HTML: markup characters take up to 6. */
  static long cost(String s) {
    if (s == null) {
      return 0;
    }
    long c = s.length();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '<' || ch == '>' || ch == '&' || ch == '"' || ch == '\'') {
        c += 5;
      }
    }
    return c;
  }

  static BodyLine line(String text, boolean highlighted) {
    return new BodyLine(clip(text), highlighted);
  }

  static String clip(String s) {
    return s.length() <= MAX_LINE
        ? s
        : s.substring(0, MAX_LINE) + " …(" + (s.length() - MAX_LINE) + " more characters)";
  }

  private static String utf8(byte[] bytes) {
    return ContentCoding.strictUtf8(bytes);
  }

  private static byte[] decode(byte[] bytes, String encoding) {
    if (!ContentDecoding.supported(encoding)) {
      return null;
    }
    try {
      return ContentDecoding.decode(bytes, encoding, MAX_DECODED);
    } catch (IOException e) {
      return null;
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
