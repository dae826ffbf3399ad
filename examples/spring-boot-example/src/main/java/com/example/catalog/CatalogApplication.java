package com.example.catalog;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The "new system": a catalog API that replaces a legacy one and must answer its traffic the way
 * it did. {@code mvn spring-boot:run} serves it on port 8080.
 */
@SpringBootApplication
public class CatalogApplication {

  public static void main(String[] args) {
    SpringApplication.run(CatalogApplication.class, args);
  }
}
