package org.avsnode.operator.app.slashing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.avsnode.bls.Hex;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.app.config.ConfigSupport;
import org.avsnode.operator.slashing.DatabaseInUseException;
import org.avsnode.operator.slashing.SlashingDomain;
import org.avsnode.operator.slashing.SlashingProtection;
import org.avsnode.operator.slashing.SlashingProtectionException;
import org.avsnode.operator.slashing.SlashingProtections;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Which slashing-protection database to open, and for which signing domain. The same option names
 * as {@code run}, so a node's config file and environment serve these commands too.
 */
public final class SlashingDbOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @picocli.CommandLine.Mixin org.avsnode.operator.app.config.DataPathOptions paths;

  @Option(
      names = "--slashing-protection-db-url",
      paramLabel = "JDBC_URL",
      description =
          "jdbc:postgresql://host:port/db for a shared database. Env:"
              + " AVS_SLASHING_PROTECTION_DB_URL. Default: the embedded database.")
  String dbUrl;

  @Option(
      names = "--db-user",
      paramLabel = "USER",
      description = "PostgreSQL user. Env: AVS_DB_USER.")
  String dbUser;

  @Option(
      names = "--db-password-file",
      paramLabel = "FILE",
      description = "File holding the PostgreSQL password. Env: AVS_DB_PASSWORD_FILE.")
  Path dbPasswordFile;

  @Option(
      names = "--deployment-file",
      paramLabel = "FILE",
      description =
          "Deployment JSON: its chain id and registry address name the signing domain."
              + " Env: AVS_DEPLOYMENT_FILE.")
  Path deploymentFile;

  @Option(
      names = "--chain-id",
      paramLabel = "ID",
      description = "The L1 chain id of the signing domain (instead of --deployment-file).")
  Long chainId;

  @Option(
      names = "--verifying-contract",
      paramLabel = "0xADDRESS",
      description =
          "The AVS registry address of the signing domain (instead of --deployment-file).")
  String verifyingContract;

  /** The EIP-712 domain the database belongs to. */
  SlashingDomain domain() {
    ConfigSupport.check(mixee);
    if (deploymentFile != null) {
      if (chainId != null || verifyingContract != null) {
        throw new UserException(
            "give either --deployment-file or --chain-id with --verifying-contract, not both");
      }
      if (!Files.isRegularFile(deploymentFile)) {
        throw new UserException("deployment file " + deploymentFile + " does not exist");
      }
      Deployment d;
      try {
        d = DeploymentJson.read(deploymentFile);
      } catch (RuntimeException e) {
        throw new UserException("deployment file " + deploymentFile + ": " + e.getMessage(), e);
      }
      return SlashingDomain.of(d.chainId(), address(d.contracts().avsRegistry()));
    }
    if (chainId == null || verifyingContract == null) {
      throw new UserException(
          "the signing domain is needed: --deployment-file, or --chain-id and"
              + " --verifying-contract");
    }
    if (chainId <= 0) {
      throw new UserException("--chain-id must be positive");
    }
    return SlashingDomain.of(chainId, address(verifyingContract));
  }

  /** Opens the database; every failure is one clear line. */
  SlashingProtection open() {
    SlashingDomain domain = domain();
    Properties props = new Properties();
    if (dbUser != null) {
      props.setProperty("user", dbUser);
    }
    if (dbPasswordFile != null) {
      try {
        props.setProperty(
            "password", Files.readString(dbPasswordFile, StandardCharsets.UTF_8).strip());
      } catch (IOException e) {
        throw new UserException("cannot read --db-password-file " + dbPasswordFile, e);
      }
    }
    try {
      return SlashingProtections.open(dbUrl, paths.dataPath(), domain, props);
    } catch (DatabaseInUseException e) {
      throw new UserException(
          "the slashing-protection database is in use by a running node; stop it first ("
              + e.getMessage()
              + ")",
          e);
    } catch (SlashingProtectionException e) {
      throw new UserException("slashing-protection database: " + e.getMessage(), e);
    }
  }

  private static byte[] address(String hex) {
    byte[] a;
    try {
      a = Hex.fromHex(hex);
    } catch (RuntimeException e) {
      throw new UserException("'" + hex + "' is not a hex address");
    }
    if (a.length != 20) {
      throw new UserException("'" + hex + "' is not a 20-byte address");
    }
    return a;
  }
}
