package org.avsnode.operator.app.config;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.avsnode.operator.app.OperatorCommand;
import picocli.CommandLine;

/** Runs the operator command line in-process with captured output and a given environment. */
public final class Cli {
  private Cli() {}

  /** Exit code, standard output and standard error of one run. */
  public record Result(int code, String out, String err) {
    /** The non-empty lines of standard error. */
    public java.util.List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  public static Result run(String... args) {
    return run(Map.of(), args);
  }

  public static Result run(Map<String, String> env, String... args) {
    CommandLine cl = OperatorCommand.commandLine();
    ConfigSupport.useEnvironment(cl, env);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
