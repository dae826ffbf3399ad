package com.example.catalog;

import jakarta.servlet.http.HttpServletRequest;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The catalog API, as the legacy system served it:
 * <pre>
 * GET /api/items/{id}                       one item with its sale price; 404 problem JSON for an unknown id
 * GET /api/items?category=toys&amp;page=2       a page of 10 item summaries; 400 problem JSON for page &lt; 1
 * GET /api/categories                       the categories with their item counts
 * GET /api/health                           status and version
 * </pre>
 */
@RestController
@RequestMapping("/api")
public class CatalogController {

  static final int PAGE_SIZE = 10;
  private static final String PROBLEM_TYPES = "https://catalog.example.com/problems/";

  private final Catalog catalog;
  private final Pricing pricing;
  private final String version;

  public CatalogController(Catalog catalog, Pricing pricing, @Value("${catalog.version}") String version) {
    this.catalog = catalog;
    this.pricing = pricing;
    this.version = version;
  }

  public record Price(BigDecimal amount, BigDecimal listAmount, int discountPercent, String currency) {}

  public record ItemView(long id, String sku, String name, String category, Price price, boolean inStock,
      Instant servedAt) {}

  public record ItemSummary(long id, String sku, String name, boolean inStock) {}

  public record ItemPage(String category, int page, int size, int totalItems, int totalPages, List<ItemSummary> items,
      String requestId) {}

  public record CategoryView(String slug, String name, int itemCount) {}

  public record Health(String status, String version) {}

  @GetMapping("/items/{id}")
  public ItemView item(@PathVariable long id) {
    Item item = catalog.find(id).orElseThrow(
        () -> new CatalogProblem(HttpStatus.NOT_FOUND, "item-not-found", "Item not found", "No item with id " + id));
    Price price = new Price(pricing.salePrice(item), item.listPrice(), item.discountPercent(), "EUR");
    return new ItemView(item.id(), item.sku(), item.name(), item.category(), price, item.inStock(), Instant.now());
  }

  @GetMapping("/items")
  public ItemPage items(@RequestParam(required = false) String category, @RequestParam(defaultValue = "1") int page,
      HttpServletRequest request) {
    if (page < 1) {
      throw new CatalogProblem(HttpStatus.BAD_REQUEST, "bad-page", "Bad page", "page must be 1 or more, got " + page);
    }
    List<Item> matching = catalog.list(category);
    int from = Math.min((page - 1) * PAGE_SIZE, matching.size());
    List<ItemSummary> items = matching.subList(from, Math.min(from + PAGE_SIZE, matching.size())).stream()
        .map(i -> new ItemSummary(i.id(), i.sku(), i.name(), i.inStock()))
        .toList();
    int totalPages = (matching.size() + PAGE_SIZE - 1) / PAGE_SIZE;
    return new ItemPage(category, page, PAGE_SIZE, matching.size(), totalPages, items, RequestIdFilter.of(request));
  }

  @GetMapping("/categories")
  public List<CategoryView> categories() {
    return catalog.categories().entrySet().stream()
        .map(CatalogController::category)
        .toList();
  }

  @GetMapping("/health")
  public Health health() {
    return new Health("UP", version);
  }

  /** RFC 9457 problem JSON, written here rather than by Boot's /error page so that MockMvc sees it too. */
  @ExceptionHandler
  public ResponseEntity<ProblemDetail> problem(CatalogProblem e, HttpServletRequest request) {
    ProblemDetail body = ProblemDetail.forStatusAndDetail(e.status, e.getMessage());
    body.setType(URI.create(PROBLEM_TYPES + e.type));
    body.setTitle(e.title);
    body.setInstance(URI.create(request.getRequestURI()));
    body.setProperty("requestId", RequestIdFilter.of(request));
    return ResponseEntity.status(e.status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(body);
  }

  private static CategoryView category(Map.Entry<String, Integer> e) {
    String slug = e.getKey();
    return new CategoryView(slug, Character.toUpperCase(slug.charAt(0)) + slug.substring(1), e.getValue());
  }

  static final class CatalogProblem extends RuntimeException {
    final HttpStatus status;
    final String type;
    final String title;

    CatalogProblem(HttpStatus status, String type, String title, String detail) {
      super(detail);
      this.status = status;
      this.type = type;
      this.title = title;
    }
  }
}
