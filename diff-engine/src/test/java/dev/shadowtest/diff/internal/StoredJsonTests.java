package dev.shadowtest.diff.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shadowtest.diff.Pseudonyms;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-pass stored form gives the parser-driven one's bytes for every document it accepts, and
 * leaves to the parser what it does not read exactly as the parser does.
 */
class StoredJsonTests {

  private static final Pseudonyms P = Pseudonyms.random();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Null, or the parser path's bytes; true when accepted. */
  private static boolean sameOrLeft(byte[] doc) {
    byte[] fast = StoredJson.of(doc, P);
    if (fast == null) {
      return false;
    }
    byte[] parsed = Pseudonymize.parsed(doc, P);
    assertThat(parsed)
        .as(
            "the parser path must write what the fast path wrote for %s",
            new String(doc, StandardCharsets.UTF_8))
        .isNotNull();
    assertThat(new String(fast, StandardCharsets.UTF_8))
        .as(new String(doc, StandardCharsets.UTF_8))
        .isEqualTo(new String(parsed, StandardCharsets.UTF_8));
    assertThat(fast).isEqualTo(parsed);
    return true;
  }

  @Test
  void documentsOfTheUsualKindsAreStoredInOnePassAsTheParserStoresThem() {
    String[] accepted = {
      "{}",
      "[]",
      " {\"a\" : \"x\" ,\n\t\"b\":[1,-2.5e+3,0,-0.0E-1,true,false,null,\"12\",\"true\",{}]}\r\n",
      "{\"name\":\"Zoë Müller 中文 😀\",\"quote\":\"say \\\"hi\\\"\\n\","
          + "\"u\":\"\\u00e9\\ud83d\\ude00\"}",
      "{\"lone\":\"\\ud800\",\"slash\":\"a\\/b\","
          + "\"ctl\":\"\\b\\f\\r\\t\\u0000\",\"kept\":\"\\u0031\"}",
      "[[[[\"deep\"]]]]",
      "[1e"
          + "9".repeat(StoredJson.MAX_EXPONENT)
          + ",-2E-"
          + "9".repeat(StoredJson.MAX_EXPONENT)
          + "]",
      "{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}", // the same name in different objects
      "{\"é\":1,\"e\":2,\"\":3}",
      "[\"~p:looks like a pseudonym\", \"\u007f\u0080\"]",
    };
    for (String doc : accepted) {
      assertThat(sameOrLeft(utf8(doc))).as(doc).isTrue();
    }
  }

  @Test
  void whatItDoesNotReadAsTheParserDoesIsLeftToTheParser() {
    String[] left = {
      "",
      "   ",
      "\"root string\"",
      "42",
      "null",
      "\uFEFF{}", // not a container at the root
      "{\"a\":1,\"a\":2}", // duplicate names
      "{\"a\\u0062\":1}", // a name with an escape
      "{\"a\":01}",
      "{\"a\":1.}",
      "{\"a\":-}",
      "{\"a\":.5}",
      "{\"a\":+1}",
      "{\"a\":1e}",
      "{\"a\":tru}",
      "{\"a\":truex}",
      "{\"a\":nul}",
      "[1,]",
      "[,1]",
      "{\"a\"}",
      "{\"a\":1,}",
      "{\"a\":1} x",
      "{\"a\":1}{}",
      "{\"a\":\"x\\q\"}",
      "{\"a\":\"\\u12G4\"}",
      "{\"a\":\"\t\"}",
      "{\"a\":1",
      "[\"open",
      "{\"a\":\"x\\",
      "[" + "[".repeat(StoredJson.MAX_DEPTH) + "]".repeat(StoredJson.MAX_DEPTH + 1),
      "[1" + "0".repeat(StoredJson.MAX_NUMBER) + "]",
      "[1e" + "9".repeat(StoredJson.MAX_EXPONENT + 1) + "]",
      "[12345e789012345678901234567890]",
      "{\"" + "n".repeat(StoredJson.MAX_NAME + 1) + "\":1}",
    };
    for (String doc : left) {
      assertThat(StoredJson.of(utf8(doc), P)).as(doc).isNull();
    }
    StringBuilder many = new StringBuilder("{");
    for (int k = 0; k <= StoredJson.MAX_NAMES; k++) {
      many.append(k == 0 ? "" : ",").append("\"k").append(k).append("\":").append(k);
    }
    assertThat(StoredJson.of(utf8(many.append('}').toString()), P)).isNull();
    assertThat(StoredJson.of(utf8(many.toString().replace(",\"k128\":128", "")), P)).isNotNull();
    // bytes that are not strictly valid UTF-8: overlong, a surrogate, past U+10FFFF, a lone
    // continuation byte, a sequence cut short
    int[][] invalid = {
      {0xC0, 0x80}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0x80}, {0xE2, 0x82}
    };
    for (int[] bad : invalid) {
      for (String around : new String[] {"[\"%s\"]", "{\"%s\":1}"}) {
        byte[] prefix = utf8(around.substring(0, around.indexOf("%s")));
        byte[] suffix = utf8(around.substring(around.indexOf("%s") + 2));
        byte[] doc = new byte[prefix.length + bad.length + suffix.length];
        System.arraycopy(prefix, 0, doc, 0, prefix.length);
        for (int k = 0; k < bad.length; k++) {
          doc[prefix.length + k] = (byte) bad[k];
        }
        System.arraycopy(suffix, 0, doc, prefix.length + bad.length, suffix.length);
        assertThat(StoredJson.of(doc, P))
            .as(around + " with " + bad.length + " bad bytes")
            .isNull();
      }
    }
  }

  @Test
  void randomDocumentsAndTheirMutationsAgreeWithTheParser() {
    Random random = new Random(2026_11_29L);
    int accepted = 0;
    int mutatedAccepted = 0;
    int total = 0;
    for (int n = 0; n < 4_000; n++) {
      StringBuilder sb = new StringBuilder();
      value(sb, random, 0, true);
      byte[] doc = utf8(sb.toString());
      total++;
      accepted += sameOrLeft(doc) ? 1 : 0;
      for (int m = 0; m < 3; m++) {
        byte[] mutated = doc.clone();
        for (int k = 1 + random.nextInt(3); k > 0 && mutated.length > 0; k--) {
          mutated[random.nextInt(mutated.length)] = MUTATIONS[random.nextInt(MUTATIONS.length)];
        }
        mutatedAccepted += sameOrLeft(mutated) ? 1 : 0;
      }
    }
    // most documents are read in one pass, and some mutated ones: the test is not vacuous
    assertThat(accepted).as("documents accepted of %d", total).isGreaterThan(total * 3 / 4);
    assertThat(mutatedAccepted).as("mutated documents accepted").isGreaterThan(total / 10);
  }

  private static final byte[] MUTATIONS = {
    '{',
    '}',
    '[',
    ']',
    '"',
    ',',
    ':',
    '\\',
    '0',
    '-',
    '.',
    'e',
    't',
    'n',
    ' ',
    '\n',
    'u',
    0x01,
    (byte) 0x80,
    (byte) 0xC3,
    (byte) 0xE2,
    (byte) 0xED,
    (byte) 0xF0,
    (byte) 0xFF
  };

  private static final String[] KEYS = {"id", "name", "é", "a b", "items", "", "x", "中"};
  private static final String[] TEXTS = {
    "plain",
    "Zoë",
    "中文",
    "😀",
    "with \\\"quote\\\"",
    "\\n\\t",
    "\\u00e9",
    "\\ud83d\\ude00",
    "\\ud800",
    "12",
    "-1.5e3",
    "true",
    "false",
    "01",
    "",
    "~p:x",
    "a\\/b",
    "\u007f"
  };
  private static final String[] NUMBERS = {
    "0",
    "-0",
    "7",
    "-12",
    "3.25",
    "1e5",
    "1E+5",
    "-2.5e-3",
    "123456789012345678901234567890",
    "0.10"
  };

  private static void value(StringBuilder sb, Random r, int depth, boolean root) {
    int kind = root ? r.nextInt(2) : r.nextInt(depth > 4 ? 5 : 7);
    switch (kind) {
      case 0:
        {
          sb.append('{');
          int n = r.nextInt(5);
          int first = r.nextInt(KEYS.length);
          for (int k = 0; k < n; k++) {
            space(sb, r);
            // distinct names, but now and then a duplicate
            String key = KEYS[r.nextInt(50) == 0 ? first : (first + k) % KEYS.length];
            sb.append(k == 0 ? "" : ",").append('"').append(key);
            sb.append("\":");
            space(sb, r);
            value(sb, r, depth + 1, false);
          }
          sb.append('}');
          break;
        }
      case 1:
        {
          sb.append('[');
          int n = r.nextInt(5);
          for (int k = 0; k < n; k++) {
            sb.append(k == 0 ? "" : ",");
            space(sb, r);
            value(sb, r, depth + 1, false);
          }
          sb.append(']');
          break;
        }
      case 2:
        sb.append('"').append(TEXTS[r.nextInt(TEXTS.length)]).append('"');
        break;
      case 3:
        sb.append(NUMBERS[r.nextInt(NUMBERS.length)]);
        break;
      case 4:
        sb.append(new String[] {"true", "false", "null"}[r.nextInt(3)]);
        break;
      default:
        value(sb, r, depth + 1, true);
    }
    space(sb, r);
  }

  private static void space(StringBuilder sb, Random r) {
    if (r.nextInt(4) == 0) {
      sb.append(new String[] {" ", "\n", "\r\n  ", "\t"}[r.nextInt(4)]);
    }
  }
}
