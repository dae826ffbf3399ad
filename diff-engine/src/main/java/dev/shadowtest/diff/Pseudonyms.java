package dev.shadowtest.diff;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms for values kept on disk (the responses a run keeps for re-judging): HMAC-SHA256
 * with a key that is never written anywhere, cut to 128 bits. Equal values get equal pseudonyms
 * and different values different ones (barring a 2<sup>-128</sup> collision), so comparisons
 * give the same answers; the values themselves cannot be recovered, nor guessed and checked,
 * without the key. One instance per run; thread-safe.
 */
public final class Pseudonyms {

  /** Every pseudonym starts with this, so a reader of a stored body can tell them from data. */
  public static final String PREFIX = "~p:";

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  /** Pseudonyms already made, for a {@link #memoized()} view; null otherwise. */
  private final Map<String, String> memo;

  /**
   * Pseudonyms of short values made under this key, shared by every view and thread: responses
   * repeat the same short values (states, currencies, enum names) exchange after exchange, and a
   * lookup costs a small fraction of an HMAC. Bounded to {@value #SHARED} values (cleared when
   * full); held in memory only, like the values themselves while they are compared.
   */
  private final ConcurrentHashMap<String, String> shared;

  private static final int SHARED = 16_384;

  /** Values up to this many chars go to {@link #shared}; longer ones are rarely repeated. */
  private static final int SHARED_LENGTH = 48;

  private Pseudonyms(byte[] key) { // a random key, drawn by random(): never written anywhere
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
    this.memo = null;
    this.shared = new ConcurrentHashMap<>();
  }

  private Pseudonyms(Pseudonyms of) {
    this.key = of.key;
    this.macs = of.macs;
    this.memo = new HashMap<>();
    this.shared = of.shared;
  }

  /**
   * The same pseudonyms, remembering those it made: for one pair of responses, whose two sides
   * mostly hold the same values (one HMAC each instead of two). Not thread-safe; bounded to
   * {@value #MEMO} values.
   */
  public Pseudonyms memoized() {
    return new Pseudonyms(this);
  }

  private static final int MEMO = 4096;

  /** Pseudonyms under a fresh random key, held in memory only (the usual case: one per run). */
  public static Pseudonyms random() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return new Pseudonyms(k);
  }

  /** The pseudonym of {@code value}. */
  public String of(String value) {
    if (value.length() <= SHARED_LENGTH) {
      String p = shared.get(value);
      if (p == null) {
        p = of(utf16(value));
        if (shared.size() >= SHARED) {
          shared.clear();
        }
        shared.put(value, p);
      }
      return p;
    }
    if (memo == null) {
      return of(utf16(value));
    }
    String p = memo.get(value);
    if (p == null) {
      p = of(utf16(value));
      if (memo.size() < MEMO) {
        memo.put(value, p);
      }
    }
    return p;
  }

  /** The UTF-16 code units of {@code s}: lossless (a lone surrogate is kept as it is). */
  private static byte[] utf16(String s) {
    byte[] b = new byte[s.length() * 2];
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b[2 * i] = (byte) (c >> 8);
      b[2 * i + 1] = (byte) c;
    }
    return b;
  }

  /** The pseudonym of {@code bytes}. */
  public String of(byte[] bytes) {
    Mac mac = macs.get();
    byte[] h = mac.doFinal(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(h).substring(0, 22);
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(key);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return "Pseudonyms[key hidden]";
  }
}
