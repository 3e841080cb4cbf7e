package org.avsnode.operator.app;

/** A problem the operator can fix (bad flag, missing file, bad config): one line, exit code 2. */
public class UserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
