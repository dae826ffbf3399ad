package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.Rejudge;
import dev.shadowtest.diff.run.ResponsesFile;
import dev.shadowtest.diff.run.ResultsFile;
import dev.shadowtest.diff.run.RunAggregate;
import dev.shadowtest.diff.run.RunDirectory;
import dev.shadowtest.diff.run.RunOutput;
import dev.shadowtest.diff.run.RunOutputs;
import dev.shadowtest.diff.run.RunView;
import dev.shadowtest.diff.run.SamplesFile;
import dev.shadowtest.diff.run.SummaryFile;
import dev.shadowtest.diff.run.SummaryJson;
import dev.shadowtest.http.Connections;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Summaries of run directories: written at the end of a replay, and rebuilt exactly from the
 * results files of several shards ({@code shadow merge}).
 */
public final class Summaries {

  private Summaries() {}

  /**
   * The rules of a set of run directories: {@code explicit} when given, else the copy the runs
   * kept (they must agree), else the defaults.
   */
  static Rules rulesOf(List<Path> dirs, Rules explicit) {
    if (explicit != null) {
      return explicit;
    }
    String yaml = null;
    Path first = null;
    for (Path dir : dirs) {
      Path f = dir.resolve(RunDirectory.RULES);
      String text = null;
      try {
        text = Files.exists(f) ? Files.readString(f) : null;
      } catch (IOException e) {
        throw new RecordingException(f, 0, "cannot read: " + e.getMessage(), e);
      }
      if (first == null) {
        first = f;
        yaml = text;
      } else if (!Objects.equals(yaml, text)) {
        throw new BadInputException(
            "the runs used different rules ("
                + first
                + " and "
                + f
                + "); merge them with --rules FILE to judge them all by one set");
      }
    }
    return yaml == null ? Rules.defaults() : Rules.parse(yaml, String.valueOf(first));
  }

  /**
   * The warnings summary.json records: the run's, after what its connection settings change of
   * the run ({@code --insecure}, {@code --http2}), which the command line told on stderr at the
   * start.
   */
  static List<String> summaryWarnings(ReplayConfig config, List<String> warnings) {
    List<String> all = new ArrayList<>();
    Connections c = config.sending().connections();
    if (c.insecure()) {
      all.add(
          "--insecure: TLS certificates and host names of https targets were not verified"
              + " (whoever sat between Shadow and a target could read and change the traffic)");
    }
    if (c.http2()) {
      all.add(
          "--http2: every target was spoken to in HTTP/2 (h2 by ALPN over https, h2c with prior"
              + " knowledge over http)");
    }
    all.addAll(warnings);
    return all;
  }

  /** The shards' warnings, then the merge's own, each once. */
  private static List<String> mergedWarnings(Set<String> shards, List<String> merge) {
    Set<String> all = new LinkedHashSet<>(shards);
    all.addAll(merge);
    return List.copyOf(all);
  }

  /** What summary.json records of {@code passes}: null for one pass. */
  static SummaryJson.PassSettings passSettings(Passes passes) {
    return passes.repeating()
        ? new SummaryJson.PassSettings(passes.count(), passes.duration())
        : null;
  }

  /**
   * The passes the runs of {@code dirs} were replayed in, which must be the same: shards of a run
   * of {@code --loop 3} and of one pass would add up to no run at all. A summary written before
   * summaries recorded them reads as one pass.
   */
  static SummaryJson.PassSettings passesOf(List<Path> dirs) {
    SummaryJson.PassSettings first = null;
    Path firstDir = null;
    for (Path dir : dirs) {
      SummaryJson.PassSettings p =
          SummaryFile.readMeta(dir.resolve(RunDirectory.SUMMARY)).meta().passesOrOnce();
      if (first == null) {
        first = p;
        firstDir = dir;
      } else if (!p.equals(first)) {
        throw new BadInputException(
            dir
                + " was replayed "
                + described(p)
                + ", "
                + firstDir
                + " "
                + described(first)
                + ": merged, their passes would not add up to one run; merge runs replayed with"
                + " the same --loop or --duration");
      }
    }
    return first;
  }

  private static String described(SummaryJson.PassSettings p) {
    return p.equals(SummaryJson.PassSettings.ONCE) ? "in one pass" : "with " + p.describe();
  }

  /**
   * A summary of a run still going, written at a checkpoint of a source that confirms what is done
   * (Kafka): incomplete, with the results so far. A worker that dies leaves it for {@code shadow
   * merge}, which reads its meta; the run replaces it with the final summary when it ends.
   */
  static void writeProvisional(
      ReplayConfig config,
      RunAggregate aggregate,
      Endpoints endpoints,
      Instant startedAt,
      long late,
      long unreadable,
      List<String> warnings) {
    RunAggregate.Collapsed c = aggregate.collapse(endpoints, config.rules().noiseModel());
    RunDirectory.writeRules(config.out(), config.rules());
    SummaryJson.Meta meta =
        meta(config, startedAt, Instant.now(), true, STILL_GOING, late, unreadable, warnings);
    RunOutputs.writeSummary(
        RunView.judged(config.out(), config.out(), meta, c, config.gate(), config.rules()));
  }

  /** Why a provisional summary is incomplete. */
  static final String STILL_GOING =
      "the run was still going when this summary was written (a checkpoint); if it is the last,"
          + " the worker died: shadow merge takes what it confirmed";

  private static SummaryJson.Meta meta(
      ReplayConfig config,
      Instant startedAt,
      Instant finishedAt,
      boolean incomplete,
      String abortReason,
      long late,
      long unreadable,
      List<String> warnings) {
    return new SummaryJson.Meta(
        startedAt,
        finishedAt,
        config.recordings().stream().map(Path::toString).toList(),
        config.candidateDescription(),
        config.primary() == null ? null : config.primary().toString(),
        config.secondary() == null ? null : config.secondary().toString(),
        config.shard().count() == 1 ? null : config.shard().toString(),
        incomplete,
        abortReason,
        late,
        unreadable,
        null,
        passSettings(config.passes()),
        summaryWarnings(config, warnings));
  }

  static ReplayResult write(
      ReplayConfig config,
      RunAggregate aggregate,
      Endpoints endpoints,
      Instant startedAt,
      Instant finishedAt,
      boolean incomplete,
      String abortReason,
      long late,
      long unreadable,
      List<String> warnings) {
    RunAggregate.Collapsed c = aggregate.collapse(endpoints, config.rules().noiseModel());
    // the run keeps its rules, so that shadow merge and re-judging know what it was judged by
    RunDirectory.writeRules(config.out(), config.rules());
    SummaryJson.Meta meta =
        meta(config, startedAt, finishedAt, incomplete, abortReason, late, unreadable, warnings);
    RunView view =
        RunView.judged(config.out(), config.out(), meta, c, config.gate(), config.rules());
    List<String> failures = view.failures();
    List<String> allWarnings = warnings;
    if (config.keeping().outputs().isEmpty()) {
      RunOutputs.writeSummary(view); // needs no pass over the results
    } else {
      List<RunOutput> outputs = new ArrayList<>(config.keeping().outputs());
      outputs.add(RunOutputs.summary()); // last: an interrupted run keeps no half summary
      RunOutputs.write(view, config.out().resolve(RunDirectory.RESULTS), outputs);
      allWarnings = new ArrayList<>(warnings);
      for (RunOutput o : config.keeping().outputs()) {
        allWarnings.addAll(o.warnings());
      }
    }
    return new ReplayResult(
        config.out(),
        c.result(),
        c.latencies(),
        failures,
        incomplete,
        abortReason,
        late,
        allWarnings,
        null,
        c.gaps(),
        c.transforms());
  }

  /**
   * Merges shard run directories into {@code out}: the results files are concatenated and the
   * summary is computed from all their lines, so it equals the summary of one unsharded run.
   */
  public static ReplayResult merge(Path out, List<Path> dirs, Rules explicitRules, Gate gate) {
    return merge(out, dirs, explicitRules, gate, false);
  }

  /**
   * As {@link #merge(Path, List, Rules, Gate)}; {@code overwrite} replaces a run already in
   * {@code out}, which is otherwise refused.
   */
  public static ReplayResult merge(
      Path out, List<Path> dirs, Rules explicitRules, Gate gate, boolean overwrite) {
    if (dirs.isEmpty()) {
      throw new BadInputException("merge needs at least one run directory");
    }
    // every argument is checked before anything is created: the output is never one of the
    // inputs, however it is spelled (symlinks, "..")
    Path realOut = realPath(out);
    Set<Path> distinct = new HashSet<>();
    for (Path d : dirs) {
      if (!Files.isRegularFile(d.resolve(RunDirectory.SUMMARY))
          || !Files.isRegularFile(d.resolve(RunDirectory.RESULTS))) {
        throw new RecordingException(
            d,
            0,
            Files.isDirectory(d)
                ? "not a Shadow run directory (no summary.json and results.jsonl.gz)"
                : "no such directory: not a Shadow run directory");
      }
      Path real = realPath(d);
      if (real.equals(realOut)) {
        throw new BadInputException(
            "the output directory " + out + " cannot also be an input (" + d + ")");
      }
      if (!distinct.add(real)) {
        throw new BadInputException(d + " is given twice: its exchanges would count twice");
      }
    }
    SummaryJson.PassSettings passes = passesOf(dirs);
    Rules rules = rulesOf(dirs, explicitRules);
    List<String> warnings = new ArrayList<>();
    List<Path> earlier;
    Path work;
    try {
      earlier = Replayer.earlierRun(out);
      if (!earlier.isEmpty() && !overwrite) {
        throw new RecordingException(
            out,
            0,
            "already holds a run ("
                + earlier.get(0).getFileName()
                + "): choose another output directory, or replace that run with --force");
      }
      Path parent = out.toAbsolutePath().normalize().getParent();
      Files.createDirectories(parent);
      // the merged run is built aside and moved into place only when complete
      work =
          Files.createTempDirectory(
              parent,
              ".shadow-merging-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new RecordingException(
          out, 0, "cannot create the output directory: " + e.getMessage(), e);
    }
    try {
      ReplayResult r = mergeInto(work, out, dirs, rules, gate, passes, warnings);
      Files.createDirectories(out);
      for (Path f : earlier) {
        Files.deleteIfExists(f);
      }
      try (Stream<Path> files = Files.list(work)) {
        for (Path f : files.toList()) {
          Files.move(f, out.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return r;
    } catch (IOException e) {
      throw new RecordingException(out, 0, "cannot write the merged run: " + e.getMessage(), e);
    } finally {
      deleteTree(work);
    }
  }

  /** The real path of {@code p}: symlinks resolved for the part that exists, ".." removed. */
  static Path realPath(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    try {
      return abs.toRealPath();
    } catch (IOException e) {
      Path parent = abs.getParent();
      return parent == null ? abs : realPath(parent).resolve(abs.getFileName());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      // a hidden, owner-only directory left behind at worst
    }
  }

  /** Appends a shard's kept responses; one that cannot be read leaves the merged run unable to be re-judged. */
  private static void copyResponses(
      Path dir, ResponsesFile kept, long linesBefore, List<String> warnings) throws IOException {
    try (ResponsesFile.Reader r = ResponsesFile.Reader.open(dir.resolve(RunDirectory.RESPONSES))) {
      for (ResponsesFile.Entry e = r.next(); e != null; e = r.next()) {
        kept.write(e.at(linesBefore + e.line())); // the merged results put this shard's lines after
      }
      kept.leftOut(r.end().leftOut());
      kept.failed(r.end().failed());
    } catch (RecordingException e) {
      warnings.add("the merged run cannot be re-judged with other rules: " + e.getMessage());
      kept.failed(1);
    }
  }

  /** Merges {@code dirs} into {@code work}; the result names {@code out}, where it will be. */
  private static ReplayResult mergeInto(
      Path work,
      Path out,
      List<Path> dirs,
      Rules rules,
      Gate gate,
      SummaryJson.PassSettings passes,
      List<String> warnings) {
    Set<String> shards = new HashSet<>();
    RunAggregate aggregate = new RunAggregate();
    Instant started = null;
    Instant finished = null;
    Set<String> recordings = new LinkedHashSet<>();
    String candidate = null;
    String primary = null;
    String secondary = null;
    boolean incomplete = false;
    long late = 0;
    long unreadable = 0;
    long[] linesBefore = {0}; // result lines of the shards merged so far
    Set<String> shardWarnings = new LinkedHashSet<>(); // each told once, as the first shard did
    // the merged run keeps responses for re-judging when every shard kept them
    boolean keep =
        dirs.stream().allMatch(d -> Files.isRegularFile(d.resolve(RunDirectory.RESPONSES)));
    try (ResultsFile results = ResultsFile.create(work.resolve(RunDirectory.RESULTS));
        SamplesFile samples = SamplesFile.create(work);
        ResponsesFile kept = keep ? ResponsesFile.create(work, Long.MAX_VALUE / 2) : null) {
      for (Path dir : dirs) {
        SummaryJson.Meta m = SummaryFile.readMeta(dir.resolve(RunDirectory.SUMMARY)).meta();
        shardWarnings.addAll(m.warnings());
        String recording = String.join(", ", m.recordings());
        if (m.shard() != null && !shards.add(m.shard() + " of " + recording)) {
          throw new BadInputException(
              dir
                  + " holds shard "
                  + m.shard()
                  + " of the same recording as another directory: its exchanges would count twice");
        }
        started = started == null || m.startedAt().isBefore(started) ? m.startedAt() : started;
        finished = finished == null || m.finishedAt().isAfter(finished) ? m.finishedAt() : finished;
        recordings.addAll(m.recordings());
        if (candidate != null && !candidate.equals(m.candidate())) {
          warnings.add(
              "runs replayed against different candidates: " + candidate + " and " + m.candidate());
        }
        candidate = m.candidate();
        primary = m.primary() != null ? m.primary() : primary;
        secondary = m.secondary() != null ? m.secondary() : secondary;
        incomplete |= m.incomplete();
        late += m.late();
        unreadable += m.unreadable();
        SamplesFile.read(dir, warnings::add).values().forEach(samples::add);
        if (kept != null) {
          copyResponses(dir, kept, linesBefore[0], warnings);
        }
        // a shard judged by other rules than the merged run's is judged again from the responses it
        // kept (refused, with the reason, when it cannot be): every line of the merged run is
        // judged by its rules
        Path lines = dir.resolve(RunDirectory.RESULTS);
        Rules own = RunDirectory.rulesOf(dir);
        if (!rules.judgesLike(own)) {
          lines =
              work.resolve(".rejudged-" + shards.size() + "-" + dirs.indexOf(dir) + ".jsonl.gz");
          Rejudge.run(dir, own, rules, lines);
        }
        ResultsFile.read(
            lines,
            line -> {
              try {
                results.write(line);
              } catch (IOException e) {
                throw new RecordingException(
                    work.resolve(RunDirectory.RESULTS), 0, "cannot write: " + e.getMessage(), e);
              }
              aggregate.add(line);
              linesBefore[0]++;
            });
        if (!lines.equals(dir.resolve(RunDirectory.RESULTS))) {
          Files.deleteIfExists(lines);
        }
      }
    } catch (IOException e) {
      throw new RecordingException(
          work.resolve(RunDirectory.RESULTS), 0, "cannot write: " + e.getMessage(), e);
    }
    RunAggregate.Collapsed c = aggregate.collapse(new Endpoints(rules), rules.noiseModel());
    RunDirectory.writeRules(work, rules);
    SummaryJson.Meta meta =
        new SummaryJson.Meta(
            started,
            finished,
            List.copyOf(recordings),
            candidate,
            primary,
            secondary,
            null,
            incomplete,
            null,
            late,
            unreadable,
            null,
            passes.equals(SummaryJson.PassSettings.ONCE) ? null : passes,
            mergedWarnings(shardWarnings, warnings));
    RunView view = RunView.judged(work, work, meta, c, gate, rules);
    List<String> failures = view.failures();
    RunOutputs.writeSummary(view);
    return new ReplayResult(
        out,
        c.result(),
        c.latencies(),
        failures,
        incomplete,
        null,
        late,
        warnings,
        null,
        c.gaps(),
        c.transforms());
  }
}
