package org.avsnode.contracts.deploy;

/** A deployment failed, or a deployment file or key could not be read. */
public class DeploymentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DeploymentException(String message) {
    super(message);
  }

  public DeploymentException(String message, Throwable cause) {
    super(message, cause);
  }
}
