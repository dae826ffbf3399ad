package dev.shadowtest.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Tells a JSON or XML text cut short by the tool that wrote it from a complete one: the text
 * parses up to its very end and stops inside a value or element. Text that is broken elsewhere is
 * a real (broken) body, not a cut one.
 */
final class Syntax {

  private static final XMLInputFactory XML = xmlFactory();

  /** Bodies may nest deeper than recordings do; the parser streams, so depth costs nothing. */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(100_000).build())
          .build();

  private Syntax() {}

  /** True when {@code bytes}, declared as {@code mediaType}, is JSON or XML that ends too early. */
  static boolean endsEarly(byte[] bytes, String mediaType) {
    String mt = mediaType == null ? "" : mediaType.toLowerCase(Locale.ROOT);
    if (bytes.length == 0) {
      return false;
    }
    if (mt.contains("json")) {
      return jsonEndsEarly(bytes);
    }
    if (mt.contains("xml")) {
      return xmlEndsEarly(bytes);
    }
    return false;
  }

  static boolean jsonEndsEarly(byte[] bytes) {
    try (JsonParser p = JSON.createParser(bytes)) {
      int depth = 0;
      boolean any = false;
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        any = true;
        if (t.isStructStart()) {
          depth++;
        } else if (t.isStructEnd()) {
          depth--;
        }
      }
      return any && depth > 0;
    } catch (JsonEOFException e) {
      return true; // inside a string, an object or an array when the text ended
    } catch (JsonProcessingException e) {
      // a literal cut short ({"a":tr) fails at its start: what follows is a prefix of a literal
      long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      if (at < 0 || at >= bytes.length) {
        return at >= 0;
      }
      String tail =
          new String(bytes, (int) at, bytes.length - (int) at, StandardCharsets.UTF_8).strip();
      return !tail.isEmpty()
          && ("true".startsWith(tail) || "false".startsWith(tail) || "null".startsWith(tail));
    } catch (IOException e) {
      return false; // broken before its end: whatever it is, it was not cut
    }
  }

  static boolean xmlEndsEarly(byte[] bytes) {
    XMLStreamReader r = null;
    int depth = 0;
    boolean started = false;
    try {
      r = XML.createXMLStreamReader(new ByteArrayInputStream(bytes));
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamReader.START_ELEMENT) {
          depth++;
          started = true;
        } else if (event == XMLStreamReader.END_ELEMENT) {
          depth--;
        }
      }
      return false;
    } catch (XMLStreamException e) {
      // the parser stops at the end of the input when an element is still open; a mismatched
      // end tag there is a broken document, not a cut one
      int at = e.getLocation() == null ? -1 : e.getLocation().getCharacterOffset();
      String text =
          new String(bytes, StandardCharsets.UTF_8).stripTrailing(); // offsets count characters
      String why = String.valueOf(e.getMessage());
      return started
          && depth > 0
          && (at < 0 || at >= text.length() - 1)
          && !why.contains("end-tag");
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // nothing held
        }
      }
    }
  }

  private static int lastNonSpace(byte[] bytes) {
    int i = bytes.length - 1;
    while (i > 0 && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
      i--;
    }
    return i;
  }

  private static XMLInputFactory xmlFactory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    // recorded bodies are attacker-controlled: no DTDs, no external entities
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    try {
      f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    } catch (IllegalArgumentException ignored) {
      // not every implementation knows it; DTDs are off anyway
    }
    return f;
  }
}
