package dev.shadowtest.diff.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import dev.shadowtest.diff.BodyComparator;
import dev.shadowtest.diff.JsonDiff;
import dev.shadowtest.diff.Pseudonyms;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * The pseudonymised form of a pair of decoded, normalised bodies, by the kind the comparison
 * uses: the structure the comparators look at is kept (JSON keys, numbers, booleans and nulls,
 * strings that hold a number or a boolean; XML names; form keys; line breaks), every other value
 * is replaced by its pseudonym. Equal values stay equal, different ones different, so each
 * comparator finds the same differences at the same places.
 */
final class Pseudonymize {

  private Pseudonymize() {}

  static BodyComparator.Stored json(byte[] e, byte[] a, Pseudonyms p) {
    byte[] es = streamed(e, p);
    byte[] as = es == null ? null : Arrays.equals(e, a) ? es : streamed(a, p);
    if (as != null) {
      return new BodyComparator.Stored(es, as, "json");
    }
    // no JSON the comparison reads (compared as text), or a string the stream found where no
    // string starts (never seen): the tree decides
    return tree(e, a, p);
  }

  /** {@link #json} by way of the parsed trees: slower, and what the token stream must equal. */
  static BodyComparator.Stored tree(byte[] e, byte[] a, Pseudonyms p) {
    JsonNode en = parseJson(e);
    JsonNode an = en == null ? null : parseJson(a);
    if (en != null && an != null) {
      return new BodyComparator.Stored(utf8(write(json(en, p))), utf8(write(json(an, p))), "json");
    }
    return text(e, a, p); // the comparator falls back to text too
  }

  static BodyComparator.Stored xml(byte[] e, byte[] a, Pseudonyms p) {
    Element ex = XmlComparator.parse(e);
    Element ax = ex == null ? null : XmlComparator.parse(a);
    if (ex != null && ax != null) {
      byte[] es = utf8(xml(ex, p));
      return new BodyComparator.Stored(es, Arrays.equals(e, a) ? es : utf8(xml(ax, p)), "xml");
    }
    return text(e, a, p);
  }

  static BodyComparator.Stored form(byte[] e, byte[] a, Pseudonyms p) {
    byte[] es = utf8(form(new String(e, StandardCharsets.UTF_8), p));
    return new BodyComparator.Stored(
        es,
        Arrays.equals(e, a) ? es : utf8(form(new String(a, StandardCharsets.UTF_8), p)),
        "form");
  }

  static BodyComparator.Stored text(byte[] e, byte[] a, Pseudonyms p) {
    String es = Bodies.utf8(e);
    String as = Bodies.utf8(a);
    if (es == null || as == null) {
      return binary(e, a, p);
    }
    if (es.equals(as)) {
      byte[] stored = utf8(text(es.split("\n", -1), 0, 0, p));
      return new BodyComparator.Stored(stored, stored, "text");
    }
    String[] el = es.split("\n", -1);
    String[] al = as.split("\n", -1);
    // as the text comparator aligns them: lines equal at the start and at the end (equal under
    // any option) are kept whole; the lines in between, which it compares word by word, by word
    int start = 0;
    while (start < el.length && start < al.length && el[start].equals(al[start])) {
      start++;
    }
    int endE = el.length;
    int endA = al.length;
    while (endE > start && endA > start && el[endE - 1].equals(al[endA - 1])) {
      endE--;
      endA--;
    }
    if (!sameWithoutTrailingSpace(el, al, start, endE, endA)) {
      // ignoreTrailingWhitespace would align the lines otherwise: every line word by word, so
      // that any alignment reads the same shapes on both sides
      start = 0;
      endE = el.length;
      endA = al.length;
    }
    return new BodyComparator.Stored(
        utf8(text(el, start, endE, p)), utf8(text(al, start, endA, p)), "text");
  }

  /**
   * True when the text comparator's alignment with trailing white space ignored is the exact one:
   * the common leading and trailing lines, compared stripped, end where the exact ones do.
   */
  private static boolean sameWithoutTrailingSpace(
      String[] el, String[] al, int start, int endE, int endA) {
    int s = 0;
    while (s < el.length && s < al.length && el[s].stripTrailing().equals(al[s].stripTrailing())) {
      s++;
    }
    if (s != start) {
      return false;
    }
    int e = el.length;
    int a = al.length;
    while (e > s && a > s && el[e - 1].stripTrailing().equals(al[a - 1].stripTrailing())) {
      e--;
      a--;
    }
    return e == endE && a == endA;
  }

  static BodyComparator.Stored binary(byte[] e, byte[] a, Pseudonyms p) {
    byte[] es = utf8(p.of(e));
    return new BodyComparator.Stored(es, Arrays.equals(e, a) ? es : utf8(p.of(a)), "binary");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode parseJson(byte[] b) {
    try {
      return JsonDiff.parse(b);
    } catch (IOException ex) {
      return null;
    }
  }

  /**
   * The stored lines: those from {@code from} to {@code to} word by word ({@link #words}), the
   * others whole, each a pseudonym of its content followed by its trailing white space as it was
   * (so that {@code ignoreTrailingWhitespace} judges them as it judges the lines themselves).
   * Lines kept whole are equal on both sides, so the comparator never reads their words: one
   * pseudonym a line, not one a word, for the lines nothing changed in.
   */
  private static String text(String[] lines, int from, int to, Pseudonyms p) {
    StringBuilder sb = new StringBuilder(lines.length * 26 + 32);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        sb.append('\n');
      }
      String line = lines[i];
      String content = line.stripTrailing();
      if (i >= from && i < to) {
        words(content, p, sb);
      } else if (!content.isEmpty()) {
        String pseudonym = p.of(content);
        sb.append(pseudonym, Pseudonyms.PREFIX.length(), pseudonym.length());
      }
      sb.append(line, content.length(), line.length());
    }
    return sb.toString();
  }

  /**
   * {@code content} as the text comparator reads a line's words: the delimiters between words
   * ({@link TextComparator#delimiter}: white space, markup and JSON punctuation) as they are, each
   * word replaced by its pseudonym (without the prefix, whose colon is a delimiter): the same words
   * at the same places, equal where the text was equal.
   */
  private static void words(String content, Pseudonyms p, StringBuilder sb) {
    int word = -1;
    for (int i = 0; i <= content.length(); i++) {
      boolean end = i == content.length();
      char c = end ? 0 : content.charAt(i);
      if (end || TextComparator.delimiter(c)) {
        if (word >= 0) {
          String pseudonym = p.of(content.substring(word, i));
          sb.append(pseudonym, Pseudonyms.PREFIX.length(), pseudonym.length());
          word = -1;
        }
        if (!end) {
          sb.append(c);
        }
      } else if (word < 0) {
        word = i;
      }
    }
  }

  private static String form(String body, Pseudonyms p) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, List<String>> f : FormComparator.parse(body).entrySet()) {
      for (String v : f.getValue()) {
        if (sb.length() > 0) {
          sb.append('&');
        }
        sb.append(URLEncoder.encode(f.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(p.of(v), StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  /** Writes for the stored form: as deep as the comparison reads ({@link JsonDiff#MAX_DEPTH}). */
  private static final JsonFactory WRITER =
      JsonFactory.builder()
          .streamWriteConstraints(
              StreamWriteConstraints.builder().maxNestingDepth(JsonDiff.MAX_DEPTH).build())
          .build();

  /**
   * The stored form of a JSON document, made as it is read (no tree, no generator): the document's
   * own bytes without the whitespace between tokens, each string value replaced by its quoted
   * pseudonym unless {@link #keptAsItIs}. Names, numbers (as written), booleans, nulls and kept
   * strings are copied as they came, escapes included, after the parser read them (it checks
   * them as the comparison's trees are checked, limits included). What {@link Json#MAPPER} reads
   * of it is what it reads of the document, with the strings replaced. Null when the document is
   * no JSON the comparison reads (then the tree path decides, which falls back to text) or is
   * empty. Most documents take {@link StoredJson}'s one pass over their bytes; the rest, and
   * whatever that pass leaves, the parser's tokens ({@link #parsed}), which give the same bytes.
   */
  private static byte[] streamed(byte[] doc, Pseudonyms p) {
    byte[] fast = StoredJson.of(doc, p);
    return fast != null ? fast : parsed(doc, p);
  }

  /** {@link #streamed} driven by the comparison's parser: every document, and the reference. */
  static byte[] parsed(byte[] doc, Pseudonyms p) {
    StoredBytes out = new StoredBytes(doc.length + 64);
    try (JsonParser in = Json.parser(doc)) {
      int depth = 0;
      JsonToken t = in.nextToken();
      if (t == null) {
        return null;
      }
      // doc[0, copied) is written (whitespace dropped) or replaced. A byte-order mark, which the
      // parser skips, is not: the stored form is nested in a JSON line, where it is no JSON
      int copied = bom(doc) ? 3 : 0;
      do {
        switch (t) {
          case START_OBJECT:
          case START_ARRAY:
            depth++;
            break;
          case END_OBJECT:
          case END_ARRAY:
            depth--;
            break;
          case FIELD_NAME:
          case VALUE_TRUE:
          case VALUE_FALSE:
          case VALUE_NULL:
            break;
          case VALUE_STRING:
            {
              String s = in.getText();
              if (!keptAsItIs(s)) {
                long at = in.currentTokenLocation().getByteOffset();
                if (at < copied || at >= doc.length || doc[(int) at] != '"') {
                  return null; // not where a string starts: let the tree decide
                }
                int quote = (int) at;
                out.compact(doc, copied, quote);
                out.quoted(p.of(s));
                copied = stringEnd(doc, quote);
              }
              break;
            }
          case VALUE_NUMBER_INT:
            in.getNumberType(); // parsed as the tree parses it: its limits apply
            break;
          case VALUE_NUMBER_FLOAT:
            in.getDecimalValue(); // a number no BigDecimal holds makes the tree fail too
            break;
          default:
            return null;
        }
        t = depth == 0 ? null : in.nextToken();
      } while (t != null);
      if (depth != 0 || in.nextToken() != null) {
        return null; // cut short, or trailing tokens
      }
      out.compact(doc, copied, doc.length);
    } catch (IOException | RuntimeException ex) {
      return null;
    }
    return out.bytes();
  }

  /** Whether {@code doc} opens with UTF-8's byte-order mark (U+FEFF). */
  private static boolean bom(byte[] doc) {
    return doc.length >= 3
        && doc[0] == (byte) 0xEF
        && doc[1] == (byte) 0xBB
        && doc[2] == (byte) 0xBF;
  }

  /** The index after the closing quote of the string (already parsed) that opens at {@code q}. */
  private static int stringEnd(byte[] doc, int q) {
    int i = q + 1;
    while (doc[i] != '"') {
      i += doc[i] == '\\' ? 2 : 1; // no escape holds a quote (u is followed by hex digits)
    }
    return i + 1;
  }

  /** {@code root} as compact JSON, written iteratively (no recursion, whatever the depth). */
  private static String write(JsonNode root) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = WRITER.createGenerator(w)) {
      record Frame(Iterator<?> children, boolean object) {}
      ArrayDeque<Frame> stack = new ArrayDeque<>();
      JsonNode next = root;
      while (true) {
        if (next != null) {
          if (next.isObject()) {
            g.writeStartObject();
            stack.push(new Frame(next.fields(), true));
          } else if (next.isArray()) {
            g.writeStartArray();
            stack.push(new Frame(next.elements(), false));
          } else if (next.isNull()) {
            g.writeNull(); // NullNode.serialize needs a serializer provider
          } else {
            ((ValueNode) next).serialize(g, null); // strings, numbers as parsed, booleans
          }
          next = null;
        }
        Frame top = stack.peek();
        if (top == null) {
          break;
        }
        if (top.children().hasNext()) {
          Object child = top.children().next();
          if (top.object()) {
            @SuppressWarnings("unchecked")
            Map.Entry<String, JsonNode> e = (Map.Entry<String, JsonNode>) child;
            g.writeFieldName(e.getKey());
            next = e.getValue();
          } else {
            next = (JsonNode) child;
          }
        } else {
          stack.pop();
          if (top.object()) {
            g.writeEndObject();
          } else {
            g.writeEndArray();
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** {@code root} (a tree of its own, changed in place) with its strings pseudonymised. */
  private static JsonNode json(JsonNode root, Pseudonyms p) {
    if (!root.isContainerNode()) {
      return scalar(root, p);
    }
    JsonNode copy = root;
    ArrayDeque<JsonNode> todo = new ArrayDeque<>();
    todo.push(copy);
    while (!todo.isEmpty()) {
      JsonNode n = todo.pop();
      if (n instanceof ObjectNode o) {
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> c = it.next();
          if (c.getValue().isContainerNode()) {
            todo.push(c.getValue());
          } else if (c.getValue().isTextual()) {
            c.setValue(scalar(c.getValue(), p));
          }
        }
      } else if (n instanceof ArrayNode arr) {
        for (int i = 0; i < arr.size(); i++) {
          JsonNode c = arr.get(i);
          if (c.isContainerNode()) {
            todo.push(c);
          } else if (c.isTextual()) {
            arr.set(i, scalar(c, p));
          }
        }
      }
    }
    return copy;
  }

  private static JsonNode scalar(JsonNode n, Pseudonyms p) {
    if (!n.isTextual()) {
      return n;
    }
    String s = n.textValue();
    return keptAsItIs(s) ? n : TextNode.valueOf(p.of(s));
  }

  /** lenientTypes compares a string holding a number or a boolean with that number or boolean. */
  static boolean keptAsItIs(String s) {
    return s.equals("true") || s.equals("false") || JsonComparator.lenientNumber(s) != null;
  }

  /**
   * The element written back with names kept, attribute values (not namespace declarations)
   * pseudonymised, and its direct text, as the XML comparator reads it, replaced by one
   * pseudonym placed before the children (the comparator's text of an element names its
   * children too, so equal texts stay equal and different ones different).
   */
  private static String xml(Element root, Pseudonyms p) {
    StringBuilder sb = new StringBuilder();
    ArrayDeque<Object> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      Object next = todo.pop();
      if (next instanceof String closing) {
        sb.append(closing);
        continue;
      }
      Element e = (Element) next;
      sb.append('<').append(e.getTagName());
      NamedNodeMap attrs = e.getAttributes();
      for (int i = 0; i < attrs.getLength(); i++) {
        Node at = attrs.item(i);
        String name = at.getNodeName();
        String value =
            name.equals("xmlns") || name.startsWith("xmlns:")
                ? at.getNodeValue()
                : p.of(at.getNodeValue());
        sb.append(' ').append(name).append("=\"").append(escape(value)).append('"');
      }
      sb.append('>');
      String text = XmlComparator.text(e);
      if (!text.isEmpty()) {
        sb.append(p.of(text));
      }
      todo.push("</" + e.getTagName() + ">");
      List<Element> kids = XmlComparator.children(e);
      for (int i = kids.size() - 1; i >= 0; i--) {
        todo.push(kids.get(i));
      }
    }
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace("\"", "&quot;")
        .replace(">", "&gt;");
  }
}
