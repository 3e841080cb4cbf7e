package org.avsnode.operator.spi;

/**
 * Handles one HTTP route a duty mounted. Runs on the server's worker threads: it may block briefly
 * but long work belongs on the duty's own threads. Throw {@link HttpStatusException} for a client
 * error; any other exception becomes a 500 whose details stay in the log.
 */
@FunctionalInterface
public interface RouteHandler {
  RouteResponse handle(RouteRequest request) throws Exception;
}
