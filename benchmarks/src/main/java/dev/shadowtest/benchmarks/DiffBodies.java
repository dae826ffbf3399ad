package dev.shadowtest.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Deterministic JSON bodies for {@link DiffBenchmark}: the same seed always gives the same bytes.
 *
 * <p>{@link #orderPair} builds an order-like API response (a {@code meta} block with
 * {@code generatedAt}, a nested {@code customer} with address, geo point and loyalty block,
 * an array {@code items} of line objects with strings, integers, decimals, booleans, nulls, a
 * tag array and a nested attribute object, and a {@code summary}). Items are added until the
 * compact UTF-8 text reaches the requested size. The "actual" side is a copy with
 * {@link #CHANGED_VALUES} values changed in different subtrees ({@code $.customer.loyalty.tier},
 * one item's {@code inStock}, {@code $.summary.total}) and a different
 * {@code $.meta.generatedAt}, the field the benchmark ignores.
 *
 * <p>{@link #unorderedPair} builds an array of small objects {@code {"id":i,"name":"n"+i,"v":i*3}}
 * and a shuffled copy with one element's {@code v} changed.
 */
final class DiffBodies {

  static final long SEED = 0xD1FF_2026L;

  /** Values changed between the two sides of an order pair, besides the ignored {@code generatedAt}. */
  static final int CHANGED_VALUES = 3;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private static final String[] FIRST_NAMES = {
    "Ada", "Grace", "Linus", "Zoë", "José", "Ingrid", "Wei", "Amara", "Jürgen", "Olivia"
  };
  private static final String[] LAST_NAMES = {
    "Lovelace", "Hopper", "Müller", "Nakamura", "García", "O'Brien", "Svensson", "Okafor"
  };
  private static final String[] CITIES = {
    "Berlin", "Lisboa", "Osaka", "Malmö", "Lagos", "Toronto", "São Paulo"
  };
  private static final String[] COUNTRIES = {"DE", "PT", "JP", "SE", "NG", "CA", "BR"};
  private static final String[] PRODUCTS = {
    "Espresso machine", "Wool socks (3 pairs)", "USB-C cable 2 m", "Notebook A5, dotted",
    "Trail running shoes", "Cast-iron pan 28 cm", "Noise-cancelling headphones",
        "Desk lamp \"Aurora\"",
  };
  private static final String[] TAGS = {
    "new", "sale", "eco", "bestseller", "limited", "bundle", "gift"
  };
  private static final String[] COLORS = {"black", "white", "red", "navy", "olive", "sand"};
  private static final String[] SIZES = {"XS", "S", "M", "L", "XL"};
  private static final String[] TIERS = {"bronze", "silver", "gold", "platinum"};
  private static final String[] WAREHOUSES = {"FRA-1", "LIS-2", "KIX-1", "ARN-3"};

  /** An expected/actual pair as UTF-8 bytes. */
  record Pair(byte[] expected, byte[] actual) {}

  private DiffBodies() {}

  /**
   * An order response of at least {@code targetBytes} bytes (compact UTF-8; it stops at the
   * first item that reaches the size) and its changed copy.
   */
  static Pair orderPair(int targetBytes, long seed) {
    Random r = new Random(seed);
    ObjectNode root = NODES.objectNode();
    ObjectNode meta = root.putObject("meta");
    meta.put("requestId", "req-" + Long.toHexString(r.nextLong()));
    meta.put("generatedAt", "2026-11-25T10:15:30.123Z");
    meta.put("apiVersion", "2.4");
    meta.put("cached", false);
    meta.putNull("warnings");
    ObjectNode customer = root.putObject("customer");
    customer.put("id", 100_000 + r.nextInt(900_000));
    customer.put("name", pick(r, FIRST_NAMES) + " " + pick(r, LAST_NAMES));
    customer.put("email", "customer" + r.nextInt(10_000) + "@example.org");
    customer.put("vip", r.nextBoolean());
    int c = r.nextInt(CITIES.length);
    ObjectNode address = customer.putObject("address");
    address.put("street", (1 + r.nextInt(200)) + " Main Street");
    address.put("city", CITIES[c]);
    address.put("zip", String.format("%05d", r.nextInt(100_000)));
    address.put("country", COUNTRIES[c]);
    ObjectNode geo = address.putObject("geo");
    geo.put("lat", BigDecimal.valueOf(r.nextInt(180_000_000) - 90_000_000, 6));
    geo.put("lon", BigDecimal.valueOf(r.nextInt(360_000_000) - 180_000_000, 6));
    ObjectNode loyalty = customer.putObject("loyalty");
    loyalty.put("tier", TIERS[1]);
    loyalty.put("points", r.nextInt(50_000));
    loyalty.putNull("expiresAt");
    ArrayNode items = root.putArray("items");
    ObjectNode summary = root.putObject("summary");

    // Size without items, then add items (with their separating comma) until the target.
    int size = bytes(root).length;
    long subtotalCents = 0;
    int count = 0;
    do {
      ObjectNode item = item(r, count);
      items.add(item);
      size += bytes(item).length + (count > 0 ? 1 : 0);
      subtotalCents +=
          item.get("qty").intValue()
              * item.get("price").decimalValue().movePointRight(2).longValueExact();
      count++;
    } while (size < targetBytes - 120); // about 120 bytes of summary follow
    long taxCents = subtotalCents * 19 / 100;
    summary.put("count", count);
    summary.put("subtotal", BigDecimal.valueOf(subtotalCents, 2));
    summary.put("tax", BigDecimal.valueOf(taxCents, 2));
    summary.put("total", BigDecimal.valueOf(subtotalCents + taxCents, 2));
    summary.put("currency", "EUR");
    summary.put("paid", false);
    summary.putNull("couponCode");

    ObjectNode actual = root.deepCopy();
    ((ObjectNode) actual.get("meta")).put("generatedAt", "2026-11-25T10:15:30.987Z"); // ignored
    ((ObjectNode) actual.get("customer").get("loyalty")).put("tier", TIERS[2]);
    ObjectNode changedItem = (ObjectNode) actual.get("items").get(count / 2);
    changedItem.put("inStock", !changedItem.get("inStock").booleanValue());
    ((ObjectNode) actual.get("summary"))
        .put("total", BigDecimal.valueOf(subtotalCents + taxCents + 100, 2));
    return new Pair(bytes(root), bytes(actual));
  }

  private static ObjectNode item(Random r, int index) {
    ObjectNode item = NODES.objectNode();
    item.put("line", index + 1);
    item.put("sku", String.format("SKU-%06d", r.nextInt(1_000_000)));
    item.put("name", pick(r, PRODUCTS));
    item.put("qty", 1 + r.nextInt(5));
    item.put("price", BigDecimal.valueOf(199 + r.nextInt(30_000), 2));
    item.put("currency", "EUR");
    item.put("inStock", r.nextInt(10) > 0);
    if (r.nextInt(4) == 0) {
      item.put("discount", BigDecimal.valueOf(5 * (1 + r.nextInt(6)), 2));
    } else {
      item.putNull("discount");
    }
    ArrayNode tags = item.putArray("tags");
    for (int t = r.nextInt(4); t > 0; t--) {
      tags.add(pick(r, TAGS));
    }
    ObjectNode attributes = item.putObject("attributes");
    attributes.put("color", pick(r, COLORS));
    attributes.put("size", pick(r, SIZES));
    attributes.put("weightKg", BigDecimal.valueOf(50 + r.nextInt(5_000), 3));
    attributes.put("fragile", r.nextInt(8) == 0);
    ObjectNode fulfilment = item.putObject("fulfilment");
    fulfilment.put("warehouse", pick(r, WAREHOUSES));
    fulfilment.put("etaDays", 1 + r.nextInt(7));
    fulfilment.putNull("trackingId");
    return item;
  }

  /**
   * {@code [{"id":0,"name":"n0","v":0}, ...]} with {@code n} elements and a copy shuffled with
   * {@code seed} in which the element with id {@code n / 2} has {@code v} increased by one.
   */
  static Pair unorderedPair(int n, long seed) {
    ArrayNode expected = NODES.arrayNode(n);
    List<ObjectNode> shuffled = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      expected.add(element(i, i * 3));
      shuffled.add(element(i, i == n / 2 ? i * 3 + 1 : i * 3));
    }
    Collections.shuffle(shuffled, new Random(seed));
    ArrayNode actual = NODES.arrayNode(n);
    actual.addAll(shuffled);
    return new Pair(bytes(expected), bytes(actual));
  }

  private static ObjectNode element(int id, int v) {
    ObjectNode o = NODES.objectNode();
    o.put("id", id);
    o.put("name", "n" + id);
    o.put("v", v);
    return o;
  }

  private static String pick(Random r, String[] values) {
    return values[r.nextInt(values.length)];
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
