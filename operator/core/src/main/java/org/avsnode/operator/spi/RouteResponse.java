package org.avsnode.operator.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP response from a route.
 *
 * @param status HTTP status code
 * @param contentType media type of the body
 * @param body the bytes sent
 * @param headers extra response headers
 */
public record RouteResponse(
    int status, String contentType, byte[] body, Map<String, String> headers) {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final String APPLICATION_JSON = "application/json";

  public RouteResponse {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("bad status " + status);
    }
    Objects.requireNonNull(contentType, "contentType");
    body = body == null ? new byte[0] : body;
    headers = Map.copyOf(headers);
  }

  /** A JSON response; {@code value} is serialized with Jackson (records, maps, lists). */
  public static RouteResponse json(int status, Object value) {
    try {
      return new RouteResponse(status, APPLICATION_JSON, JSON.writeValueAsBytes(value), Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot serialize " + value.getClass().getName(), e);
    }
  }

  public static RouteResponse ok(Object value) {
    return json(200, value);
  }

  /** {@code {"error": message}} with the given status. */
  public static RouteResponse error(int status, String message) {
    return json(status, Map.of("error", message == null ? "" : message));
  }

  public static RouteResponse text(int status, String contentType, String text) {
    return new RouteResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  public static RouteResponse noContent() {
    return new RouteResponse(204, APPLICATION_JSON, new byte[0], Map.of());
  }

  /** A copy with one more header. */
  public RouteResponse withHeader(String name, String value) {
    Map<String, String> h = new java.util.LinkedHashMap<>(headers);
    h.put(name, value);
    return new RouteResponse(status, contentType, body, h);
  }
}
