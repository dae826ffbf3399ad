package dev.shadowtest.diff.run;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.HarImporter;
import dev.shadowtest.core.HttpRequest;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.Redactor;
import dev.shadowtest.diff.ContentDecoding;
import dev.shadowtest.diff.DiffEngine;
import dev.shadowtest.diff.Difference;
import dev.shadowtest.diff.EndpointRule;
import dev.shadowtest.diff.Origin;
import dev.shadowtest.diff.Outcome;
import dev.shadowtest.diff.Pseudonyms;
import dev.shadowtest.diff.ResponseDiff;
import dev.shadowtest.diff.Verdict;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Judges one exchange of a run from the answers its targets gave: the one place where a replay
 * and the live mirror decide a verdict, so that both count alike. The baseline is the primary's
 * answer when there is one (and it answered), else the recorded response (in the live mirror:
 * the live legacy answer); noise is what differs between the baseline's legacy answer and the
 * secondary's. Live answers are redacted like the recording before anything compares or keeps
 * them; differing exchanges are offered to the run's samples; with {@code pseudonyms} the
 * comparisons are kept in their stored form for re-judging.
 *
 * <p>Thread-safe: one judge serves a whole run.
 */
public final class ExchangeJudge {

  /** What a target answered: a response with its latency, or an error. */
  public record Answer(HttpResponse response, Long micros, String error) {

    public static Answer of(HttpResponse response, long micros) {
      return new Answer(response, micros, null);
    }

    public static Answer failed(String error) {
      return new Answer(null, null, error);
    }

    public boolean ok() {
      return response != null;
    }
  }

  /**
   * The origin each target built its absolute URLs from ({@link #origin}): the primary's
   * ({@link Origin#NONE} without one), the candidate's and the secondary's (null without one).
   */
  public record Origins(Origin primary, Origin candidate, Origin secondary) {}

  /** A verdict's result line and, when kept, the stored form of its comparisons. */
  public record Judged(ResultLine line, ResponsesFile.Entry stored) {}

  /** Bodies decoded to compare a candidate with a recording whose producer decoded its body: 64 MiB at most. */
  private static final int MAX_DECODED = 64 << 20;

  private final DiffEngine engine;
  private final Redactor live;
  private final SamplesFile samples;
  private final Pseudonyms pseudonyms;
  private final Consumer<String> warnings;
  private final Map<OriginKey, Origin> origins = new ConcurrentHashMap<>();

  /** An origin's key: its target (null for a recorded response) and the Host it was sent. */
  private record OriginKey(URI base, String host) {}

  private final AtomicBoolean storeFailed = new AtomicBoolean();

  /** See {@link #drifted()}. */
  private final java.util.concurrent.atomic.LongAdder drifted =
      new java.util.concurrent.atomic.LongAdder();

  private final BooleanSupplier keeping;

  /**
   * @param live redacts live answers the way the recording was redacted
   * @param samples where differing exchanges are offered (null: none kept)
   * @param pseudonyms the run's key for kept responses, or null to keep none
   * @param warnings told once when keeping responses fails
   */
  public ExchangeJudge(
      DiffEngine engine,
      Redactor live,
      SamplesFile samples,
      Pseudonyms pseudonyms,
      Consumer<String> warnings) {
    this(engine, live, samples, pseudonyms, () -> true, warnings);
  }

  /**
   * @param keeping asked before preparing an exchange's kept responses: false once they would be
   *     left out anyway ({@link RunWriter#keepsResponses()})
   */
  public ExchangeJudge(
      DiffEngine engine,
      Redactor live,
      SamplesFile samples,
      Pseudonyms pseudonyms,
      BooleanSupplier keeping,
      Consumer<String> warnings) {
    this.engine = engine;
    this.live = live;
    this.samples = samples;
    this.pseudonyms = pseudonyms;
    this.keeping = keeping;
    this.warnings = warnings;
  }

  /**
   * The origin of a target (or, with {@code base} null, of a recorded response): a run has few,
   * so they are built once (bounded whatever the recorded Hosts).
   */
  public Origin origin(URI base, String host) {
    OriginKey key = new OriginKey(base, host);
    Origin o = origins.get(key);
    if (o == null) {
      if (origins.size() > 1024) {
        origins.clear();
      }
      o = base == null ? Origin.recorded(host) : Origin.of(base, host);
      origins.put(key, o);
    }
    return o;
  }

  /** A result line for an exchange that was not sent (skipped, or not sent at all). */
  public static ResultLine unsent(Exchange e, String endpoint, Verdict verdict, String why) {
    return ResultLine.of(e, endpoint, verdict, null, null, null, null, why, null, List.of(), null);
  }

  /**
   * Judges {@code e} from its targets' answers.
   *
   * @param candidateRequest what the candidate was sent (the recorded request, or its rewrite)
   * @param prim the primary's answer, null without a primary
   * @param sec the secondary's answer, null without a secondary
   */
  public Judged judge(
      Exchange e,
      HttpRequest candidateRequest,
      String endpoint,
      EndpointRule rule,
      Answer cand,
      Answer prim,
      Answer sec,
      Origins targets) {
    cand = redacted(e, cand);
    prim = redacted(e, prim);
    sec = redacted(e, sec);
    String rewritten =
        candidateRequest.target().equals(e.request().target()) ? null : candidateRequest.target();
    if (!cand.ok()) {
      return new Judged(
          line(
              e,
              endpoint,
              Verdict.CANDIDATE_ERROR,
              prim,
              cand,
              cand.error(),
              null,
              List.of(),
              rewritten),
          null);
    }
    // the primary's answer is the baseline; without one (no primary, or it failed) the recorded one
    HttpResponse baseline = prim != null && prim.ok() ? prim.response() : e.response();
    if (baseline == null) {
      String why =
          "no recorded response"
              + (e.error() == null ? "" : " (" + e.error() + ")")
              + (prim != null ? " and the primary gave none (" + prim.error() + ")" : "");
      return new Judged(
          line(e, endpoint, Verdict.NO_BASELINE, prim, cand, why, null, List.of(), rewritten),
          null);
    }
    boolean recordedBaseline = baseline == e.response();
    // each target builds absolute URLs from its own address: those are normalised before comparing
    Origin baselineOrigin =
        recordedBaseline
            ? origin(null, e.request().headers().first("Host").orElse(null))
            : targets.primary();
    List<String> decodedNote = new ArrayList<>(1);
    HttpResponse candidate =
        recordedBaseline
            ? decodedLikeTheRecording(e, cand.response(), decodedNote)
            : cand.response();
    ResponseDiff candidateDiff =
        engine.compare(baseline, baselineOrigin, candidate, targets.candidate(), rule);
    // noise is what differs between two legacy answers: the primary's and the secondary's, or,
    // without a primary, the recorded one and the secondary's
    HttpResponse noiseBase = null;
    Origin noiseBaseOrigin = null;
    HttpResponse noiseOther = null;
    if (sec != null && sec.ok()) {
      if (prim == null) {
        noiseBase = baseline; // the recording
        noiseBaseOrigin = baselineOrigin;
        noiseOther = decodedLikeTheRecording(e, sec.response(), new ArrayList<>(1));
      } else if (prim.ok()) {
        noiseBase = prim.response();
        noiseBaseOrigin = targets.primary();
        noiseOther = sec.response();
      }
    }
    ResponseDiff noiseDiff =
        noiseBase == null
            ? null
            : engine.compareLegacy(
                noiseBase, noiseBaseOrigin, noiseOther, targets.secondary(), rule);
    Outcome o = Outcome.compared(candidateDiff, noiseDiff, cand.response().status());
    if (o.verdict() == Verdict.NOISE_ONLY
        && prim == null
        && noiseOther != null
        && differsBeyondHeaders(candidateDiff)
        && sameAnswer(candidate, noiseOther)) {
      drifted.increment();
    }
    if (o.verdict() != Verdict.MATCH && samples != null) {
      samples.offer(
          endpoint,
          o.verdict(),
          e,
          recordedBaseline ? "recorded" : "primary",
          baseline,
          cand.response());
    }
    List<String> notes = candidateDiff.notes();
    if (!decodedNote.isEmpty()) {
      notes = new ArrayList<>(notes);
      notes.addAll(decodedNote);
    }
    ResponsesFile.Entry stored = null;
    if (pseudonyms != null && keeping.getAsBoolean()) {
      stored =
          store(
              e,
              baseline,
              baselineOrigin,
              candidate,
              targets.candidate(),
              noiseBase,
              noiseBaseOrigin,
              noiseOther,
              targets.secondary(),
              rule,
              decodedNote);
    }
    return new Judged(
        line(e, endpoint, o.verdict(), prim, cand, null, o, notes, rewritten), stored);
  }

  /**
   * Exchanges judged noise only where the baseline was the recording and the candidate answered
   * exactly as the live secondary: both differ from the recording the same way, which is the data
   * having changed since it was recorded (a timestamp or a token would differ between them too).
   * Noise learned between a recording and a live instance then excuses any change in those
   * fields: many such exchanges say that the run needs a live baseline ({@code --primary}).
   */
  public long drifted() {
    return drifted.sum();
  }

  /**
   * True when the candidate differs from the recording in its status or body: a difference in
   * per-response headers alone (a cookie, a request id) is no change of the data.
   */
  private static boolean differsBeyondHeaders(ResponseDiff d) {
    for (Difference x : d.differences()) {
      if (!x.path().startsWith("header:")) {
        return true;
      }
    }
    return false;
  }

  /** The same status and body bytes. */
  private static boolean sameAnswer(HttpResponse a, HttpResponse b) {
    return a.status() == b.status()
        && a.body().size() == b.body().size()
        && java.util.Arrays.equals(a.body().bytes(), b.body().bytes());
  }

  /** A live answer redacted like the recording (errors pass through). */
  private Answer redacted(Exchange e, Answer a) {
    if (a == null || !a.ok()) {
      return a;
    }
    HttpResponse r =
        live.apply(new Exchange(e.id(), null, null, e.request(), a.response(), null, Map.of()))
            .response();
    return new Answer(r, a.micros(), null);
  }

  /**
   * The stored form of an exchange's comparisons, for re-judging; null when storing failed (a
   * bug: the run then keeps too few responses to be re-judged, and says so).
   */
  private ResponsesFile.Entry store(
      Exchange e,
      HttpResponse baseline,
      Origin baselineOrigin,
      HttpResponse candidate,
      Origin candidateOrigin,
      HttpResponse primary,
      Origin primaryOrigin,
      HttpResponse secondary,
      Origin secondaryOrigin,
      EndpointRule rule,
      List<String> notes) {
    try {
      return new ResponsesFile.Entry(
          e.id(),
          engine.store(baseline, baselineOrigin, candidate, candidateOrigin, rule, pseudonyms),
          primary == null
              ? null
              : engine.store(primary, primaryOrigin, secondary, secondaryOrigin, rule, pseudonyms),
          notes);
    } catch (RuntimeException | StackOverflowError ex) {
      if (storeFailed.compareAndSet(false, true)) {
        warnings.accept(
            "the responses of exchange "
                + e.id()
                + " could not be kept for re-judging ("
                + ex
                + "): this run cannot be re-judged with other rules");
      }
      return null;
    }
  }

  /**
   * The candidate's answer as the recording holds its own: a HAR producer decoded the recorded
   * body, and the import dropped the {@code Content-Encoding} it kept as tag
   * {@code import.contentEncoding}. An answer in that same coding is decoded and loses the header
   * too (with a note); an answer in another coding, or none, is compared as it came, so that a
   * changed coding still shows as a header difference.
   */
  static HttpResponse decodedLikeTheRecording(
      Exchange e, HttpResponse candidate, List<String> notes) {
    String original = e.tags().get(HarImporter.TAG_CONTENT_ENCODING);
    if (original == null) {
      return candidate;
    }
    String coding = String.join(", ", candidate.headers().all("Content-Encoding")).strip();
    if (coding.isEmpty() || !codingKey(coding).equals(codingKey(original))) {
      return candidate;
    }
    Body body = candidate.body();
    if (body.truncated() || !ContentDecoding.supported(coding)) {
      return candidate; // a prefix is compared by size and bytes as it came
    }
    byte[] decoded;
    try {
      decoded = ContentDecoding.decode(body.bytes(), coding, MAX_DECODED + 1);
    } catch (IOException ex) {
      return candidate; // the comparator says it does not decode
    }
    if (decoded.length > MAX_DECODED) {
      return candidate;
    }
    notes.add(
        "candidate body decoded from Content-Encoding "
            + coding
            + ", as the recorded body was by the tool that"
            + " wrote the HAR (import.contentEncoding)");
    return new HttpResponse(
        candidate.status(),
        candidate.reason(),
        candidate.headers().without("Content-Encoding"),
        Body.of(decoded));
  }

  private static String codingKey(String coding) {
    return coding.replace(" ", "").toLowerCase(Locale.ROOT).replace("x-gzip", "gzip");
  }

  private static ResultLine line(
      Exchange e,
      String endpoint,
      Verdict verdict,
      Answer prim,
      Answer cand,
      String error,
      Outcome o,
      List<String> notes,
      String candidateTarget) {
    return ResultLine.of(
        e,
        endpoint,
        verdict,
        prim != null && prim.ok() ? prim.response().status() : null,
        prim != null && prim.ok() ? prim.micros() : null,
        cand != null && cand.ok() ? cand.response().status() : null,
        cand != null && cand.ok() ? cand.micros() : null,
        error,
        o,
        notes,
        candidateTarget);
  }
}
