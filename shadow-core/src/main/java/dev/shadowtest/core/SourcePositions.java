package dev.shadowtest.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What share of a partitioned source a run has finished: a Kafka topic read by a consumer group,
 * whose workers each replay some of its partitions. Per partition, the offsets the run is bounded
 * by ({@code from} inclusive, {@code until} exclusive, fixed when the group first read the
 * partition) and the ranges of offsets whose results this run has written durably. A run keeps it
 * in {@code positions.json} (docs/run-format.md); {@code shadow merge} takes each offset from one
 * run only, and tells which ranges no run finished.
 *
 * <p>The exchange at offset {@code o} of partition {@code p} has the id {@code "p@o"} ({@link
 * #id}), so results name their place in the source.
 *
 * @param stream     what was read: the topic
 * @param group      the consumer group: one run of the whole topic
 * @param partitionCount how many partitions the topic has (those no run read are missing)
 * @param partitions the partitions whose bounds the run knows, by number
 */
public record SourcePositions(
    String stream, String group, int partitionCount, List<Partition> partitions) {

  /** The file a run directory keeps them in. */
  public static final String FILE = "positions.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  public SourcePositions {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(group, "group");
    partitions = List.copyOf(partitions);
  }

  /**
   * One partition: the run's bounds and the ranges done.
   *
   * @param done ranges whose results are written, in increasing order, not overlapping
   */
  public record Partition(int partition, long from, long until, List<Range> done) {
    public Partition {
      done = List.copyOf(done);
    }
  }

  /** Offsets {@code from} (inclusive) to {@code until} (exclusive). */
  public record Range(long from, long until) {
    public boolean contains(long offset) {
      return offset >= from && offset < until;
    }

    @Override
    public String toString() {
      return from + "-" + (until - 1);
    }
  }

  /** The id of the exchange at {@code offset} of {@code partition}: {@code "3@1234"}. */
  public static String id(int partition, long offset) {
    return partition + "@" + offset;
  }

  /** The partition and offset an id of {@link #id} names, or null for any other id. */
  public static long[] place(String id) {
    int at = id.indexOf('@');
    if (at <= 0 || at == id.length() - 1 || at > 10) {
      return null;
    }
    try {
      long p = Long.parseLong(id, 0, at, 10);
      long o = Long.parseLong(id, at + 1, id.length(), 10);
      return p < 0 || p > Integer.MAX_VALUE || o < 0 ? null : new long[] {p, o};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Writes {@code positions.json} in {@code dir} (0600), replacing it atomically. */
  public void write(Path dir) {
    Path file = dir.resolve(FILE);
    ObjectNode root = JSON.createObjectNode();
    root.put("stream", stream);
    root.put("group", group);
    root.put("partitionCount", partitionCount);
    ArrayNode ps = root.putArray("partitions");
    for (Partition p : partitions) {
      ObjectNode n = ps.addObject();
      n.put("partition", p.partition());
      n.put("from", p.from());
      n.put("until", p.until());
      ArrayNode done = n.putArray("done");
      for (Range r : p.done()) {
        done.addArray().add(r.from()).add(r.until());
      }
    }
    Path temp = SecureFiles.temporarySibling(file);
    try {
      try (OutputStream out = SecureFiles.newOutputStream(temp)) {
        JSON.writerWithDefaultPrettyPrinter().writeValue(out, root);
      }
      SecureFiles.commit(temp, file);
    } catch (IOException e) {
      throw new RecordingException(file, 0, "cannot write: " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // the owner-only temporary file is left behind at worst
      }
    }
  }

  /** The positions {@code dir} keeps, or null when it keeps none (a run of a file). */
  public static SourcePositions read(Path dir) {
    Path file = dir.resolve(FILE);
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      if (!Files.exists(file)) {
        return null;
      }
      throw new RecordingException(file, 0, "cannot read: " + e.getMessage(), e);
    }
    try {
      List<Partition> partitions = new ArrayList<>();
      for (JsonNode n : required(root, "partitions", file)) {
        List<Range> done = new ArrayList<>();
        for (JsonNode r : required(n, "done", file)) {
          if (!r.isArray() || r.size() != 2 || !r.get(0).canConvertToLong()) {
            throw new RecordingException(file, 0, "done: expected [from, until] pairs");
          }
          done.add(new Range(r.get(0).asLong(), r.get(1).asLong()));
        }
        partitions.add(
            new Partition(
                required(n, "partition", file).asInt(),
                required(n, "from", file).asLong(),
                required(n, "until", file).asLong(),
                done));
      }
      return new SourcePositions(
          required(root, "stream", file).asText(),
          required(root, "group", file).asText(),
          required(root, "partitionCount", file).asInt(),
          partitions);
    } catch (IllegalArgumentException e) {
      throw new RecordingException(file, 0, e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode n, String field, Path file) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || v.isNull()) {
      throw new RecordingException(file, 0, "missing field \"" + field + "\"");
    }
    return v;
  }
}
