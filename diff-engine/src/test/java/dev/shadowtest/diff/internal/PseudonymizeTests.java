package dev.shadowtest.diff.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shadowtest.diff.BodyComparator;
import dev.shadowtest.diff.Pseudonyms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The stored form of JSON bodies is written token by token; it must read back as the tree form
 * (the slower reference) reads back, for valid and invalid documents alike.
 */
class PseudonymizeTests {

  static final List<String> DOCUMENTS =
      List.of(
          "{\"id\":\"a1\",\"n\":12,\"x\":1.50,\"e\":2e3,\"big\":123456789012345678901234567890,"
              + "\"neg\":-0,\"t\":true,\"f\":false,\"z\":null,\"s\":\"7\",\"b\":\"true\","
              + "\"arr\":[\"x\",\"y\",[],{}],\"o\":{\"k\":\"v\",\"u\":\"é\\u00e9\\n\"}}",
          "\"just a string\"",
          "42",
          "null",
          "[]",
          "  [1, \"two\", {\"3\": [\"four\"]}]  \n",
          "{\"a\":\"\\ud800\"}",
          "{\"\\ud800\":\"name with a lone surrogate\"}",
          "{\"a\":1,\"a\":2}", // duplicate keys: no JSON to the comparison
          "{\"a\":1} {\"b\":2}", // trailing tokens
          "{\"a\":1",
          "[1,2,]",
          "",
          "   ",
          "{\"a\":\"-1.5e+3\",\"b\":\"01\",\"c\":\"-\",\"d\":\"1.\"}",
          "[" + "[".repeat(2000) + "\"deep\"" + "]".repeat(2000) + "]");

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** What re-judging reads of a stored body: its tree when JSON, else its bytes as text. */
  static Object read(byte[] stored, String comparator) {
    if (!comparator.equals("json")) {
      return comparator + ":" + new String(stored, StandardCharsets.UTF_8);
    }
    try {
      JsonNode n = Json.MAPPER.readTree(stored);
      return n;
    } catch (IOException e) {
      throw new AssertionError("the stored form is no JSON: " + e);
    }
  }

  static void sameAsTheTree(byte[] e, byte[] a) {
    Pseudonyms p = Pseudonyms.random();
    BodyComparator.Stored streamed = Pseudonymize.json(e, a, p);
    BodyComparator.Stored tree = Pseudonymize.tree(e, a, p);
    String what =
        new String(e, StandardCharsets.UTF_8) + " / " + new String(a, StandardCharsets.UTF_8);
    assertThat(streamed.comparator()).as(what).isEqualTo(tree.comparator());
    assertThat(read(streamed.expected(), streamed.comparator()))
        .as(what)
        .isEqualTo(read(tree.expected(), tree.comparator()));
    assertThat(read(streamed.actual(), streamed.comparator()))
        .as(what)
        .isEqualTo(read(tree.actual(), tree.comparator()));
  }

  @Test
  void everyDocumentIsStoredAsTheTreeStoresIt() {
    for (String e : DOCUMENTS) {
      for (String a : DOCUMENTS) {
        sameAsTheTree(utf8(e), utf8(a));
      }
    }
  }

  @Test
  void identicalBodiesAreStoredOnceAndAlike() {
    byte[] doc = utf8(DOCUMENTS.get(0));
    BodyComparator.Stored s = Pseudonymize.json(doc, doc.clone(), Pseudonyms.random());
    assertThat(s.actual()).isSameAs(s.expected());
    assertThat(new String(s.expected(), StandardCharsets.UTF_8))
        .doesNotContain("\"a1\"") // a random pseudonym may hold the letters a1, never the value
        .contains("\"id\":\"" + Pseudonyms.PREFIX)
        .contains("\"s\":\"7\"", "\"b\":\"true\"", "1.50", "123456789012345678901234567890");
  }

  @Test
  void theStoredFormIsTheDocumentsOwnBytesWithStringsReplaced() {
    // names, numbers and kept strings exactly as written, escapes included; whitespace between
    // tokens dropped, whitespace inside names and strings kept; a byte-order mark dropped (the
    // stored form is nested in a JSON line, where no JSON holds one)
    byte[] doc =
        utf8(
            "\uFEFF { \"a b\" : [ \"\\u0037\" , 1.50e0 ,\t-0 , \"x\\\"y\" ],\r\n"
                + "\"\\u00e9\\\"\":\"true\" , \"n\": null }\n ");
    Pseudonyms p = Pseudonyms.random();
    BodyComparator.Stored s = Pseudonymize.json(doc, doc, p);
    assertThat(s.comparator()).isEqualTo("json");
    assertThat(new String(s.expected(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"a b\":[\"\\u0037\",1.50e0,-0,\""
                + p.of("x\"y")
                + "\"],\"\\u00e9\\\"\":\"true\",\"n\":null}");
    sameAsTheTree(doc, doc);
  }

  @Test
  void mutatedDocumentsAreStoredAsTheTreeStoresThem() {
    Random random = new Random(19);
    String alphabet = "{}[]\",:0123456789.-+eEtrufalsn \\u\\ud800é";
    for (int i = 0; i < 3_000; i++) {
      StringBuilder doc = new StringBuilder(DOCUMENTS.get(random.nextInt(7)));
      for (int m = random.nextInt(4); m > 0 && doc.length() > 0; m--) {
        int at = random.nextInt(doc.length());
        switch (random.nextInt(3)) {
          case 0:
            doc.deleteCharAt(at);
            break;
          case 1:
            doc.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
            break;
          default:
            doc.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      List<byte[]> pair = new ArrayList<>(List.of(utf8(doc.toString()), utf8(DOCUMENTS.get(0))));
      sameAsTheTree(pair.get(0), pair.get(1));
      sameAsTheTree(pair.get(1), pair.get(0));
    }
  }
}
