package org.avsnode.operator.spi;

/**
 * Ends a request with a status and a one-line reason, sent as {@code {"error": "<reason>"}}. The
 * reason is shown to the caller: never put secrets or internal state into it.
 */
public class HttpStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public HttpStatusException(int status, String reason) {
    super(reason);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("not an error status: " + status);
    }
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static HttpStatusException badRequest(String reason) {
    return new HttpStatusException(400, reason);
  }

  public static HttpStatusException notFound(String reason) {
    return new HttpStatusException(404, reason);
  }
}
