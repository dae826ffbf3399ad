package dev.shadowtest.recorder;

import java.util.Map;

/**
 * The recorder's counters at one moment.
 *
 * @param proxied        requests answered to clients (upstream answers and 502s alike)
 * @param recorded       exchanges written to the recording
 * @param filtered       exchanges not captured by choice: sampling, method and path filters
 * @param dropped        captured exchanges lost, by reason ({@code queue-full}, {@code write-error}, ...)
 * @param upstreamErrors requests the upstream did not answer (the client got a 502)
 * @param refused        requests refused (CONNECT, absolute-form requests for other hosts)
 * @param clientAborts   responses cut short because the client went away before their end (recorded with
 *                       {@code truncated: true} and the tag {@code shadow.truncated: client-abort})
 * @param upstreamCloses responses cut short because the upstream closed, reset or timed out before the end of the
 *                       body (recorded with {@code truncated: true} and the tag {@code shadow.truncated: upstream-close})
 * @param mirrored       requests copied to the mirror and compared
 * @param mirrorErrors   mirror copies that failed or were dropped
 * @param bodiesCut      recorded bodies cut short because the capture memory budget was spent (the live bodies were not)
 * @param patternOverruns values and bodies masked whole because a {@code --redact} pattern ran over its matching budget
 */
public record RecorderStats(
    long proxied,
    long recorded,
    long filtered,
    Map<String, Long> dropped,
    long upstreamErrors,
    long refused,
    long clientAborts,
    long upstreamCloses,
    long mirrored,
    long mirrorErrors,
    long bodiesCut,
    long patternOverruns) {

  public RecorderStats {
    dropped = Map.copyOf(dropped);
  }

  public long droppedTotal() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One JSON object, for the admin endpoint and logs. */
  public String toJson() {
    StringBuilder d = new StringBuilder("{");
    dropped.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                d.append(d.length() > 1 ? "," : "")
                    .append('"')
                    .append(e.getKey())
                    .append("\":")
                    .append(e.getValue()));
    d.append('}');
    return "{\"proxied\":"
        + proxied
        + ",\"recorded\":"
        + recorded
        + ",\"filtered\":"
        + filtered
        + ",\"dropped\":"
        + d
        + ",\"droppedTotal\":"
        + droppedTotal()
        + ",\"upstreamErrors\":"
        + upstreamErrors
        + ",\"refused\":"
        + refused
        + ",\"clientAborts\":"
        + clientAborts
        + ",\"upstreamCloses\":"
        + upstreamCloses
        + ",\"mirrored\":"
        + mirrored
        + ",\"mirrorErrors\":"
        + mirrorErrors
        + ",\"bodiesCut\":"
        + bodiesCut
        + ",\"patternOverruns\":"
        + patternOverruns
        + "}";
  }

  @Override
  public String toString() {
    return "proxied "
        + proxied
        + ", recorded "
        + recorded
        + ", filtered "
        + filtered
        + ", dropped "
        + droppedTotal()
        + (dropped.isEmpty() ? "" : " " + dropped)
        + ", upstream errors "
        + upstreamErrors
        + ", refused "
        + refused
        + ", client aborts "
        + clientAborts
        + ", upstream closes "
        + upstreamCloses
        + ", mirrored "
        + mirrored
        + ", mirror errors "
        + mirrorErrors
        + (bodiesCut > 0 ? ", bodies cut by the memory budget " + bodiesCut : "")
        + (patternOverruns > 0
            ? ", values redacted whole (a pattern ran over its budget) " + patternOverruns
            : "");
  }
}
