package dev.shadowtest.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How {@link HarImporter} and {@link GorImporter} write a recording: what is redacted, how many
 * bytes of each body are kept, and whether an existing output file may be replaced. Redaction is
 * the credential headers of {@code redaction} plus, when given, a redaction file's rules (JSON
 * paths, query parameters, patterns, more headers), applied by the recorder's {@link Redactor}.
 *
 * <pre>{@code
 * ImportOptions o = ImportOptions.defaults().withMaxBody(1 << 20).withOverwrite(true)
 *     .withRules(RedactionRules.load(Path.of("redact.yaml")));
 * HarImporter.importFile(Path.of("session.har"), Path.of("rec.jsonl"), o);
 * }</pre>
 *
 * @param redaction applied to every exchange before it is written
 * @param maxBody   bytes of each body kept, 0 to {@link #MAX_BODY_LIMIT}; a longer body is cut to
 *                  this many bytes and flagged truncated with its real size, as the recorder's
 *                  {@code --max-body} does
 * @param overwrite replace an existing output file (otherwise refused); the input itself is never
 *                  written over
 * @param rules     a redaction file's rules applied besides {@code redaction} (as {@code shadow
 *                  record --redact} does); {@link RedactionRules#none()} for none. Rules need
 *                  redaction: with {@link Redaction#none()} they are refused
 */
public record ImportOptions(
    Redaction redaction, long maxBody, boolean overwrite, RedactionRules rules) {

  /** The default body limit (10 MiB), the recorder's default {@code --max-body}. */
  public static final long DEFAULT_MAX_BODY = 10L << 20;

  /**
   * The largest body limit (100 MiB): a recording line holds at most 200 MiB
   * ({@link RecordingWriter#MAX_LINE_BYTES}), and base64 grows a body by a third.
   */
  public static final long MAX_BODY_LIMIT = 100L << 20;

  public ImportOptions {
    Objects.requireNonNull(redaction, "redaction");
    Objects.requireNonNull(rules, "rules");
    if (redaction.isEmpty() && !rules.isEmpty()) {
      throw new BadInputException(
          "a redaction file and no redaction contradict each other (--redact with --no-redact)");
    }
    if (maxBody < 0 || maxBody > MAX_BODY_LIMIT) {
      throw new BadInputException(
          "the body limit must be 0 to " + MAX_BODY_LIMIT + " bytes (100 MiB), got " + maxBody);
    }
  }

  /** Without a redaction file. */
  public ImportOptions(Redaction redaction, long maxBody, boolean overwrite) {
    this(redaction, maxBody, overwrite, RedactionRules.none());
  }

  /** Credential headers redacted, bodies up to 10 MiB, an existing output refused. */
  public static ImportOptions defaults() {
    return new ImportOptions(Redaction.defaults(), DEFAULT_MAX_BODY, false);
  }

  public ImportOptions withRedaction(Redaction newRedaction) {
    return new ImportOptions(newRedaction, maxBody, overwrite, rules);
  }

  public ImportOptions withMaxBody(long bytes) {
    return new ImportOptions(redaction, bytes, overwrite, rules);
  }

  public ImportOptions withOverwrite(boolean on) {
    return new ImportOptions(redaction, maxBody, on, rules);
  }

  /** These options with a redaction file's rules applied besides the credential headers. */
  public ImportOptions withRules(RedactionRules newRules) {
    return new ImportOptions(redaction, maxBody, overwrite, newRules);
  }

  /**
   * How each exchange is redacted before it is written: the headers of {@code redaction} alone,
   * or, with rules, the recorder's {@link Redactor} (credential headers, {@code redaction}'s
   * headers and the rules), never following a key (an import writes {@code [REDACTED]}).
   */
  UnaryOperator<Exchange> redactor() {
    return rules.isEmpty() ? redaction::apply : withRules()::apply;
  }

  /** The recorder's redactor for {@code redaction}'s headers plus the rules (no key: [REDACTED]). */
  private Redactor withRules() {
    List<String> headers = new ArrayList<>(redaction.headers());
    headers.addAll(rules.headers());
    return new Redactor(
        new RedactionRules(headers, rules.jsonPaths(), rules.queryParams(), rules.patterns()),
        null,
        (int) Math.min(maxBody, Integer.MAX_VALUE));
  }

  /** What is redacted, as the recording's header line says it: headers, JSON paths, query parameters, patterns. */
  public Redaction applied() {
    return rules.isEmpty() ? redaction : withRules().description();
  }
}
