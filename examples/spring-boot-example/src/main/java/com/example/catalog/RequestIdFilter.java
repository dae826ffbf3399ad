package com.example.catalog;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request a fresh id, sent back as {@code X-Request-Id} and in some bodies: a value
 * that differs on every call, in the legacy system too, which the Shadow rules ignore.
 */
@Component
public class RequestIdFilter extends OncePerRequestFilter {

  static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String id = UUID.randomUUID().toString();
    request.setAttribute(ATTRIBUTE, id);
    response.setHeader("X-Request-Id", id);
    chain.doFilter(request, response);
  }

  static String of(HttpServletRequest request) {
    return (String) request.getAttribute(ATTRIBUTE);
  }
}
