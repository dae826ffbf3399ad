package dev.shadowtest.diff.run;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Outcome;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.ResponseDiff;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.StoredPair;
import dev.shadowtest.diff.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Re-judging a stored run with other rules, without replaying it: every result line is judged
 * again from the responses the run kept ({@link ResponsesFile}), as a fresh replay with those
 * rules would judge it (ignore, ignoreHeaders, skip, tolerances, arrays, lenient types, accepted,
 * byStatus, projections, endpoint matching; noise thresholds and gate thresholds apply when the
 * summary is computed). What the stored run cannot tell is refused with a reason ({@link
 * Refused}, exit 2): a run that kept no responses or not all of them, rules that rewrite candidate
 * requests differently, that normalise a header whose values were pseudonymised, that turn address
 * normalisation on or off, or that no longer skip an exchange the run never sent.
 */
public final class Rejudge {

  private Rejudge() {}

  /** Why a run cannot be re-judged with the rules given. */
  public static final class Refused extends BadInputException {
    Refused(String message) {
      super(message);
    }
  }

  /** How many lines were judged again, and how many of them changed verdict. */
  public record Counts(long lines, long changed) {}

  /**
   * Writes to {@code resultsOut} the results of {@code runDir} judged by {@code rules}; {@code
   * own} are the rules the run was judged by.
   *
   * @throws Refused when the run cannot be re-judged with these rules
   */
  public static Counts run(Path runDir, Rules own, Rules rules, Path resultsOut) {
    String advice = ": replay the recording again with the new rules";
    if (!rules.transformsLike(own)) {
      throw new Refused(
          refusal(runDir)
              + ": the new rules rewrite candidate requests differently (transforms:), so the"
              + " candidate would have been asked something else"
              + advice);
    }
    Path stored = runDir.resolve(ResponsesFile.NAME);
    if (!Files.isRegularFile(stored)) {
      throw new Refused(
          refusal(runDir)
              + ": it keeps no responses ("
              + ResponsesFile.NAME
              + "): a run of an older Shadow, a live mirror's run, or a replay with"
              + " --rejudge-budget 0"
              + advice);
    }
    DiffEngine engine = DiffEngine.of(rules);
    Endpoints endpoints = new Endpoints(rules);
    List<String> normalized = rules.normalizedHeaders();
    long[] counts = new long[2]; // lines judged, verdicts changed
    try (ResponsesFile.Reader reader = ResponsesFile.Reader.open(stored);
        ResultsFile out = ResultsFile.create(resultsOut)) {
      ResultsFile.read(
          runDir.resolve(ResultsFile.NAME),
          line -> {
            ResultLine again =
                judge(line, counts[0], reader, engine, endpoints, rules, normalized, runDir);
            counts[0]++;
            if (again.verdict() != line.verdict()) {
              counts[1]++;
            }
            try {
              out.write(again);
            } catch (IOException e) {
              throw new RecordingException(resultsOut, 0, "cannot write: " + e.getMessage(), e);
            }
          });
      ResponsesFile.End end = reader.drain();
      if (end.leftOut() > 0 || end.failed() > 0) {
        throw new Refused(overBudget(runDir, end) + advice);
      }
    } catch (IOException e) {
      throw new RecordingException(resultsOut, 0, "cannot write: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      try {
        Files.deleteIfExists(resultsOut);
      } catch (IOException ignored) {
        // best effort
      }
      throw e;
    }
    return new Counts(counts[0], counts[1]);
  }

  /** The start of every refusal: which run. */
  private static String refusal(Path runDir) {
    return "cannot re-judge " + runDir;
  }

  private static String overBudget(Path runDir, ResponsesFile.End end) {
    if (end.failed() > 0) {
      return refusal(runDir)
          + ": the responses of "
          + end.failed()
          + " exchanges could not be kept (the run's warnings say why)";
    }
    return refusal(runDir)
        + ": it kept the responses of "
        + end.stored()
        + " exchanges within its budget of "
        + (end.budget() >> 20)
        + " MiB (--rejudge-budget) and left "
        + end.leftOut()
        + " out";
  }

  private static ResultLine judge(
      ResultLine line,
      long index,
      ResponsesFile.Reader reader,
      DiffEngine engine,
      Endpoints endpoints,
      Rules rules,
      List<String> normalized,
      Path runDir) {
    String endpoint = endpoints.of(line.method(), line.target());
    EndpointRule rule = rules.ruleFor(line.method(), line.target());
    // the kept responses of this exchange, if it was compared when the run was replayed (a
    // re-judged run keeps them for exchanges its rules skip, so they can be judged again)
    ResponsesFile.Entry next = reader.peek();
    ResponsesFile.Entry entry =
        next != null && next.line() == index && next.id().equals(line.id()) ? reader.next() : null;
    // a fresh replay checks the rule's skip before anything else
    if (rule.skip()) {
      return new ResultLine(
          line.id(),
          endpoint,
          line.method(),
          line.target(),
          Verdict.SKIPPED,
          line.recordedStatus(),
          null,
          null,
          line.recordedMicros(),
          null,
          null,
          "skipped by rule " + rule.match(),
          List.of(),
          Set.of(),
          false,
          false,
          List.of(),
          null);
    }
    if (entry == null) {
      if (line.verdict() == Verdict.SKIPPED
          && line.error() != null
          && line.error().startsWith("skipped by rule ")) {
        throw new Refused(
            refusal(runDir)
                + ": exchange "
                + line.id()
                + " ("
                + line.method()
                + " "
                + line.target()
                + ") was "
                + line.error()
                + " and never sent, and the new rules do not skip it: replay the recording again"
                + " with the new rules");
      }
      boolean compared =
          line.verdict() != Verdict.SKIPPED
              && line.verdict() != Verdict.CANDIDATE_ERROR
              && line.verdict() != Verdict.NO_BASELINE;
      if (compared) {
        ResponsesFile.End end = reader.drain();
        throw new Refused(
            end != null && (end.leftOut() > 0 || end.failed() > 0)
                ? overBudget(runDir, end)
                : refusal(runDir)
                    + ": exchange "
                    + line.id()
                    + " has no kept responses (the files do not belong together)");
      }
      return withEndpoint(line, endpoint); // not compared: errors and skips stay as they were
    }
    check(entry.candidate(), rule, normalized, line, runDir);
    if (entry.noise() != null) {
      check(entry.noise(), rule, normalized, line, runDir);
    }
    ResponseDiff candidate = engine.compare(entry.candidate(), rule);
    ResponseDiff noise = entry.noise() == null ? null : engine.compareLegacy(entry.noise(), rule);
    Outcome o = Outcome.compared(candidate, noise, entry.candidate().actual().status());
    List<String> notes = new ArrayList<>(candidate.notes());
    notes.addAll(entry.notes());
    return new ResultLine(
        line.id(),
        endpoint,
        line.method(),
        line.target(),
        o.verdict(),
        line.recordedStatus(),
        entry.primaryStatus(),
        entry.candidate().actual().status(),
        line.recordedMicros(),
        entry.primaryMicros(),
        entry.candidateMicros(),
        null,
        values(o.differences(), line.differences()),
        o.noiseFields(),
        o.hadSecondary(),
        o.serverError(),
        notes,
        entry.candidateTarget(),
        line.transforms());
  }

  private static void check(
      StoredPair p, EndpointRule rule, List<String> normalized, ResultLine line, Path runDir) {
    if (p.kind().startsWith(StoredPair.UNSTORED)) {
      throw new Refused(
          refusal(runDir)
              + ": exchange "
              + line.id()
              + " was compared by the body comparator \""
              + p.kind().substring(StoredPair.UNSTORED.length())
              + "\", which keeps no stored form (BodyComparator.store): replay the recording"
              + " again with the new rules");
    }
    EndpointRule r = rule.forStatus(p.expected().status());
    if (p.originsNormalized() != null && p.originsNormalized() != r.normalizeOrigins()) {
      throw new Refused(
          refusal(runDir)
              + ": the new rules turn normalizeOrigins "
              + (r.normalizeOrigins() ? "on" : "off")
              + " for "
              + line.method()
              + " "
              + line.target()
              + ", and the run kept its responses with the addresses "
              + (p.originsNormalized() ? "replaced" : "as they were")
              + ": replay the recording again with the new rules");
    }
    for (String h : normalized) {
      if (!h.equals("content-type") && !p.rawHeaders().contains(h)) {
        throw new Refused(
            refusal(runDir)
                + ": the new rules normalise header "
                + h
                + " (normalizeHeaders), whose values the run kept pseudonymised (it keeps"
                + " values as they came only for headers its own rules normalise): replay the"
                + " recording again with the new rules");
      }
    }
  }

  /**
   * The differences found again, with the values the run's own results showed for the same
   * place and kind; a value known only by its pseudonym is shown as not kept.
   */
  private static List<Difference> values(List<Difference> found, List<Difference> before) {
    Map<String, Difference> known = new HashMap<>();
    for (Difference d : before) {
      known.putIfAbsent(d.path() + "\u0000" + d.type(), d);
    }
    List<Difference> out = new ArrayList<>(found.size());
    for (Difference d : found) {
      Difference k = known.get(d.path() + "\u0000" + d.type());
      String expected = k != null ? k.expected() : shown(d.expected());
      String actual = k != null ? k.actual() : shown(d.actual());
      out.add(new Difference(d.path(), d.field(), d.type(), expected, actual, d.accepted()));
    }
    return out;
  }

  private static String shown(String v) {
    return v != null && v.contains(Pseudonyms.PREFIX)
        ? "(value not kept: re-judged from pseudonymised responses)"
        : v;
  }

  private static ResultLine withEndpoint(ResultLine l, String endpoint) {
    return new ResultLine(
        l.id(),
        endpoint,
        l.method(),
        l.target(),
        l.verdict(),
        l.recordedStatus(),
        l.primaryStatus(),
        l.candidateStatus(),
        l.recordedMicros(),
        l.primaryMicros(),
        l.candidateMicros(),
        l.error(),
        l.differences(),
        l.noiseFields(),
        l.hadSecondary(),
        l.serverError(),
        l.notes(),
        l.candidateTarget(),
        l.transforms());
  }
}
