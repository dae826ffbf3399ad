package dev.shadowtest.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The HMAC key redacted values are pseudonymised with ({@code --redact-key-env}). Held, never
 * handed out: only the {@link Redactor} reads it; its text form hides it.
 */
public final class RedactionKey {

  private final byte[] bytes;

  private RedactionKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A key of these bytes (copied); refused when empty. */
  public static RedactionKey of(byte[] key) {
    if (key.length == 0) {
      throw new BadInputException("a redaction key must not be empty");
    }
    return new RedactionKey(key.clone());
  }

  /** A key of this text's UTF-8 bytes (an environment variable's value). */
  public static RedactionKey of(String key) {
    return of(key.getBytes(StandardCharsets.UTF_8));
  }

  /** For the redactor only: a copy. */
  byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RedactionKey k && MessageDigest.isEqual(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "RedactionKey[hidden]";
  }
}
