package org.avsnode.operator.app.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.config.NodeConfig;
import org.avsnode.operator.slashing.SlashingProtections;

/**
 * Builds each enabled duty's configuration section for {@code run}: what the node already knows
 * (contract addresses from the deployment file, the node's keystores, where slashing protection
 * lives), overridden by {@code --duty-option DUTY.KEY=VALUE} entries.
 */
final class DutyOptions {
  /** {@code mach.rollups=42=http://l2:8545}: the duty, the key, the value. */
  private static final Pattern ENTRY =
      Pattern.compile("([a-z][a-z0-9-]*)\\.([a-z][a-z0-9-]*)=(.*)");

  /** What splits a comma-joined list (environment, YAML list) into entries. */
  static final String SPLIT = ",(?=[a-z][a-z0-9-]*\\.[a-z][a-z0-9-]*=)";

  private DutyOptions() {}

  static Map<String, Map<String, String>> sections(NodeConfig node, List<String> entries) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String duty : node.duties()) {
      out.put(duty, new LinkedHashMap<>(defaults(duty, node)));
    }
    for (String e : entries == null ? List.<String>of() : entries) {
      Matcher m = ENTRY.matcher(e.strip());
      if (!m.matches()) {
        throw new UserException(
            "--duty-option '"
                + e
                + "' is not DUTY.KEY=VALUE (e.g. mach.rollups=42=http://l2:8545)");
      }
      Map<String, String> section = out.get(m.group(1));
      if (section == null) {
        throw new UserException(
            "--duty-option '"
                + e
                + "' names duty '"
                + m.group(1)
                + "', which is not enabled"
                + " (--duties "
                + String.join(",", node.duties())
                + ")");
      }
      section.put(m.group(2), m.group(3));
    }
    Map<String, Map<String, String>> frozen = new LinkedHashMap<>();
    out.forEach((k, v) -> frozen.put(k, Map.copyOf(v)));
    return Map.copyOf(frozen);
  }

  /** The node-provided part of a duty's section; a duty the node knows nothing about gets none. */
  private static Map<String, String> defaults(String duty, NodeConfig node) {
    Map<String, String> d = new LinkedHashMap<>();
    if (!duty.equals("mach")) {
      return d;
    }
    Deployment dep;
    try {
      dep = DeploymentJson.read(node.deploymentFile());
    } catch (RuntimeException e) {
      throw new UserException(
          "deployment file " + node.deploymentFile() + ": " + e.getMessage(), e);
    }
    d.put("registry", dep.contracts().avsRegistry());
    d.put("finality-oracle", dep.contracts().finalityOracle());
    d.put("slashing-coordinator", dep.contracts().slashingCoordinator());
    d.put("operator-set-id", Long.toString(dep.operatorSetId()));
    d.put("threshold-bps", Integer.toString(dep.thresholdBps()));
    NodeConfig.KeystoreRef bls =
        node.blsKey()
            .orElseThrow(
                () ->
                    new UserException(
                        "the mach duty signs with a BLS key: set --bls-keystore-file and"
                            + " --bls-password-file"));
    d.put("bls-keystore-file", bls.keystoreFile().toString());
    d.put("bls-password-file", bls.passwordFile().toString());
    NodeConfig.KeystoreRef ecdsa =
        node.ecdsaKey()
            .orElseThrow(
                () ->
                    new UserException(
                        "the mach duty needs the operator's ECDSA key (its address names the"
                            + " operator; aggregators submit with it): set --ecdsa-keystore-file"
                            + " and --ecdsa-password-file"));
    d.put("ecdsa-keystore-file", ecdsa.keystoreFile().toString());
    d.put("ecdsa-password-file", ecdsa.passwordFile().toString());
    if (node.slashingProtectionEmbedded()) {
      d.put(
          "slashing-protection-dir",
          SlashingProtections.embeddedDirectory(node.dataPath()).toString());
    } else if (node.slashingProtectionDbUrl().startsWith("jdbc:postgresql:")) {
      // shared by redundant instances; credentials: the URL's user plus ~/.pgpass or PGPASSFILE
      d.put("slashing-protection-db-url", node.slashingProtectionDbUrl());
    } else {
      throw new UserException(
          "run: --slashing-protection-db-url must be a jdbc:postgresql: URL or unset (the embedded"
              + " database under --data-path)");
    }
    return d;
  }
}
