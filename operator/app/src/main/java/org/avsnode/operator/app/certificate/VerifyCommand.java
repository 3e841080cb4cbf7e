package org.avsnode.operator.app.certificate;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.avsnode.bls.eip712.Eip712Domain;
import org.avsnode.certificate.Certificate;
import org.avsnode.certificate.CertificateVerifier;
import org.avsnode.certificate.FormatException;
import org.avsnode.certificate.OperatorSetSnapshot;
import org.avsnode.certificate.RejectionReason;
import org.avsnode.certificate.VerificationResult;
import org.avsnode.certificate.VerifierPolicy;
import org.avsnode.contracts.deploy.Deployment;
import org.avsnode.contracts.deploy.DeploymentJson;
import org.avsnode.mach.chain.MachContracts;
import org.avsnode.operator.app.UserException;
import org.avsnode.operator.chain.L1Client;
import org.avsnode.operator.chain.L1Exception;
import org.avsnode.operator.chain.RetryPolicy;
import org.avsnode.operator.metrics.NoOpMetricsSystem;
import org.avsnode.operator.metrics.NodeMetrics;
import org.avsnode.operator.registry.NodeCertificateVerifier;
import org.avsnode.operator.registry.RegistryReader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code operator certificate verify}: checks a certificate JSON with the Java verifier library
 * against the operator set at its stake epoch, read from the registry contract or from a snapshot
 * file. Prints {@code VALID} or {@code INVALID <REASON>: <detail>}; exit 0 valid, 1 invalid, 2
 * usage.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a finality certificate (JSON) against the operator set at its stake epoch.",
      "The operator set comes from the registry (--rpc-url and --deployment) or from a snapshot"
          + " file (--operator-set with --chain-id and --verifying-contract).",
      "Prints VALID or INVALID with the reason; exit code 0 valid, 1 invalid, 2 usage error."
    },
    usageHelpAutoWidth = true)
public final class VerifyCommand implements Callable<Integer> {
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

  @Spec CommandSpec spec;

  @Option(
      names = "--certificate",
      required = true,
      paramLabel = "FILE",
      description = "The certificate JSON.")
  Path certificate;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @ArgGroup(exclusive = false, multiplicity = "1")
    Chain chain;

    @ArgGroup(exclusive = false, multiplicity = "1")
    SnapshotFile file;
  }

  static final class Chain {
    @Option(
        names = "--rpc-url",
        required = true,
        paramLabel = "URL",
        description = "L1 JSON-RPC endpoint to read the operator set from.")
    String rpcUrl;

    @Option(
        names = "--deployment",
        required = true,
        paramLabel = "FILE",
        description = "The deployment JSON (registry address, chain id, operator set id).")
    Path deployment;
  }

  static final class SnapshotFile {
    @Option(
        names = "--operator-set",
        required = true,
        paramLabel = "FILE",
        description = "Operator-set snapshot JSON at the certificate's stake epoch.")
    Path operatorSet;

    @Option(
        names = "--chain-id",
        required = true,
        paramLabel = "N",
        description = "EIP-712 domain chain id (the L1).")
    long chainId;

    @Option(
        names = "--verifying-contract",
        required = true,
        paramLabel = "0x..",
        description = "EIP-712 verifying contract (the AvsRegistry).")
    String verifyingContract;
  }

  @Option(
      names = "--min-threshold-bps",
      paramLabel = "BPS",
      description =
          "Lowest thresholdBps accepted. Default: the registry's threshold with --rpc-url, 6667"
              + " otherwise.")
  Integer minThresholdBps;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    String json = read(certificate, "--certificate");
    Certificate cert;
    try {
      cert = Certificate.fromJson(json);
    } catch (FormatException e) {
      return print(
          out, VerificationResult.rejected(RejectionReason.MALFORMED_CERTIFICATE, e.getMessage()));
    }
    if (source.chain != null) {
      Deployment d;
      try {
        d = DeploymentJson.read(source.chain.deployment);
      } catch (RuntimeException e) {
        throw new UserException("--deployment: " + e.getMessage(), e);
      }
      if (minThresholdBps != null && (minThresholdBps < 1 || minThresholdBps > 10_000)) {
        throw new UserException("--min-threshold-bps must be in 1..10000");
      }
      try (L1Client l1 =
          L1Client.http(
              source.chain.rpcUrl,
              Duration.ofSeconds(10),
              RetryPolicy.DEFAULT,
              new NodeMetrics(new NoOpMetricsSystem()))) {
        l1.verifyChainId(d.chainId());
        // the node's own verifier: the same code as POST /v1/certificates/verify
        NodeCertificateVerifier verifier =
            new NodeCertificateVerifier(
                new RegistryReader(l1, d.contracts().avsRegistry(), d.operatorSetId()),
                Eip712Domain.avsNode(
                    d.chainId(), MachContracts.address(d.contracts().avsRegistry())));
        return print(
            out,
            verifier.verify(
                json,
                minThresholdBps == null ? OptionalInt.empty() : OptionalInt.of(minThresholdBps)));
      } catch (L1Exception e) {
        throw new UserException("--rpc-url: " + e.getMessage(), e);
      }
    }
    OperatorSetSnapshot snapshot;
    Eip712Domain domain;
    int minThreshold;
    {
      if (!ADDRESS.matcher(source.file.verifyingContract).matches()) {
        throw new UserException("--verifying-contract must be a 0x-prefixed 20-byte address");
      }
      if (source.file.chainId < 0) {
        throw new UserException("--chain-id must not be negative");
      }
      try {
        snapshot = OperatorSetSnapshot.fromJson(read(source.file.operatorSet, "--operator-set"));
      } catch (FormatException e) {
        throw new UserException("--operator-set: " + e.getMessage(), e);
      }
      domain =
          Eip712Domain.avsNode(
              source.file.chainId, MachContracts.address(source.file.verifyingContract));
      minThreshold = minThresholdBps != null ? minThresholdBps : VerifierPolicy.TWO_THIRDS_BPS;
    }
    if (minThreshold < 1 || minThreshold > 10_000) {
      throw new UserException("--min-threshold-bps must be in 1..10000");
    }
    return print(
        out,
        CertificateVerifier.verify(
            cert, snapshot, domain, VerifierPolicy.minimumThreshold(minThreshold)));
  }

  private static int print(PrintWriter out, VerificationResult r) {
    if (r.isValid()) {
      out.println("VALID");
      out.flush();
      return 0;
    }
    out.println("INVALID " + r.reason().map(Enum::name).orElse("?") + ": " + r.detail());
    out.flush();
    return 1;
  }

  private static String read(Path file, String option) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserException(option + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
