package dev.shadowtest.replay;

import dev.shadowtest.core.BadInputException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Shard {@code index} of {@code count} (1-based, {@code --shard 2/4}): picks exchanges
 * deterministically by a hash of their id, so N jobs together replay every exchange exactly once.
 */
public record Shard(int index, int count) {

  public static final Shard ALL = new Shard(1, 1);

  public Shard {
    if (count < 1 || index < 1 || index > count) {
      throw new BadInputException("shard must be I/N with 1 <= I <= N, got " + index + "/" + count);
    }
  }

  /** Parses {@code "2/4"}. */
  public static Shard parse(String text) {
    String[] p = text.strip().split("/");
    try {
      if (p.length == 2) {
        return new Shard(Integer.parseInt(p[0].strip()), Integer.parseInt(p[1].strip()));
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new BadInputException("shard must look like 2/4 (shard 2 of 4), got \"" + text + "\"");
  }

  /** True when the exchange with {@code id} belongs to this shard. */
  public boolean includes(String id) {
    if (count == 1) {
      return true;
    }
    CRC32 crc = new CRC32();
    crc.update(id.getBytes(StandardCharsets.UTF_8));
    return crc.getValue() % count == index - 1;
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}
