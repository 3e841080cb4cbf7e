package org.avsnode.operator.app;

/** Entry point of the {@code operator} binary. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code: 0 ok, 1 failure or bug, 2 usage error. */
  public static int run(String... args) {
    return OperatorCommand.commandLine().execute(args);
  }
}
