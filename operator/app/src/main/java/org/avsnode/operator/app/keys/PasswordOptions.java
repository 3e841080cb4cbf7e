package org.avsnode.operator.app.keys;

import java.nio.file.Path;
import java.util.Map;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.keys.SecretFiles;
import picocli.CommandLine.Option;

/**
 * Where a keystore password comes from: a file or an environment variable, never the command line
 * (where every user of the machine could read it in the process list). A trailing line ending in
 * the file is not part of the password.
 */
public final class PasswordOptions {
  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      required = true,
      description = "File holding the keystore password (one line, UTF-8).")
  Path passwordFile;

  @Option(
      names = "--password-env",
      paramLabel = "NAME",
      required = true,
      description = "Name of the environment variable holding the keystore password.")
  String passwordEnv;

  /**
   * The password.
   *
   * @param env the environment to read {@code --password-env} from
   * @param err where to warn about a password file that group or others may read
   * @throws UserException for a missing file or variable, bad UTF-8 or an empty password
   */
  public String read(Map<String, String> env, java.io.PrintWriter err) {
    String password;
    if (passwordFile != null) {
      SecretFiles.warnIfLoose(passwordFile, "password file", err);
      password = readPasswordFile(passwordFile);
    } else {
      password = env.get(passwordEnv);
      if (password == null) {
        throw new UserException("environment variable " + passwordEnv + " is not set");
      }
      if (password.isEmpty()) {
        throw new UserException("environment variable " + passwordEnv + " is empty");
      }
    }
    return password;
  }

  /** Where the password came from, for messages. */
  public String source() {
    return passwordFile != null
        ? "password file " + passwordFile
        : "environment variable " + passwordEnv;
  }

  /**
   * The password in a password file: UTF-8, a trailing line ending is not part of it.
   *
   * @throws UserException for a missing or unreadable file, bad UTF-8 or an empty password
   */
  public static String readPasswordFile(Path file) {
    return SecretFiles.readPassword(file);
  }
}
