package dev.shadowtest.diff.run;

import dev.shadowtest.core.Exchange;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.FieldKey;
import dev.shadowtest.diff.Outcome;
import dev.shadowtest.diff.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One line of {@code results.jsonl.gz}: everything known about one replayed exchange. Lines hold
 * all that statistics need, so shard outputs merge exactly.
 *
 * @param endpoint        the endpoint before traffic-wide collapsing
 * @param recordedStatus  status of the recorded response, or null
 * @param primaryStatus   status of the primary's response, or null
 * @param candidateStatus status of the candidate's response, or null
 * @param recordedMicros  the recording's duration, or null
 * @param primaryMicros   the primary's latency, or null
 * @param candidateMicros the candidate's latency, or null
 * @param error           why there is no candidate response (category: message), or why the exchange was skipped
 * @param noiseFields     fields that differed between primary and secondary
 * @param candidateTarget the target the candidate was sent when {@code transforms:} rewrote it, else null
 * @param transforms      what the rules' {@code transforms:} did to this exchange's requests, per target:
 *                        {@code "candidate setHeader Authorization"}, {@code "primary use orderId at path:id"},
 *                        {@code "candidate capture orderId"} (docs/rules.md)
 */
public record ResultLine(
    String id,
    String endpoint,
    String method,
    String target,
    Verdict verdict,
    Integer recordedStatus,
    Integer primaryStatus,
    Integer candidateStatus,
    Long recordedMicros,
    Long primaryMicros,
    Long candidateMicros,
    String error,
    List<Difference> differences,
    Set<FieldKey> noiseFields,
    boolean hadSecondary,
    boolean serverError,
    List<String> notes,
    String candidateTarget,
    List<String> transforms) {

  public ResultLine {
    differences = List.copyOf(differences);
    noiseFields = Set.copyOf(noiseFields);
    notes = List.copyOf(notes);
    transforms = transforms == null ? List.of() : List.copyOf(transforms);
  }

  /** A line without transforms but, possibly, a rewritten candidate target. */
  public ResultLine(
      String id,
      String endpoint,
      String method,
      String target,
      Verdict verdict,
      Integer recordedStatus,
      Integer primaryStatus,
      Integer candidateStatus,
      Long recordedMicros,
      Long primaryMicros,
      Long candidateMicros,
      String error,
      List<Difference> differences,
      Set<FieldKey> noiseFields,
      boolean hadSecondary,
      boolean serverError,
      List<String> notes,
      String candidateTarget) {
    this(
        id,
        endpoint,
        method,
        target,
        verdict,
        recordedStatus,
        primaryStatus,
        candidateStatus,
        recordedMicros,
        primaryMicros,
        candidateMicros,
        error,
        differences,
        noiseFields,
        hadSecondary,
        serverError,
        notes,
        candidateTarget,
        List.of());
  }

  /** This line with what the transforms did. */
  public ResultLine withTransforms(List<String> done) {
    return new ResultLine(
        id,
        endpoint,
        method,
        target,
        verdict,
        recordedStatus,
        primaryStatus,
        candidateStatus,
        recordedMicros,
        primaryMicros,
        candidateMicros,
        error,
        differences,
        noiseFields,
        hadSecondary,
        serverError,
        notes,
        candidateTarget,
        done);
  }

  /**
   * This line after a transform failed on an answered exchange (a value could not be captured): a
   * match becomes an error with {@code why}; a discrepancy stays one, with {@code why} in its notes.
   */
  public ResultLine withTransformFailure(String why) {
    boolean matched = verdict == Verdict.MATCH || verdict == Verdict.NOISE_ONLY;
    List<String> n = new ArrayList<>(notes);
    if (!matched) {
      n.add(why);
    }
    return new ResultLine(
        id,
        endpoint,
        method,
        target,
        matched ? Verdict.CANDIDATE_ERROR : verdict,
        recordedStatus,
        primaryStatus,
        candidateStatus,
        recordedMicros,
        primaryMicros,
        candidateMicros,
        matched ? why : error,
        matched ? List.of() : differences,
        matched ? Set.of() : noiseFields,
        hadSecondary,
        serverError,
        n,
        candidateTarget,
        transforms);
  }

  /** A line without a rewritten candidate request. */
  public ResultLine(
      String id,
      String endpoint,
      String method,
      String target,
      Verdict verdict,
      Integer recordedStatus,
      Integer primaryStatus,
      Integer candidateStatus,
      Long recordedMicros,
      Long primaryMicros,
      Long candidateMicros,
      String error,
      List<Difference> differences,
      Set<FieldKey> noiseFields,
      boolean hadSecondary,
      boolean serverError,
      List<String> notes) {
    this(
        id,
        endpoint,
        method,
        target,
        verdict,
        recordedStatus,
        primaryStatus,
        candidateStatus,
        recordedMicros,
        primaryMicros,
        candidateMicros,
        error,
        differences,
        noiseFields,
        hadSecondary,
        serverError,
        notes,
        null);
  }

  /**
   * The line of a replayed exchange: what the recording holds of it ({@code e}), what the
   * primary and the candidate answered (statuses and latencies, null when they gave none), and
   * the outcome of comparing (null when nothing was compared: an error, a skip).
   */
  public static ResultLine of(
      Exchange e,
      String endpoint,
      Verdict verdict,
      Integer primaryStatus,
      Long primaryMicros,
      Integer candidateStatus,
      Long candidateMicros,
      String error,
      Outcome o,
      List<String> notes,
      String candidateTarget) {
    return new ResultLine(
        e.id(),
        endpoint,
        e.request().method(),
        e.request().target(),
        verdict,
        e.response() == null ? null : e.response().status(),
        primaryStatus,
        candidateStatus,
        e.durationMicros(),
        primaryMicros,
        candidateMicros,
        error,
        o == null ? List.of() : o.differences(),
        o == null ? Set.of() : o.noiseFields(),
        o != null && o.hadSecondary(),
        o != null && o.serverError(),
        notes,
        candidateTarget);
  }

  /** The start of the reason of an exchange skipped because the browser served it from its cache. */
  public static final String SKIPPED_FROM_CACHE =
      "served from the browser cache at capture, it never reached the server";

  /** The reason of a recorded WebSocket handshake: its connection is recorded, never sent again. */
  public static final String SKIPPED_WEBSOCKET =
      "a WebSocket connection (recorded with its messages' counts or transcript); WebSocket is not"
          + " replayed";

  /** The note of an exchange whose recorded body the producer did not keep. */
  public static final String BODY_NOT_CAPTURED =
      "body not captured in the recording (the tool that wrote it left it out):"
          + " status and headers compared, the body not";

  /** True for an exchange skipped because the browser served it from its cache ({@link #SKIPPED_FROM_CACHE}). */
  public boolean skippedFromCache() {
    return verdict == Verdict.SKIPPED && error != null && error.startsWith(SKIPPED_FROM_CACHE);
  }

  /** True for an exchange compared without its body, which the recording does not hold ({@link #BODY_NOT_CAPTURED}). */
  public boolean bodyNotCaptured() {
    return verdict != Verdict.SKIPPED && notes.contains(BODY_NOT_CAPTURED);
  }

  /**
   * True for an exchange whose bodies were compared in part only: one was cut at capture or over
   * {@code --max-body}, and a difference beyond the cut is not seen.
   */
  public boolean bodyCut() {
    if (verdict == Verdict.SKIPPED) {
      return false;
    }
    for (String n : notes) {
      if (n.startsWith(BODY_CUT) || n.startsWith(BODY_CUT_ENCODED)) {
        return true;
      }
    }
    return false;
  }

  /** How the note of a body compared in part begins ({@link #bodyCut}). */
  public static final String BODY_CUT = "body truncated at capture (";

  /** How the note of a compressed body compared in part begins. */
  public static final String BODY_CUT_ENCODED = "body over the capture limit and compressed (";

  /** The outcome for statistics. */
  public Outcome outcome() {
    return new Outcome(verdict, differences, noiseFields, hadSecondary, serverError);
  }
}
