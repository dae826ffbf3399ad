package dev.shadowtest.diff;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The effective rule for one endpoint: the rules file's defaults with the endpoint's entry
 * applied on top (lists add up, scalars override).
 *
 * @param match              the endpoint template, or null for the defaults
 * @param ignoreHeaders      header names not compared (case-insensitive)
 * @param json               how JSON bodies are compared
 * @param skip               exchanges of this endpoint are not replayed or compared
 * @param maxDiscrepancyRate per-endpoint gate override (0.01 = 1%), or null for the run's gate
 * @param line               the line of the entry in the rules file (0 for defaults and built-ins)
 */
public record EndpointRule(
    EndpointTemplate match,
    Set<String> ignoreHeaders,
    JsonOptions json,
    boolean skip,
    Double maxDiscrepancyRate,
    int line) {

  /** Framing and hop-by-hop headers, and Date: never compared (DESIGN.md). */
  public static final List<String> ALWAYS_IGNORED_HEADERS =
      List.of("Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Date");

  public EndpointRule {
    Set<String> lower = new TreeSet<>();
    for (String h : ignoreHeaders) {
      lower.add(h.toLowerCase(Locale.ROOT));
    }
    for (String h : ALWAYS_IGNORED_HEADERS) {
      lower.add(h.toLowerCase(Locale.ROOT));
    }
    ignoreHeaders = Collections.unmodifiableSet(lower);
  }

  /** The built-in rule: strict JSON, only framing headers and Date ignored. */
  public static EndpointRule builtIn() {
    return new EndpointRule(null, Set.of(), JsonOptions.strict(), false, null, 0);
  }

  /** This rule with one more header left out of comparison. */
  public EndpointRule withIgnoredHeader(String name) {
    Set<String> more = new TreeSet<>(ignoreHeaders);
    more.add(name);
    return new EndpointRule(match, more, json, skip, maxDiscrepancyRate, line);
  }

  /** True when the header named {@code name} (any case) is not compared. */
  public boolean ignoresHeader(String name) {
    return ignoreHeaders.contains(name.toLowerCase(Locale.ROOT));
  }
}
