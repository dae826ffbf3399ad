package dev.shadowtest.diff;

import dev.shadowtest.core.HttpResponse;
import java.util.List;

/**
 * A compared pair of responses as a run keeps it for re-judging ({@link
 * DiffEngine#store}): each side's address replaced, bodies decoded, values pseudonymised where the
 * comparison only needs equality. {@link DiffEngine#compare(StoredPair, EndpointRule)} judges it
 * under any rules as {@link DiffEngine#compare(HttpResponse, Origin, HttpResponse, Origin,
 * EndpointRule)} judges the responses as they came, except for rules that need values this form
 * does not keep (see docs/run-format.md).
 *
 * @param kind              the body comparator that judges the stored bodies; {@link #UNSTORED}
 *     and its name when it keeps no stored form (the pair cannot be judged again)
 * @param originsNormalized whether the sides' addresses were replaced (the rule's
 *     normalizeOrigins); null when neither side had an address to replace
 * @param rawHeaders        lower-case names of headers kept as they came (Content-Type and every
 *     header the rules normalise), all other header values are pseudonymised
 * @param notes             what the comparison noted of the bodies as they came (decoding)
 */
public record StoredPair(
    HttpResponse expected,
    HttpResponse actual,
    String kind,
    Boolean originsNormalized,
    List<String> rawHeaders,
    List<String> notes) {
  /** The start of {@code kind} for a pair whose comparator keeps no stored form. */
  public static final String UNSTORED = "unstored:";

  public StoredPair {
    rawHeaders = List.copyOf(rawHeaders);
    notes = List.copyOf(notes);
  }
}
