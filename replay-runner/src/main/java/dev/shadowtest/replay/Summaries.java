package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import dev.shadowtest.core.RecordingException;
import dev.shadowtest.core.SecureFiles;
import dev.shadowtest.core.SourcePositions;
import dev.shadowtest.diff.Endpoints;
import dev.shadowtest.diff.Rules;
import dev.shadowtest.diff.run.Gate;
import dev.shadowtest.diff.run.Rejudge;
import dev.shadowtest.diff.run.ResponsesFile;
import dev.shadowtest.diff.run.ResultLine;
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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
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

  /**
   * A warning when at least half of the compared exchanges had no recorded body (the tool that
   * wrote the recording left bodies out): the gate then judged mostly status and headers, and a
   * green run says little of the bodies. Null otherwise.
   */
  static String bodilessWarning(RunAggregate.Collapsed c) {
    long compared = c.result().compared();
    long bodiless = c.gaps().bodyNotCaptured();
    if (bodiless == 0 || bodiless * 2 < compared) {
      return null;
    }
    return bodiless
        + " of "
        + compared
        + BODILESS
        + " (the tool that wrote the recording left it"
        + " out): only their status and headers were compared, so the discrepancy rate says"
        + " little of the bodies; record with shadow record, or export a HAR with content";
  }

  /** What the bodiless warning says after its counts. */
  static final String BODILESS = " compared exchanges had no recorded body";

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
    String bodiless = bodilessWarning(c);
    if (bodiless != null) {
      warnings = new ArrayList<>(warnings);
      warnings.add(0, bodiless);
    }
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
   *
   * <p>Run directories that keep {@code positions.json} are the workers of one run of a Kafka
   * topic ({@link SourcePositions}): each exchange is taken from the first directory, in the order
   * given, that confirmed its offset done, and the merged run is incomplete when some offset of
   * the run's bounds was finished by none. The merged run keeps the positions of all of them, so it
   * can be merged again with more workers.
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
    MergedPositions positions = MergedPositions.of(dirs);
    // shards: each exchange once (a Kafka run's workers are told apart by their offsets instead)
    ShardCoverage coverage = null;
    if (positions == null) {
      List<SummaryJson.Meta> metas = new ArrayList<>();
      for (Path d : dirs) {
        metas.add(SummaryFile.readMeta(d.resolve(RunDirectory.SUMMARY)).meta());
      }
      coverage = ShardCoverage.of(dirs, metas);
      sameCut(dirs, metas);
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
      ReplayResult r =
          mergeInto(work, out, dirs, positions, coverage, rules, gate, passes, warnings);
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

  /**
   * Shards are cut by session when their rules chain values within sessions, else by exchange
   * id: shards cut both ways overlap and miss exchanges, and are refused.
   */
  private static void sameCut(List<Path> dirs, List<SummaryJson.Meta> metas) {
    Path first = null;
    Object firstKey = null;
    for (int i = 0; i < dirs.size(); i++) {
      if (metas.get(i).shard() == null) {
        continue;
      }
      Object key = RunDirectory.rulesOf(dirs.get(i)).transforms().sessionKey();
      if (first == null) {
        first = dirs.get(i);
        firstKey = key;
      } else if (!java.util.Objects.equals(key, firstKey)) {
        throw new BadInputException(
            dirs.get(i)
                + " was cut into shards "
                + (key == null ? "by exchange id" : "by session (" + key + ")")
                + ", "
                + first
                + " "
                + (firstKey == null ? "by exchange id" : "by session (" + firstKey + ")")
                + ": their shards overlap; replay every shard with the same rules' sessions");
      }
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
    try {
      SecureFiles.deleteTree(dir);
    } catch (IOException e) {
      // a hidden, owner-only directory left behind at worst
    }
  }

  /**
   * Merges {@code dirs} into {@code work}; the result names {@code out}, where it will be. With
   * {@code positions} (the inputs are workers of one Kafka run), only the lines each input owns are
   * merged, and what no input finished makes the merged run incomplete.
   */
  private static ReplayResult mergeInto(
      Path work,
      Path out,
      List<Path> dirs,
      MergedPositions positions,
      ShardCoverage coverage,
      Rules rules,
      Gate gate,
      SummaryJson.PassSettings passes,
      List<String> warnings) {
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
    long[] merged = {0}; // result lines of the merged run so far
    Set<String> shardWarnings = new LinkedHashSet<>(); // each told once, as the first shard did
    // the merged run keeps responses for re-judging when every shard kept them
    boolean keep =
        dirs.stream().allMatch(d -> Files.isRegularFile(d.resolve(RunDirectory.RESPONSES)));
    Path resultsOut = work.resolve(RunDirectory.RESULTS);
    try (ResultsFile results = ResultsFile.create(resultsOut);
        SamplesFile samples = SamplesFile.create(work);
        ResponsesFile kept = keep ? ResponsesFile.create(work, Long.MAX_VALUE / 2) : null) {
      for (int i = 0; i < dirs.size(); i++) {
        Path dir = dirs.get(i);
        int input = i;
        SummaryJson.Meta m = SummaryFile.readMeta(dir.resolve(RunDirectory.SUMMARY)).meta();
        shardWarnings.addAll(m.warnings());
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
        // a worker stopped or killed before the end is expected: its positions tell what it did
        // (a merge that lacked shards is incomplete for that alone: merged with them, it is not)
        incomplete |=
            positions == null
                && m.incomplete()
                && !(m.abortReason() != null && m.abortReason().startsWith(ShardCoverage.MISSING));
        late += m.late();
        unreadable += m.unreadable();
        Path file = dir.resolve(RunDirectory.RESULTS);
        copySamples(
            dir,
            id -> positions == null || owns(positions, input, SourcePositions.place(id)),
            samples,
            warnings);
        // a shard judged by other rules than the merged run's is judged again from the responses it
        // kept (refused, with the reason, when it cannot be): every line of the merged run is
        // judged by its rules
        Path lines = file;
        Rules own = RunDirectory.rulesOf(dir);
        if (!rules.judgesLike(own)) {
          if (positions != null) {
            refuseCut(dir, file);
          }
          lines = work.resolve(".rejudged-" + i + ".jsonl.gz");
          Rejudge.run(dir, own, rules, lines);
        }
        long[] read = {0}; // this input's lines read
        long[] leftOut = new long[MergedPositions.Claim.values().length];
        try (ResponsesCopy responses =
            kept == null ? null : new ResponsesCopy(dir, kept, warnings)) {
          ResultsFile.NumberedSink sink =
              (line, number) -> {
                MergedPositions.Claim claim =
                    positions == null
                        ? MergedPositions.Claim.OWNED
                        : positions.claim(input, position(line, number, file));
                boolean merging = claim == MergedPositions.Claim.OWNED;
                try {
                  if (responses != null) {
                    responses.line(read[0], line.id(), merging ? merged[0] : -1);
                  }
                  if (merging) {
                    results.write(line);
                  }
                } catch (IOException e) {
                  throw new RecordingException(resultsOut, 0, "cannot write: " + e.getMessage(), e);
                }
                read[0]++;
                if (merging) {
                  aggregate.add(line);
                  merged[0]++;
                } else {
                  leftOut[claim.ordinal()]++;
                }
              };
          if (positions == null) {
            ResultsFile.read(lines, line -> sink.accept(line, 0));
          } else {
            String cut = ResultsFile.readRecoveringNumbered(lines, sink);
            if (cut != null) {
              warnings.add(
                  cut
                      + ", which hold every line its "
                      + SourcePositions.FILE
                      + " confirms (a worker killed mid-run: they were written before its last"
                      + " checkpoint)");
            }
          }
          if (responses != null) {
            responses.finish();
          }
        }
        if (!lines.equals(file)) {
          Files.deleteIfExists(lines);
        }
        String dropped = leftOut(leftOut);
        if (dropped != null) {
          warnings.add(file + ": " + dropped);
        }
      }
    } catch (IOException e) {
      throw new RecordingException(resultsOut, 0, "cannot write: " + e.getMessage(), e);
    }
    // shards missing: the merged run is part of one, as a shard is; its summary says which shards
    // it holds (and is incomplete only when one of them was), so that it merges again with the
    // others
    boolean partial = coverage != null && !coverage.complete();
    if (partial) {
      warnings.addAll(coverage.missing());
    }
    if (positions != null) {
      positions.merged().write(work);
      if (!positions.complete()) {
        incomplete = true;
        warnings.add(
            "the merged run is incomplete: offsets no worker finished: "
                + positions.describeMissing());
      }
    }
    RunAggregate.Collapsed c = aggregate.collapse(new Endpoints(rules), rules.noiseModel());
    // the shards' own bodiless warnings counted their part: the merged run's is counted again
    shardWarnings.removeIf(w -> w.contains(BODILESS));
    String bodiless = bodilessWarning(c);
    if (bodiless != null) {
      warnings.add(0, bodiless);
    }
    RunDirectory.writeRules(work, rules);
    SummaryJson.Meta meta =
        new SummaryJson.Meta(
            started,
            finished,
            List.copyOf(recordings),
            candidate,
            primary,
            secondary,
            coverage == null ? null : coverage.mergedShard(),
            incomplete || partial,
            partial && !incomplete ? coverage.reason() : null,
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
        incomplete || partial,
        null,
        late,
        warnings,
        null,
        c.gaps(),
        c.transforms());
  }

  /** The partition and offset a worker's result line names; any other id is an error. */
  private static long[] position(ResultLine line, long number, Path file) {
    long[] at = SourcePositions.place(line.id());
    if (at == null) {
      throw new RecordingException(
          file,
          number,
          "id \""
              + line.id()
              + "\" is not a position PARTITION@OFFSET (3@1234), as the ids of a run that keeps "
              + SourcePositions.FILE
              + " are");
    }
    return at;
  }

  private static boolean owns(MergedPositions positions, int input, long[] at) {
    return at != null && positions.claim(input, at) == MergedPositions.Claim.OWNED;
  }

  /** What the warning says of the lines an input had that were not merged; null for none. */
  private static String leftOut(long[] byClaim) {
    long earlier = byClaim[MergedPositions.Claim.DONE_EARLIER.ordinal()];
    long notDone = byClaim[MergedPositions.Claim.NOT_DONE.ordinal()];
    if (earlier + notDone == 0) {
      return null;
    }
    List<String> why = new ArrayList<>(2);
    if (earlier > 0) {
      why.add(
          earlier + " redone elsewhere (an earlier directory finished them too, and counts them)");
    }
    if (notDone > 0) {
      why.add(
          notDone
              + " not confirmed (beyond the done ranges of its "
              + SourcePositions.FILE
              + ": replayed after its last checkpoint, or after its partition moved to another"
              + " worker)");
    }
    return (earlier + notDone) + " result lines left out: " + String.join(", ", why);
  }

  /**
   * Refuses to re-judge a worker's results that a crash cut off: re-judging reads whole runs (its
   * kept responses are cut too). Its ids are checked on the way, naming a bad line.
   */
  private static void refuseCut(Path dir, Path file) {
    String cut = ResultsFile.readRecoveringNumbered(file, (line, n) -> position(line, n, file));
    if (cut != null) {
      throw new BadInputException(
          "cannot re-judge "
              + dir
              + " with the rules given (--rules): "
              + cut
              + "; only a whole run can be re-judged, and this is a worker killed mid-run: merge"
              + " the workers by the rules they were judged by (without --rules)");
    }
  }

  /**
   * Copies the samples of {@code dir} whose ids {@code merged} takes; a samples file that cannot
   * be read (a killed worker's, cut in its first line) leaves its samples out, with a warning.
   */
  private static void copySamples(
      Path dir, Predicate<String> merged, SamplesFile samples, List<String> warnings) {
    Map<String, SamplesFile.Sample> read;
    try {
      read = SamplesFile.read(dir, warnings::add);
    } catch (RecordingException e) {
      warnings.add(e.getMessage() + " (its samples are left out of the merged run)");
      return;
    }
    for (SamplesFile.Sample s : read.values()) {
      if (merged.test(s.id())) {
        samples.add(s);
      }
    }
  }

  /**
   * Copies one input's kept responses into the merged run's as its result lines are read, in
   * step: the entry of a line merged moves to that line's place in the merged results, that of a
   * line left out is left out too. A file that cannot be read to its end line (a killed worker's
   * is cut off) leaves the merged run unable to be re-judged, with a warning.
   */
  private static final class ResponsesCopy implements AutoCloseable {
    private final ResponsesFile kept;
    private final List<String> warnings;
    private ResponsesFile.Reader in; // null once it could not be read

    ResponsesCopy(Path dir, ResponsesFile kept, List<String> warnings) {
      this.kept = kept;
      this.warnings = warnings;
      try {
        in = ResponsesFile.Reader.open(dir.resolve(RunDirectory.RESPONSES));
      } catch (RecordingException e) {
        unreadable(e);
      }
    }

    /**
     * The input's result line {@code index}, of exchange {@code id}, is the merged run's line
     * {@code at}, or -1: left out.
     */
    void line(long index, String id, long at) throws IOException {
      try {
        for (ResponsesFile.Entry e = in == null ? null : in.peek();
            e != null && e.line() <= index;
            e = in.peek()) {
          in.next();
          // matched as re-judging matches them: by line, and the same exchange
          if (e.line() == index && e.id().equals(id) && at >= 0) {
            kept.write(e.at(at));
          }
        }
      } catch (RecordingException e) {
        unreadable(e);
      }
    }

    /** Reads on to the end line, and counts what the input left out or failed to keep. */
    void finish() {
      if (in == null) {
        return;
      }
      try {
        ResponsesFile.End end = in.drain();
        kept.leftOut(end.leftOut());
        kept.failed(end.failed());
      } catch (RecordingException e) {
        unreadable(e);
      }
    }

    private void unreadable(RecordingException e) {
      warnings.add("the merged run cannot be re-judged with other rules: " + e.getMessage());
      kept.failed(1);
      close();
    }

    @Override
    public void close() {
      if (in != null) {
        in.close();
        in = null;
      }
    }
  }
}
