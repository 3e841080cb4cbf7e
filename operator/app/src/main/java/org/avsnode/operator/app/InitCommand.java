package org.avsnode.operator.app;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.avsnode.bls.BlsSecretKey;
import org.avsnode.operator.app.keys.KeysCommand;
import org.avsnode.operator.keys.SecretFiles;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code operator init}: a new operator's keys and a commented configuration file, then the next
 * steps. Passwords come from files or a prompt, never from the command line.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Set up a new operator: create a BLS key and an ECDSA key in new keystores under"
          + " <data-path>/keys, and write a commented configuration file naming them. Prints the"
          + " next steps (fund, register, check, run).",
      "Passwords: --bls-password-file / --ecdsa-password-file, or typed at a prompt (twice, not"
          + " echoed), which init then keeps in <data-path>/secrets/*.pass (mode 0600) for `run`."
          + " Never on the command line. Refuses to overwrite anything."
    },
    usageHelpAutoWidth = true)
public final class InitCommand implements Callable<Integer> {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MIN_PASSWORD = KeysCommand.MIN_NEW_PASSWORD_LENGTH;

  @Spec CommandSpec spec;

  @Option(
      names = "--config-file",
      required = true,
      paramLabel = "FILE",
      description = "Where to write the configuration (must not exist), e.g. node.yaml.")
  Path configFile;

  @Option(
      names = "--data-path",
      paramLabel = "DIR",
      description = "The node's state: keys, slashing protection. Default: ~/.avs-operator.")
  Path dataPath;

  @Option(
      names = "--l1-rpc-url",
      paramLabel = "URL",
      description = "L1 JSON-RPC endpoint to write into the file (else left to fill in).")
  String l1RpcUrl;

  @Option(names = "--l1-chain-id", paramLabel = "ID", description = "L1 chain id to check.")
  Long l1ChainId;

  @Option(
      names = "--deployment-file",
      paramLabel = "FILE",
      description = "The AVS deployment's contract addresses (JSON).")
  Path deploymentFile;

  @Option(
      names = "--duties",
      split = ",",
      paramLabel = "DUTY",
      defaultValue = "mach,vital",
      description = "Duties to run. Default: ${DEFAULT-VALUE}.")
  List<String> duties;

  @Option(
      names = "--http-port",
      paramLabel = "PORT",
      defaultValue = "9000",
      description = "Port of the node API, status page and metrics (on 127.0.0.1). Default: 9000.")
  int httpPort;

  @Option(
      names = "--bls-password-file",
      paramLabel = "FILE",
      description = "Password of the new BLS keystore (else prompted).")
  Path blsPasswordFile;

  @Option(
      names = "--ecdsa-password-file",
      paramLabel = "FILE",
      description = "Password of the new ECDSA keystore (else prompted).")
  Path ecdsaPasswordFile;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Path data =
        (dataPath != null ? dataPath : Paths.get(System.getProperty("user.home"), ".avs-operator"))
            .toAbsolutePath()
            .normalize();
    Path config = configFile.toAbsolutePath().normalize();
    if (Files.exists(config)) {
      throw new UserException("the configuration file exists already: " + config);
    }
    if (httpPort < 0 || httpPort > 65_535) {
      throw new UserException("--http-port must be between 0 and 65535, got " + httpPort);
    }
    if (deploymentFile != null && !Files.isRegularFile(deploymentFile)) {
      throw new UserException("--deployment-file: no such file: " + deploymentFile);
    }
    if (config.getParent() != null && !Files.isDirectory(config.getParent())) {
      throw new UserException(
          "no such directory for the configuration file: " + config.getParent());
    }
    Path keys = data.resolve("keys");
    Path secrets = data.resolve("secrets");
    Path blsPass = passwordFile("BLS", blsPasswordFile, secrets.resolve("bls.pass"));
    Path ecdsaPass = passwordFile("ECDSA", ecdsaPasswordFile, secrets.resolve("ecdsa.pass"));

    SecretFiles.ensurePrivateDirectory(data);
    SecretFiles.ensurePrivateDirectory(keys);
    BlsSecretKey bls = BlsSecretKey.random(RANDOM);
    Path blsKeystore;
    String blsPublic;
    try {
      blsPublic = bls.publicKey().toHex();
      blsKeystore =
          KeysCommand.storeBls(
              spec, keys, bls, SecretFiles.readPassword(blsPass), KeysCommand.KdfChoice.scrypt);
    } finally {
      bls.destroy();
    }
    ECKeyPair ecdsa;
    try {
      ecdsa = Keys.createEcKeyPair(RANDOM);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a secp256k1 key", e);
    }
    Path ecdsaKeystore =
        KeysCommand.storeEcdsa(spec, keys, ecdsa, SecretFiles.readPassword(ecdsaPass));
    String address = Keys.toChecksumAddress(Keys.getAddress(ecdsa));

    Files.writeString(
        config,
        configText(data, blsKeystore, blsPass, ecdsaKeystore, ecdsaPass),
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE_NEW);
    try {
      Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r-----"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system
    }

    out.printf("%nconfiguration  %s%n", config);
    out.printf("operator       %s (ECDSA: signs L1 transactions)%n", address);
    out.printf("BLS key        %s (signs duty messages)%n", blsPublic);
    out.printf("data           %s%n", data);
    String cfg = "--config-file " + config;
    out.printf("%nNext steps:%n");
    int step = 1;
    if (l1RpcUrl == null || deploymentFile == null) {
      out.printf(
          "  %d. fill in %s in %s%n",
          step++,
          l1RpcUrl == null && deploymentFile == null
              ? "l1-rpc-url and deployment-file"
              : l1RpcUrl == null ? "l1-rpc-url" : "deployment-file",
          config);
    }
    out.printf(
        "  %d. fund %s with ETH on L1 for gas (registration, certificates)%n", step++, address);
    out.printf("  %d. have stake delegated to the operator, then register it:%n", step++);
    out.printf("       operator register %s%n", cfg);
    out.printf("  %d. check its standing:  operator status %s%n", step++, cfg);
    out.printf("  %d. run it:              operator run %s%n", step++, cfg);
    out.printf(
        "     then watch http://127.0.0.1:%d/status and scrape /metrics (monitoring/ has a Grafana"
            + " dashboard and alert rules)%n",
        httpPort);
    out.printf(
        "  Back up %s (keys and, once running, the slashing-protection database): never run one"
            + " key on two nodes.%n",
        data);
    out.flush();
    return 0;
  }

  /** The given password file (checked), or one written from a prompt. */
  private Path passwordFile(String what, Path given, Path keep) throws IOException {
    if (given != null) {
      String pw = SecretFiles.readPassword(given);
      checkLength(what, pw, "password file " + given);
      SecretFiles.warnIfLoose(given, "password file", spec.commandLine().getErr());
      return given.toAbsolutePath().normalize();
    }
    Console console = System.console();
    if (console == null) {
      throw new UserException(
          "no "
              + what
              + " password: give --"
              + what.toLowerCase(java.util.Locale.ROOT)
              + "-password-file FILE (a prompt needs a terminal)");
    }
    if (Files.exists(keep)) {
      throw new UserException("a password file exists already: " + keep);
    }
    char[] first =
        console.readPassword("%s keystore password (at least %d characters): ", what, MIN_PASSWORD);
    char[] again = console.readPassword("%s keystore password again: ", what);
    try {
      if (first == null || again == null || !Arrays.equals(first, again)) {
        throw new UserException("the two " + what + " passwords differ");
      }
      String pw = new String(first);
      checkLength(what, pw, "the prompt");
      SecretFiles.ensurePrivateDirectory(keep.getParent());
      SecretFiles.writeNewSecretFile(keep, (pw + "\n").getBytes(StandardCharsets.UTF_8));
      return keep;
    } finally {
      if (first != null) {
        Arrays.fill(first, '\0');
      }
      if (again != null) {
        Arrays.fill(again, '\0');
      }
    }
  }

  private static void checkLength(String what, String pw, String source) {
    if (pw.codePointCount(0, pw.length()) < MIN_PASSWORD) {
      throw new UserException(
          "the "
              + what
              + " password from "
              + source
              + " is too short (at least "
              + MIN_PASSWORD
              + " characters)");
    }
  }

  private String configText(
      Path data, Path blsKeystore, Path blsPass, Path ecdsaKeystore, Path ecdsaPass) {
    StringBuilder b = new StringBuilder();
    b.append("# AVS operator node configuration, written by `operator init`.\n");
    b.append("# Keys are the long option names of `operator run --help` without the dashes;\n");
    b.append("# a flag or an AVS_<OPTION> environment variable overrides a line here.\n\n");
    b.append("# The node's state: keys, slashing-protection database, duty cursors.\n");
    b.append("# Back it up; never delete it; never run the same keys from two data paths.\n");
    b.append("data-path: ").append(quote(data.toString())).append("\n\n");
    b.append("# L1 (the chain with the restaking contracts). Its path and credentials are never\n");
    b.append("# printed. l1-chain-id makes the node refuse an endpoint on another chain.\n");
    b.append(
        l1RpcUrl == null
            ? "# l1-rpc-url: https://l1.example.org\n"
            : "l1-rpc-url: " + quote(l1RpcUrl) + "\n");
    b.append(l1ChainId == null ? "# l1-chain-id: 1\n" : "l1-chain-id: " + l1ChainId + "\n");
    b.append("# The AVS deployment's contract addresses.\n");
    b.append(
        deploymentFile == null
            ? "# deployment-file: /etc/avs-operator/deployment.json\n"
            : "deployment-file: "
                + quote(deploymentFile.toAbsolutePath().normalize().toString())
                + "\n");
    b.append("\n# Duties: mach (fast-finality attestations), vital (output verification).\n");
    b.append("# Each duty's own settings: duty-option lines, e.g.\n");
    b.append(
        "#   duty-option: [\"mach.rollups=42=http://my-l2-node:8545\", \"vital.rollups=42=http://my-l2-node:8545\"]\n");
    b.append("duties: [").append(String.join(", ", duties)).append("]\n\n");
    b.append("# The node API (/eigen/node), status page (/status) and metrics (/metrics).\n");
    b.append("# Loopback only unless you change http-host; nothing there changes state.\n");
    b.append("http-host: 127.0.0.1\n");
    b.append("http-port: ").append(httpPort).append("\n");
    b.append("metrics-enabled: true\n\n");
    b.append("# Keys: keystores and the files holding their passwords (mode 0600, owned by the\n");
    b.append("# user the node runs as; `run` refuses files that others may read).\n");
    b.append("bls-keystore-file: ").append(quote(blsKeystore.toString())).append("\n");
    b.append("bls-password-file: ").append(quote(blsPass.toString())).append("\n");
    b.append("ecdsa-keystore-file: ").append(quote(ecdsaKeystore.toString())).append("\n");
    b.append("ecdsa-password-file: ").append(quote(ecdsaPass.toString())).append("\n\n");
    b.append("# Slashing protection: embedded H2 under data-path by default; for a database\n");
    b.append("# shared by redundant nodes: slashing-protection-db-url: jdbc:postgresql://...\n");
    b.append("# L1 blocks to wait before acting on an event.\n");
    b.append("confirmations: 2\n");
    return b.toString();
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
