package org.avsnode.certificate;

/**
 * Input that is not a well-formed certificate or operator-set snapshot: broken JSON, a missing or
 * unknown field, a value of the wrong type, bad hex, a wrong length, a number out of range. The
 * message names the offending field with a JSON path such as {@code $.message.l2BlockHash}.
 */
public final class FormatException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String path;

  public FormatException(String path, String message) {
    super(path + ": " + message);
    this.path = path;
  }

  public FormatException(String path, String message, Throwable cause) {
    super(path + ": " + message, cause);
    this.path = path;
  }

  /** The JSON path of the offending value ({@code $} for the document itself). */
  public String path() {
    return path;
  }
}
