package org.avsnode.operator.spi;

/**
 * Serves a stream of server-sent events (SSE, {@code text/event-stream}) on a GET route a duty
 * mounted with {@link HttpRoutes#stream}. The node keeps the connection, writes what the handler
 * sends through its {@link EventSink}, sends a keep-alive comment when idle, and closes the
 * subscription the handler returned when the client goes away, falls too far behind, or the node
 * stops.
 */
@FunctionalInterface
public interface EventStreamHandler {

  /**
   * Starts sending events for one client.
   *
   * @param request the GET request (path parameters, query, headers; no body)
   * @param sink where to send events; thread-safe, never blocks
   * @return what stops the events for this client; closed exactly once
   * @throws HttpStatusException to refuse the stream with a client error (e.g. a bad parameter)
   */
  AutoCloseable open(RouteRequest request, EventSink sink) throws Exception;

  /** Where a stream handler sends its events. */
  interface EventSink {

    /**
     * Queues one event. Returns false, dropping it, when the client is gone or too far behind: the
     * node then closes the stream and the handler's subscription.
     *
     * @param event the event name ({@code event:} field); letters, digits, '_' and '-'
     * @param id the event id ({@code id:} field), or null; one line
     * @param data the payload; may span lines
     */
    boolean send(String event, String id, String data);
  }
}
