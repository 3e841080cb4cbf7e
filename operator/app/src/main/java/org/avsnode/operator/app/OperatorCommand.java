package org.avsnode.operator.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.avsnode.operator.app.devnet.DevnetCommand;
import org.avsnode.operator.keys.KeyFileException;
import org.avsnode.operator.node.NodeStartException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code operator} command: subcommands only. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    versionProvider = OperatorCommand.Version.class,
    description =
        "Restaked AVS operator node: MACH fast finality, VITAL verification, SQUAD sequencing.",
    subcommands = {
      InitCommand.class,
      DevnetCommand.class,
      org.avsnode.operator.app.certificate.CertificateCommand.class,
      org.avsnode.operator.app.bls.BlsCommand.class,
      org.avsnode.operator.app.keys.KeysCommand.class,
      org.avsnode.operator.app.run.RunCommand.class,
      org.avsnode.operator.app.registration.RegisterCommand.class,
      org.avsnode.operator.app.registration.DeregisterCommand.class,
      org.avsnode.operator.app.registration.StatusCommand.class,
      org.avsnode.operator.app.slashing.SlashingProtectionCommand.class,
      CommandLine.HelpCommand.class
    },
    usageHelpAutoWidth = true)
public final class OperatorCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** The command line with the project's conventions: usage errors exit 2, failures exit 1. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new OperatorCommand());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof UserException
              || ex instanceof KeyFileException
              || ex instanceof NodeStartException) {
            commandLine.getErr().println("error: " + ex.getMessage());
            return 2;
          }
          commandLine.getErr().println("operator failed: " + ex);
          ex.printStackTrace(commandLine.getErr());
          return 1;
        });
    return cl;
  }

  /** The version the build wrote into the jar. */
  public static String version() {
    try (InputStream in = OperatorCommand.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Picocli's version provider. */
  public static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "operator " + version(),
        "JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        "OS: " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
      };
    }
  }
}
