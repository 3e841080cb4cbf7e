package org.avsnode.operator.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how the node's HTTP server listens.
 *
 * @param host interface to bind; {@code 127.0.0.1} unless the operator opens it up
 * @param port TCP port, 0 for a free one (read it with {@link NodeHttpServer#port()})
 * @param idleTimeout connections idle longer are closed
 */
public record HttpServerConfig(String host, int port, Duration idleTimeout) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9010;

  public HttpServerConfig {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("HTTP port " + port + " is not in 0..65535");
    }
    idleTimeout = idleTimeout == null ? Duration.ofSeconds(30) : idleTimeout;
  }

  public static HttpServerConfig loopback(int port) {
    return new HttpServerConfig(DEFAULT_HOST, port, null);
  }
}
