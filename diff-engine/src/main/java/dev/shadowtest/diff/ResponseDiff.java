package dev.shadowtest.diff;

import java.util.List;

/**
 * The comparison of one expected response with one actual response.
 *
 * @param differences what differs, in order: status, headers, body
 * @param notes       how the bodies were compared when that is worth knowing (e.g. "declared
 *                    JSON but not valid JSON: compared as text", "truncated at capture")
 */
public record ResponseDiff(List<Difference> differences, List<String> notes) {
  public ResponseDiff {
    differences = List.copyOf(differences);
    notes = List.copyOf(notes);
  }

  /** True when nothing differs at all. */
  public boolean same() {
    return differences.isEmpty();
  }

  /** True when every difference is accepted by the rules (or there is none): a match. */
  public boolean matches() {
    return differences.stream().allMatch(Difference::isAccepted);
  }
}
