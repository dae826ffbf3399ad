package dev.shadowtest.diff.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowtest.core.Body;
import dev.shadowtest.core.ContentCoding;
import dev.shadowtest.core.Headers;
import dev.shadowtest.core.JsonPath;
import dev.shadowtest.diff.BodyComparator;
import dev.shadowtest.diff.BodyComparators;
import dev.shadowtest.diff.ContentDecoding;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.DifferenceType;
import dev.shadowtest.diff.JsonDiff;
import dev.shadowtest.diff.JsonOptions;
import dev.shadowtest.diff.Location;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.run.ResultLine;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares bodies: decoded first (Content-Encoding gzip/deflate/br), then by the {@link
 * BodyComparator} of the baseline's media type, the extras found through ServiceLoader first,
 * then the built-in ones (chosen from Content-Type with a fallback on sniffing: JSON, XML, form,
 * text, binary). Never throws on bad input: a body that does not parse as declared is compared as
 * text, and a note says so.
 */
public final class Bodies {

  /** Decoded bodies larger than this are not inflated further (zip bombs). */
  static final int MAX_DECODED = 64 << 20;

  private Bodies() {}

  /**
   * How bodies are compared.
   *
   * @param json         JSON comparison options
   * @param origins      the addresses replaced in both bodies (textual kinds) before comparing
   * @param expectedRoot the part of the expected JSON body compared, or null for all of it
   * @param actualRoot   the part of the actual JSON body compared, or null for all of it
   * @param comparators  per comparator name, its options from the rules
   * @param stored       null for bodies as they came; for the stored form of a pair ({@link
   *     #prepare}), the comparator that judges it: the bodies are decoded, normalised and
   *     pseudonymised already
   */
  public record Options(
      JsonOptions json,
      OriginNormalizer origins,
      JsonPath expectedRoot,
      JsonPath actualRoot,
      Map<String, Map<String, String>> comparators,
      BodyComparator stored) {
    BodyComparator.Context context(BodyComparator c) {
      return new BodyComparator.Context(json, expectedRoot, actualRoot, c.name(), comparators);
    }
  }

  /**
   * The stored form of a pair of bodies: what {@link #compare} with {@code Options.stored = kind}
   * judges exactly as it judges the bodies as they came, under any rules, with no value on disk.
   * Bodies with nothing of their content compared (none, not captured, cut at capture) are kept
   * as what the comparison reads of them (sizes, whether the kept bytes differ). Others are decoded, with the addresses replaced, then pseudonymised by the kind the comparison uses (the
   * expected side's): JSON strings (not those holding a number or a boolean, which lenient types
   * compare), XML text and attribute values, form values, text lines, binary bodies whole.
   */
  public record Prepared(Body expected, Body actual, String comparator) {}

  /** See {@link Prepared}; {@code notes} gets what the comparison would note of the bodies. */
  public static Prepared prepare(
      Body expected,
      Headers expectedHeaders,
      Body actual,
      Headers actualHeaders,
      OriginNormalizer origins,
      Pseudonyms pseudonyms,
      List<String> notes) {
    if (expected instanceof Body.None && actual instanceof Body.None) {
      return new Prepared(expected, actual, BuiltInComparators.BINARY.name());
    }
    if (expected instanceof Body.NotCaptured || actual instanceof Body.NotCaptured) {
      return new Prepared(
          expected instanceof Body.NotCaptured ? expected : Body.none(),
          actual instanceof Body.NotCaptured ? actual : Body.none(),
          BuiltInComparators.BINARY.name());
    }
    if ((expected.truncated() || actual.truncated())
        && !(notEncoded(expectedHeaders) && notEncoded(actualHeaders))) {
      // only whether the decoded prefixes differ counts (compare's own test), kept as sizes
      // that agree and one byte that tells it
      CutAndEncoded cut = CutAndEncoded.of(expected, expectedHeaders, actual, actualHeaders);
      notes.add(cut.note());
      boolean differs = cut.firstDifference() >= 0;
      return new Prepared(
          new Body.Binary(differs ? new byte[] {0} : new byte[0], true, 1),
          new Body.Binary(differs ? new byte[] {1} : new byte[0], true, 1),
          BuiltInComparators.BINARY.name());
    }
    if (expected.truncated() || actual.truncated()) {
      // only sizes and whether the common prefix differs count: one byte tells that
      byte[] ep = expected.bytes();
      byte[] ap = actual.bytes();
      boolean differs = false;
      if (expected.size() == actual.size()) {
        for (int i = 0; i < Math.min(ep.length, ap.length) && !differs; i++) {
          differs = ep[i] != ap[i];
        }
      }
      return new Prepared(
          new Body.Binary(differs ? new byte[] {0} : new byte[0], true, expected.size()),
          new Body.Binary(differs ? new byte[] {1} : new byte[0], true, actual.size()),
          BuiltInComparators.BINARY.name());
    }
    byte[] eb = expected.bytes();
    // a replay hands a matching answer the recorded body itself: its bytes once, not twice
    byte[] e = decode(eb, expectedHeaders, "expected", notes);
    byte[] a = decode(actual == expected ? eb : actual.bytes(), actualHeaders, "actual", notes);
    BodyComparator kind = choose(expectedHeaders, e);
    differentKinds(kind, choose(actualHeaders, a), notes);
    if (kind.textual()) {
      byte[][] both = inUtf8(e, expectedHeaders, a, actualHeaders, notes);
      e = both[0];
      a = both[1];
    }
    if (kind.textual() && !origins.isNone()) {
      e = origins.apply(e);
      a = origins.apply(a);
    }
    BodyComparator.Stored stored = kind.store(e, a, pseudonyms);
    if (stored == null) {
      return new Prepared(null, null, kind.name()); // this comparator keeps no stored form
    }
    Body kept = Body.of(stored.expected());
    return new Prepared(
        kept,
        stored.actual() == stored.expected() ? kept : Body.of(stored.actual()),
        stored.comparator());
  }

  private static void differentKinds(BodyComparator e, BodyComparator a, List<String> notes) {
    if (e != a && !(e == BuiltInComparators.TEXT || a == BuiltInComparators.TEXT)) {
      notes.add(
          "bodies are of different kinds ("
              + e.name().toUpperCase(Locale.ROOT)
              + " vs "
              + a.name().toUpperCase(Locale.ROOT)
              + ")");
    }
  }

  /** The comparator of a body: the first extra that accepts its media type, else a built-in one. */
  static BodyComparator choose(Headers headers, byte[] body) {
    String mime = mediaType(headers);
    for (BodyComparator c : BodyComparators.extras()) {
      if (c.accepts(mime, body)) {
        return c;
      }
    }
    return builtIn(mime, body);
  }

  public static void compare(
      Body expected,
      Headers expectedHeaders,
      Body actual,
      Headers actualHeaders,
      Options options,
      List<Difference> out,
      List<String> notes) {
    if (expected instanceof Body.None && actual instanceof Body.None) {
      return;
    }
    if (expected instanceof Body.NotCaptured || actual instanceof Body.NotCaptured) {
      notes.add(ResultLine.BODY_NOT_CAPTURED);
      return; // nothing is known of it: neither a match nor a difference
    }
    for (JsonPath p : options.json().ignore()) {
      if (p.accepts(p.start())) {
        notes.add("body not compared: the rule ignores \"" + p + "\"");
        return; // "$" is the whole body, whatever its kind (an error page in HTML, an empty
        // body...)
      }
    }
    boolean projected = options.expectedRoot() != null || options.actualRoot() != null;
    // the same bytes are the same text only in the same charset (UTF-8 bytes declared ISO-8859-1
    // on one side read as other characters)
    boolean sameCharset = sameCharset(expectedHeaders, actualHeaders);
    if (!projected
        && sameCharset
        && expected instanceof Body.Text et
        && actual instanceof Body.Text at
        && !et.truncated()
        && !at.truncated()
        && (et == at || et.text().equals(at.text()))
        && notEncoded(expectedHeaders)
        && notEncoded(actualHeaders)) {
      // the same text is the same bytes, and without a Content-Encoding nothing is decoded (nor
      // noted): the identical-bytes case below, without encoding both texts to compare them. The
      // same object is an answer whose bytes were the recorded text's (Sender): its String, never
      // made, is not needed
      return;
    }
    BodyComparator stored = options.stored();
    if (stored == null
        && (expected.truncated() || actual.truncated())
        && !(notEncoded(expectedHeaders) && notEncoded(actualHeaders))) {
      CutAndEncoded cut = CutAndEncoded.of(expected, expectedHeaders, actual, actualHeaders);
      notes.add(cut.note());
      int at = cut.firstDifference();
      if (at >= 0) {
        out.add(
            Difference.at(
                new Location.WholeBody(),
                "body",
                DifferenceType.BODY,
                "decoded byte " + at + " = " + (cut.expected()[at] & 0xff),
                "decoded byte " + at + " = " + (cut.actual()[at] & 0xff)));
      }
      return;
    }
    byte[] e =
        stored != null
            ? expected.bytes()
            : decode(expected.bytes(), expectedHeaders, "expected", notes);
    byte[] a =
        stored != null ? actual.bytes() : decode(actual.bytes(), actualHeaders, "actual", notes);
    if (expected.truncated() || actual.truncated()) {
      // Only a prefix of at least one side is known: the original sizes must agree, and so must
      // the bytes both sides have. A short or empty candidate never matches a cut recording.
      notes.add(
          "body truncated at capture ("
              + (expected.truncated() ? "expected " + expected.size() + " bytes" : "")
              + (expected.truncated() && actual.truncated() ? ", " : "")
              + (actual.truncated() ? "actual " + actual.size() + " bytes" : "")
              + "): compared sizes and the first "
              + Math.min(e.length, a.length)
              + " bytes only");
      byte[] ep = expected.bytes();
      byte[] ap = actual.bytes();
      if (expected.size() != actual.size()) {
        out.add(
            Difference.at(
                new Location.WholeBody(),
                "body",
                DifferenceType.BODY,
                expected.size() + " bytes",
                actual.size() + " bytes"));
        return;
      }
      int n = Math.min(ep.length, ap.length);
      for (int i = 0; i < n; i++) {
        if (ep[i] != ap[i]) {
          out.add(
              Difference.at(
                  new Location.WholeBody(),
                  "body",
                  DifferenceType.BODY,
                  "byte " + i + " = " + (ep[i] & 0xff),
                  "byte " + i + " = " + (ap[i] & 0xff)));
          return;
        }
      }
      return;
    }
    if (!projected && sameCharset && Arrays.equals(e, a)) {
      return; // byte-identical bodies are equal under every rule: no need to parse them
    }
    BodyComparator kind = stored != null ? stored : choose(expectedHeaders, e);
    if (stored == null) {
      differentKinds(kind, choose(actualHeaders, a), notes);
    }
    if (stored == null && kind.textual()) {
      byte[][] both = inUtf8(e, expectedHeaders, a, actualHeaders, notes);
      e = both[0];
      a = both[1];
      if (!projected && Arrays.equals(e, a)) {
        return; // the same text in two charsets (a legacy ISO-8859-1, a new UTF-8)
      }
    }
    if (stored == null && kind.textual() && !options.origins().isNone()) {
      e = options.origins().apply(e);
      a = options.origins().apply(a);
      if (!projected && Arrays.equals(e, a)) {
        return; // equal once each side's own address is a placeholder
      }
    }
    if (projected && kind != BuiltInComparators.JSON) {
      notes.add(
          "baselineRoot/candidateRoot apply to JSON bodies only: this body was compared whole");
    }
    kind.compare(e, a, options.context(kind), out, notes);
  }

  /**
   * Textual bodies read in the charset each side's {@code Content-Type} declares, as UTF-8 (what
   * the comparators read): a legacy system answering ISO-8859-1 and its replacement UTF-8 send
   * the same text in other bytes, and the text is compared (the {@code Content-Type} difference
   * stays a header difference). A side without a charset, with UTF-8, one this JVM lacks, or bytes
   * that are not valid in it, is kept as it is. A note says so when the charsets differ.
   */
  static byte[][] inUtf8(
      byte[] e, Headers expectedHeaders, byte[] a, Headers actualHeaders, List<String> notes) {
    Charset ec = charset(expectedHeaders);
    Charset ac = charset(actualHeaders);
    // an XML body that declares its encoding is read by it: left as it is
    byte[] eu = ec == null || declaresEncoding(e) ? e : transcoded(e, ec);
    byte[] au = ac == null || declaresEncoding(a) ? a : transcoded(a, ac);
    if (!java.util.Objects.equals(ec, ac) && (eu != e || au != a)) {
      notes.add(
          "bodies read in their declared charsets (expected "
              + (ec == null ? "UTF-8" : ec.name())
              + ", actual "
              + (ac == null ? "UTF-8" : ac.name())
              + ") and compared as text");
    }
    return new byte[][] {eu, au};
  }

  /**
   * True when both sides read their bytes alike: neither declares a charset (the common case,
   * told without parsing), or both declare the same one.
   */
  static boolean sameCharset(Headers expectedHeaders, Headers actualHeaders) {
    String ect = expectedHeaders.first("Content-Type").orElse("");
    String act = actualHeaders.first("Content-Type").orElse("");
    if (!containsCharset(ect) && !containsCharset(act)) {
      return true;
    }
    return java.util.Objects.equals(charset(expectedHeaders), charset(actualHeaders));
  }

  private static boolean containsCharset(String contentType) {
    for (int i = contentType.indexOf('='); i >= 0; i = contentType.indexOf('=', i + 1)) {
      if (i >= 7 && contentType.regionMatches(true, i - 7, "charset", 0, 7)) {
        return true;
      }
    }
    return false;
  }

  /** True when {@code b} starts with an XML declaration that names its encoding. */
  static boolean declaresEncoding(byte[] b) {
    int i = 0;
    if (b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
      i = 3;
    }
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) {
      i++;
    }
    if (b.length - i < 5 || b[i] != '<' || b[i + 1] != '?' || b[i + 2] != 'x') {
      return false;
    }
    int end = Math.min(b.length, i + 256);
    String head = new String(b, i, end - i, StandardCharsets.ISO_8859_1);
    int close = head.indexOf("?>");
    return head.startsWith("<?xml")
        && head.substring(0, close < 0 ? head.length() : close).contains("encoding");
  }

  /** The charset {@code headers}' Content-Type declares, when this JVM has it and it is not UTF-8 (nor ASCII). */
  static Charset charset(Headers headers) {
    String ct = headers.first("Content-Type").orElse("");
    int at = ct.toLowerCase(Locale.ROOT).indexOf("charset=");
    if (at < 0) {
      return null;
    }
    String name = ct.substring(at + 8);
    int end = name.indexOf(';');
    name = (end < 0 ? name : name.substring(0, end)).strip();
    if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
      name = name.substring(1, name.length() - 1);
    }
    try {
      Charset c = Charset.forName(name);
      return c.equals(StandardCharsets.UTF_8) || c.equals(StandardCharsets.US_ASCII) ? null : c;
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }

  /** {@code b} decoded from {@code c} and encoded in UTF-8; {@code b} itself when it is not valid in {@code c}. */
  private static byte[] transcoded(byte[] b, Charset c) {
    boolean ascii = true;
    for (byte x : b) {
      if (x < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii && c.newEncoder().maxBytesPerChar() == 1) {
      return b; // ASCII bytes read alike in a single-byte charset and in UTF-8
    }
    try {
      CharBuffer text =
          c.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(b));
      ByteBuffer out = StandardCharsets.UTF_8.encode(text);
      byte[] u = new byte[out.remaining()];
      out.get(u);
      return u;
    } catch (CharacterCodingException notInIt) {
      return b;
    }
  }

  static void json(
      byte[] e,
      byte[] a,
      BodyComparator.Context options,
      List<Difference> out,
      List<String> notes) {
    JsonNode en;
    JsonNode an;
    try {
      en = JsonDiff.parse(e);
    } catch (IOException ex) {
      notes.add("expected body is declared JSON but is not valid JSON: compared as text");
      BodyComparator.compareAsText(e, a, options, out, notes);
      return;
    }
    try {
      an = JsonDiff.parse(a);
    } catch (IOException ex) {
      notes.add("actual body is declared JSON but is not valid JSON: compared as text");
      BodyComparator.compareAsText(e, a, options, out, notes);
      return;
    }
    en = project(en, options.expectedRoot(), "baseline", out, notes);
    an = en == null ? null : project(an, options.actualRoot(), "candidate", out, notes);
    if (en == null || an == null) {
      return;
    }
    new JsonComparator(options.json()).compareInto(en, an, out);
  }

  /**
   * The part of a side's body its rule compares ({@code root} null: all of it); null, with a
   * MISSING difference and a note, when the body has no such part.
   */
  private static JsonNode project(
      JsonNode body, JsonPath root, String side, List<Difference> out, List<String> notes) {
    if (root == null) {
      return body;
    }
    JsonNode part = at(body, root);
    if (part == null) {
      String r = root.toString();
      notes.add(
          "the " + side + "'s body has no " + r + " (" + side + "Root): nothing else compared");
      boolean baseline = side.equals("baseline");
      out.add(
          new Difference(
              r,
              r,
              DifferenceType.MISSING,
              baseline ? null : "(the baseline's body)",
              baseline ? "(the candidate's body)" : null));
    }
    return part;
  }

  /** The node at a concrete path, or null when it is not there. */
  private static JsonNode at(JsonNode root, JsonPath path) {
    JsonNode n = root;
    for (Object step : path.location()) {
      n =
          step instanceof Integer i
              ? (n.isArray() ? n.get(i) : null)
              : (n.isObject() ? n.get((String) step) : null);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  static void text(byte[] e, byte[] a, boolean ignoreTrailingWhitespace, List<Difference> out) {
    String es = utf8(e);
    String as = utf8(a);
    if (es == null || as == null) {
      binary(e, a, out);
      return;
    }
    TextComparator.compare(es, as, ignoreTrailingWhitespace, out);
  }

  static void binary(byte[] e, byte[] a, List<Difference> out) {
    if (Arrays.equals(e, a)) {
      return;
    }
    out.add(
        Difference.at(
            new Location.WholeBody(),
            "body",
            DifferenceType.BODY,
            e.length + " bytes, sha256 " + sha256(e),
            a.length + " bytes, sha256 " + sha256(a)));
  }

  /** The media type of a message: lower case, without parameters; empty when it has none. */
  static String mediaType(Headers headers) {
    String type = headers.first("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    return type.contains(";") ? type.substring(0, type.indexOf(';')).strip() : type.strip();
  }

  /** The built-in comparator of a media type, with a fallback on sniffing. */
  static BodyComparator builtIn(String mime, byte[] body) {
    if (mime.equals("application/json") || mime.endsWith("+json") || mime.equals("text/json")) {
      return BuiltInComparators.JSON;
    }
    if (mime.equals("application/xml") || mime.equals("text/xml") || mime.endsWith("+xml")) {
      return BuiltInComparators.XML;
    }
    if (mime.equals("application/x-www-form-urlencoded")) {
      return BuiltInComparators.FORM;
    }
    if (mime.startsWith("text/") || mime.equals("application/javascript")) {
      return BuiltInComparators.TEXT;
    }
    if (!mime.isEmpty() && !mime.equals("application/octet-stream")) {
      return utf8(body) != null && mime.startsWith("application/") && sniffJson(body)
          ? BuiltInComparators.JSON
          : BuiltInComparators.BINARY;
    }
    // no useful Content-Type: sniff
    if (sniffJson(body)) {
      return BuiltInComparators.JSON;
    }
    String text = utf8(body);
    if (text == null) {
      return BuiltInComparators.BINARY;
    }
    return text.stripLeading().startsWith("<?xml")
        ? BuiltInComparators.XML
        : BuiltInComparators.TEXT;
  }

  private static boolean sniffJson(byte[] body) {
    for (byte b : body) {
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      }
      if (b != '{' && b != '[') {
        return false;
      }
      try {
        JsonDiff.parse(body);
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  /** True when the headers give no Content-Encoding, or {@code identity}. */
  private static boolean notEncoded(Headers headers) {
    return encoding(headers).equals("identity");
  }

  /** The Content-Encoding the headers give, in lower case; {@code identity} when none. */
  /**
   * A pair of bodies, at least one cut at {@code --max-body} (or at capture) and at least one
   * under a Content-Encoding. Sizes say nothing then: a cut body's size is its size on the wire,
   * compressed, and two compressors give the same content different sizes. So the decoded bytes
   * known on both sides are compared, and nothing else: what each side's kept bytes decode to
   * before they run out (gzip and deflate; a br body cut short gives none).
   */
  record CutAndEncoded(byte[] expected, byte[] actual, String note) {

    static CutAndEncoded of(Body expected, Headers eh, Body actual, Headers ah) {
      byte[] e = known(expected, eh);
      byte[] a = known(actual, ah);
      return new CutAndEncoded(
          e,
          a,
          "body over the capture limit and compressed (expected "
              + encoding(eh)
              + ", actual "
              + encoding(ah)
              + "): sizes not compared; compared the first "
              + Math.min(e.length, a.length)
              + " decoded bytes only");
    }

    /** The first decoded byte where the two differ, or -1. */
    int firstDifference() {
      int n = Math.min(expected.length, actual.length);
      return Arrays.mismatch(expected, 0, n, actual, 0, n);
    }

    /** The decoded bytes known of {@code body}: as many as its kept bytes give. */
    private static byte[] known(Body body, Headers headers) {
      String coding = encoding(headers);
      byte[] kept = body.bytes();
      if (coding.equals("identity") || kept.length == 0) {
        return kept;
      }
      try {
        return ContentDecoding.decodeAvailable(kept, coding, MAX_DECODED);
      } catch (IOException | IllegalArgumentException e) {
        return new byte[0]; // nothing of it can be read: nothing of it is compared
      }
    }
  }

  private static String encoding(Headers headers) {
    return headers.first("Content-Encoding").orElse("identity").strip().toLowerCase(Locale.ROOT);
  }

  /** The body with Content-Encoding undone; on failure the raw bytes and a note. */
  static byte[] decode(byte[] body, Headers headers, String side, List<String> notes) {
    return decode(body, headers, side, notes, MAX_DECODED);
  }

  /** {@link #decode(byte[], Headers, String, List)} with bodies decoding to more than {@code max} bytes left as they are. */
  static byte[] decode(byte[] body, Headers headers, String side, List<String> notes, int max) {
    String encoding = encoding(headers);
    if (encoding.equals("identity") || body.length == 0) {
      return body;
    }
    if (!ContentDecoding.supported(encoding)) {
      notes.add(
          side
              + " body has Content-Encoding "
              + encoding
              + ", which Shadow cannot decode: compared as bytes");
      return body;
    }
    try {
      // one byte past the limit tells a body that is too large from one that just fits
      byte[] decoded = ContentDecoding.decode(body, encoding, max + 1);
      if (decoded.length > max) {
        String limit = max % (1 << 20) == 0 ? (max >> 20) + " MiB" : max + " bytes";
        notes.add(side + " body decodes to more than " + limit + ": compared as bytes");
        return body;
      }
      return decoded;
    } catch (IOException e) {
      notes.add(
          side
              + " body says Content-Encoding "
              + encoding
              + " but does not decode ("
              + e.getMessage()
              + "): compared as bytes");
      return body;
    }
  }

  static String utf8(byte[] bytes) {
    return ContentCoding.strictUtf8(bytes);
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b), 0, 8) + "…";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
