package dev.shadowtest.diff.run;

import dev.shadowtest.core.Body;
import dev.shadowtest.core.Exchange;
import dev.shadowtest.core.HttpResponse;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.RecordingHeader;
import dev.shadowtest.core.RecordingReader;
import dev.shadowtest.core.RecordingWriter;
import dev.shadowtest.core.Redaction;
import dev.shadowtest.diff.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code samples.jsonl.gz}: the full request, baseline response and candidate response of a
 * bounded number of discrepant exchanges, for the report's side-by-side view. It is a recording
 * (same format, 0600, default redaction applied again) holding two lines per sample with the same
 * id, tagged {@code shadow.role = baseline | candidate}. Bodies are cut at {@link #MAX_BODY}
 * (flagged truncated); at most {@link #PER_ENDPOINT} samples per endpoint and provisional verdict
 * ({@code DIFFERENT}, {@code NOISE_ONLY}: noise is judged at the end of the run, and an exchange
 * that looked like noise may still count) and {@link #MAX_SAMPLES} in all are kept, so the file
 * stays small on any run.
 */
public final class SamplesFile implements AutoCloseable {

  public static final String NAME = "samples.jsonl.gz";

  /** The {@code source} of a samples file's header line. */
  public static final String SOURCE = "shadow-samples";

  public static final String ROLE = "shadow.role";
  public static final String BASELINE_SOURCE = "shadow.baseline";
  public static final int PER_ENDPOINT = 3;
  public static final int MAX_SAMPLES = 600;
  public static final int MAX_BODY = 16 * 1024;

  private final RecordingWriter writer;
  private final Redaction redaction;
  private final Map<String, Integer> perEndpoint = new HashMap<>();
  private int total;

  private SamplesFile(RecordingWriter writer, Redaction redaction) {
    this.writer = writer;
    this.redaction = redaction;
  }

  /** A samples file with the default redaction. */
  public static SamplesFile create(Path dir) {
    return create(dir, List.of());
  }

  /**
   * A samples file redacting the default credential headers and {@code moreHeaders} (those the
   * recordings say they redacted): the live responses of primary and candidate are redacted
   * like the recording was.
   */
  public static SamplesFile create(Path dir, List<String> moreHeaders) {
    Redaction r = Redaction.defaults().withHeaders(moreHeaders);
    return new SamplesFile(
        RecordingWriter.create(dir.resolve(NAME), RecordingHeader.now(SOURCE, r)), r);
  }

  /** Keeps a DIFFERENT exchange as a sample when its endpoint and the file still have room; true if kept. */
  public boolean offer(
      String endpoint,
      Exchange recorded,
      String baselineSource,
      HttpResponse baseline,
      HttpResponse candidate) {
    return offer(endpoint, Verdict.DIFFERENT, recorded, baselineSource, baseline, candidate);
  }

  /**
   * Keeps this exchange as a sample when its endpoint (for its provisional verdict) and the file
   * still have room; true if kept.
   */
  public synchronized boolean offer(
      String endpoint,
      Verdict provisional,
      Exchange recorded,
      String baselineSource,
      HttpResponse baseline,
      HttpResponse candidate) {
    String slot = provisional + " " + endpoint;
    if (total >= MAX_SAMPLES || perEndpoint.getOrDefault(slot, 0) >= PER_ENDPOINT) {
      return false;
    }
    perEndpoint.merge(slot, 1, Integer::sum);
    total++;
    Exchange base =
        new Exchange(
            recorded.id(),
            recorded.startedAt(),
            recorded.durationMicros(),
            recorded.request().withBody(cut(recorded.request().body())),
            cut(baseline),
            null,
            Map.of(ROLE, "baseline", BASELINE_SOURCE, baselineSource));
    Exchange cand =
        new Exchange(
            recorded.id(),
            null,
            null,
            base.request(),
            cut(candidate),
            null,
            Map.of(ROLE, "candidate"));
    writer.write(redaction.apply(base));
    writer.write(redaction.apply(cand));
    return true;
  }

  /** Copies a sample of another run (shadow merge), within the file's total budget; true if kept. */
  public synchronized boolean add(Sample s) {
    if (total >= MAX_SAMPLES) {
      return false;
    }
    total++;
    writer.write(redaction.apply(s.baseline()));
    writer.write(
        redaction.apply(
            new Exchange(
                s.id(),
                null,
                null,
                s.baseline().request(),
                s.candidate(),
                null,
                Map.of(ROLE, "candidate"))));
    return true;
  }

  private static HttpResponse cut(HttpResponse r) {
    return r == null ? null : r.withBody(cut(r.body()));
  }

  static Body cut(Body b) {
    if (b instanceof Body.NotCaptured) {
      return b;
    }
    if (b.size() <= MAX_BODY || b.truncated() && b.bytes().length <= MAX_BODY) {
      return b;
    }
    long size = b.size();
    if (b instanceof Body.Text t) {
      String s = t.text();
      int end = MAX_BODY;
      while (end > 0 && s.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_BODY) {
        end -= Math.max(1, end / 8);
      }
      if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      return new Body.Text(s.substring(0, end), true, size);
    }
    byte[] all = b.bytes();
    return new Body.Binary(Arrays.copyOf(all, MAX_BODY), true, size);
  }

  /**
   * Pushes the samples written so far to the operating system (a gzip sync flush): a process
   * killed after this leaves a file readable up to here.
   */
  public synchronized void flush() {
    writer.flush();
  }

  @Override
  public synchronized void close() {
    writer.close();
  }

  /** One sample: the baseline exchange (request + baseline response) and the candidate's response. */
  public record Sample(
      String id, String baselineSource, Exchange baseline, HttpResponse candidate) {}

  /**
   * Reads the samples of a run directory (none when it has no samples file); warnings (a cut
   * last line) go to {@code warnings}.
   */
  public static Map<String, Sample> read(Path dir, Consumer<String> warnings) {
    Path file = dir.resolve(NAME);
    if (!Files.exists(file)) {
      return new LinkedHashMap<>();
    }
    return readFile(file, warnings);
  }

  /** True when {@code header} is that of a samples file (not a recording of traffic). */
  public static boolean isSamples(RecordingHeader header) {
    return SOURCE.equals(header.source());
  }

  /** Reads a samples file; a line without a role tag is an error naming the file and line. */
  public static Map<String, Sample> readFile(Path file, Consumer<String> warnings) {
    Map<String, Sample> out = new LinkedHashMap<>();
    Map<String, Exchange> baselines = new HashMap<>();
    try (RecordingReader r = RecordingReader.open(file, warnings)) {
      while (r.hasNext()) {
        Exchange e = r.next();
        if ("baseline".equals(e.tags().get(ROLE))) {
          baselines.put(e.id(), e);
        } else if ("candidate".equals(e.tags().get(ROLE))) {
          Exchange b = baselines.remove(e.id());
          if (b != null) {
            out.putIfAbsent(
                e.id(),
                new Sample(
                    e.id(), b.tags().getOrDefault(BASELINE_SOURCE, "recorded"), b, e.response()));
          }
        } else {
          throw new RecordingException(
              file, r.lineNumber(), "not a samples file: line without " + ROLE + " tag");
        }
      }
    }
    return out;
  }
}
