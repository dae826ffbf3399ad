package dev.shadowtest.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonStringCutterTests {

  /** A string as the parser saw it, and its cut (null when the parser saw all of it). */
  record Value(String parsed, JsonStringCutter.Cut cut) {
    /** All that was kept of the string. */
    String kept() {
      return cut == null
          ? parsed
          : new String(
              cut.utf8(parsed.getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE),
              StandardCharsets.UTF_8);
    }
  }

  /** Every string value of {@code json} read through a cutter, by field name. */
  static Map<String, Value> parse(String json, int parsed, long kept) throws IOException {
    JsonStringCutter cutter =
        new JsonStringCutter(
            new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), parsed, kept);
    Map<String, Value> out = new LinkedHashMap<>();
    try (JsonParser p = new JsonFactory().createParser(cutter)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.VALUE_STRING) {
          long at = p.currentTokenLocation().getByteOffset();
          String text = p.getText();
          String name =
              p.currentName() != null
                  ? p.currentName()
                  : p.getParsingContext().getParent().getCurrentName();
          out.put(name, new Value(text, cutter.cutAt(at)));
        }
      }
    }
    return out;
  }

  @Test
  void theParserSeesAPrefixAndTheRestIsKeptUpToTheLimit() throws IOException {
    Map<String, Value> v =
        parse(
            "{\"a\": \""
                + "x".repeat(5000)
                + "\", \"b\": \"short\", \"c\": [\""
                + "y".repeat(300)
                + "\"]}",
            100,
            1000);
    assertThat(v.get("a").parsed()).isEqualTo("x".repeat(100));
    assertThat(v.get("a").kept()).isEqualTo("x".repeat(1000));
    assertThat(v.get("a").cut().whole()).isFalse();
    assertThat(v.get("a").cut().utf8Bytes()).isEqualTo(5000);
    assertThat(v.get("b")).isEqualTo(new Value("short", null));
    assertThat(v.get("c").parsed()).hasSize(100);
    assertThat(v.get("c").kept()).isEqualTo("y".repeat(300));
    assertThat(v.get("c").cut().whole()).isTrue();
  }

  @Test
  void noBoundarySplitsAMultiByteCharacterAnEscapeOrASurrogatePair() throws IOException {
    String json =
        "{\"utf8\": \""
            + "é".repeat(100)
            + "\", \"escaped\": \""
            + "\\u00e9\\n\\\"".repeat(100)
            + "\", \"emoji\": \""
            + "\\ud83d\\ude00".repeat(100)
            + "\"}";
    Map<String, Value> whole = parse(json, 51, 10_000);
    assertThat(whole.get("utf8").parsed()).isEqualTo("é".repeat(26));
    assertThat(whole.get("utf8").kept()).isEqualTo("é".repeat(100));
    assertThat(whole.get("escaped").kept()).isEqualTo("é\n\"".repeat(100));
    assertThat(whole.get("emoji").parsed()).isEqualTo("😀".repeat(5));
    assertThat(whole.get("emoji").kept()).isEqualTo("😀".repeat(100));
    Map<String, Value> cut = parse(json, 51, 101);
    assertThat(cut.get("utf8").kept()).isEqualTo("é".repeat(51));
    assertThat(cut.get("emoji").kept()).isEqualTo("😀".repeat(9));
  }

  @Test
  void theRealSizeIsTheDecodedSizeOfTheWholeString() throws IOException {
    Map<String, Value> v =
        parse(
            "{\"utf8\": \""
                + "é".repeat(100)
                + "\", \"escaped\": \""
                + "\\u00e9".repeat(100)
                + "\", \"emoji\": \""
                + "\\ud83d\\ude00".repeat(10)
                + "\", \"b64\": \""
                + "QUJD\\n".repeat(40)
                + "\"}",
            8,
            16);
    assertThat(v.get("utf8").cut().utf8Bytes()).isEqualTo(200);
    assertThat(v.get("escaped").cut().utf8Bytes()).isEqualTo(200);
    assertThat(v.get("emoji").cut().utf8Bytes()).isEqualTo(40);
    assertThat(v.get("b64").cut().utf8Bytes()).isEqualTo(200);
    assertThat(v.get("b64").cut().base64Bytes()).isEqualTo(120);
  }

  @Test
  void cutsNobodyAsksForAreForgottenWithTheirText() throws IOException {
    StringBuilder json = new StringBuilder("{\"skipped\": [");
    for (int i = 0; i < 10; i++) {
      json.append('"').append("z".repeat(200)).append("\",");
    }
    json.append("\"last\"]}");
    JsonStringCutter cutter =
        new JsonStringCutter(
            new ByteArrayInputStream(json.toString().getBytes(StandardCharsets.UTF_8)), 50, 100);
    try (JsonParser p = new JsonFactory().createParser(cutter)) {
      p.nextToken();
      p.nextToken();
      p.nextToken();
      long first = p.currentTokenLocation().getByteOffset();
      p.nextToken();
      p.skipChildren();
      assertThatThrownBy(() -> cutter.cutAt(first)).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void utf16IsRefused() {
    byte[] utf16 = "{\"a\": \"b\"}".getBytes(StandardCharsets.UTF_16LE);
    assertThatThrownBy(
            () ->
                new JsonStringCutter(new ByteArrayInputStream(utf16), 10, 10)
                    .read(new byte[10], 0, 10))
        .isInstanceOf(CharConversionException.class);
  }
}
