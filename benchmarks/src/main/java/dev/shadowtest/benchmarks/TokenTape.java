package dev.shadowtest.benchmarks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * A JSON-Lines document as a flat, pre-tokenized tape (token kinds, strings, numbers), so that
 * replaying it into a {@link JsonGenerator} measures the raw cost of producing the bytes with
 * Jackson's streaming API and nothing else: no model objects, no field lookups.
 */
final class TokenTape {

  private static final byte K_START_OBJECT = 1;
  private static final byte K_END_OBJECT = 2;
  private static final byte K_START_ARRAY = 3;
  private static final byte K_END_ARRAY = 4;
  private static final byte K_FIELD_NAME = 5;
  private static final byte K_STRING = 6;
  private static final byte K_NUMBER = 7;
  private static final byte K_TRUE = 8;
  private static final byte K_FALSE = 9;
  private static final byte K_NULL = 10;

  /** End of one root value: a line break follows. */
  private static final byte K_END_LINE = 11;

  private byte[] kinds = new byte[1 << 16];
  private int kindCount;
  private String[] strings = new String[1 << 16];
  private int stringCount;
  private long[] numbers = new long[1 << 10];
  private int numberCount;
  private int lines;

  /** Tokenizes every root value {@code p} yields (one per line of a JSON-Lines stream). */
  static TokenTape record(JsonParser p) throws IOException {
    TokenTape tape = new TokenTape();
    int depth = 0;
    for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
      switch (t) {
        case START_OBJECT -> {
          tape.kind(K_START_OBJECT);
          depth++;
        }
        case END_OBJECT -> {
          tape.kind(K_END_OBJECT);
          depth--;
        }
        case START_ARRAY -> {
          tape.kind(K_START_ARRAY);
          depth++;
        }
        case END_ARRAY -> {
          tape.kind(K_END_ARRAY);
          depth--;
        }
        case FIELD_NAME -> tape.string(K_FIELD_NAME, p.currentName());
        case VALUE_STRING -> tape.string(K_STRING, p.getText());
        case VALUE_NUMBER_INT -> tape.number(p.getLongValue());
        case VALUE_TRUE -> tape.kind(K_TRUE);
        case VALUE_FALSE -> tape.kind(K_FALSE);
        case VALUE_NULL -> tape.kind(K_NULL);
        default -> throw new IOException("unexpected token in a recording: " + t);
      }
      if (depth == 0) {
        tape.kind(K_END_LINE);
        tape.lines++;
      }
    }
    tape.kinds = Arrays.copyOf(tape.kinds, tape.kindCount);
    tape.strings = Arrays.copyOf(tape.strings, tape.stringCount);
    tape.numbers = Arrays.copyOf(tape.numbers, tape.numberCount);
    return tape;
  }

  /**
   * Writes the tape to {@code g}, each root value followed by '\n' (the generator must have no
   * root value separator). Returns the number of lines written.
   */
  int replay(JsonGenerator g) throws IOException {
    final byte[] k = kinds;
    final String[] s = strings;
    final long[] n = numbers;
    int si = 0;
    int ni = 0;
    for (int i = 0; i < k.length; i++) {
      switch (k[i]) {
        case K_START_OBJECT -> g.writeStartObject();
        case K_END_OBJECT -> g.writeEndObject();
        case K_START_ARRAY -> g.writeStartArray();
        case K_END_ARRAY -> g.writeEndArray();
        case K_FIELD_NAME -> g.writeFieldName(s[si++]);
        case K_STRING -> g.writeString(s[si++]);
        case K_NUMBER -> g.writeNumber(n[ni++]);
        case K_TRUE -> g.writeBoolean(true);
        case K_FALSE -> g.writeBoolean(false);
        case K_NULL -> g.writeNull();
        case K_END_LINE -> g.writeRaw('\n');
        default -> throw new IllegalStateException("corrupt tape at " + i);
      }
    }
    return lines;
  }

  int lines() {
    return lines;
  }

  int tokens() {
    return kinds.length - lines;
  }

  private void kind(byte kind) {
    if (kindCount == kinds.length) {
      kinds = Arrays.copyOf(kinds, kinds.length * 2);
    }
    kinds[kindCount++] = kind;
  }

  private void string(byte kind, String value) {
    kind(kind);
    if (stringCount == strings.length) {
      strings = Arrays.copyOf(strings, strings.length * 2);
    }
    strings[stringCount++] = value;
  }

  private void number(long value) {
    kind(K_NUMBER);
    if (numberCount == numbers.length) {
      numbers = Arrays.copyOf(numbers, numbers.length * 2);
    }
    numbers[numberCount++] = value;
  }
}
