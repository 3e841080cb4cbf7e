package org.avsnode.contracts.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/** Reads and writes deployment JSON files, validating every field. */
public final class DeploymentJson {
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private DeploymentJson() {}

  public static String toJson(Deployment d) {
    try {
      return MAPPER.writeValueAsString(validate(d));
    } catch (JsonProcessingException e) {
      throw new DeploymentException("cannot serialise deployment: " + e.getOriginalMessage(), e);
    }
  }

  public static Deployment fromJson(String json) {
    Deployment d;
    try {
      d = MAPPER.readValue(json, Deployment.class);
    } catch (JsonProcessingException e) {
      throw new DeploymentException("malformed deployment JSON: " + e.getOriginalMessage(), e);
    } catch (RuntimeException e) {
      throw new DeploymentException("malformed deployment JSON: " + e.getMessage(), e);
    }
    return validate(d);
  }

  /** Writes atomically (temporary file, then rename). */
  public static void write(Deployment d, Path file) {
    String json = toJson(d);
    try {
      Path abs = file.toAbsolutePath();
      Files.createDirectories(abs.getParent());
      Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
      Files.writeString(tmp, json + "\n");
      Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new DeploymentException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  public static Deployment read(Path file) {
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new DeploymentException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return fromJson(json);
  }

  static Deployment validate(Deployment d) {
    if (d.version() != Deployment.VERSION) {
      throw new DeploymentException("unsupported deployment version " + d.version());
    }
    if (d.chainId() <= 0) {
      throw new DeploymentException("chainId must be positive");
    }
    if (d.deploymentBlock() < 0) {
      throw new DeploymentException("deploymentBlock must not be negative");
    }
    if (d.epochLength() <= 0 || d.epochLength() > 0xffffffffL) {
      throw new DeploymentException("epochLength must be in 1..2^32-1");
    }
    if (d.maxEpochAge() < 0 || d.maxEpochAge() > 0xffffffffL) {
      throw new DeploymentException("maxEpochAge must be in 0..2^32-1");
    }
    if (d.operatorSetId() < 0 || d.operatorSetId() > 0xffffffffL) {
      throw new DeploymentException("operatorSetId must be a uint32");
    }
    if (d.thresholdBps() <= 0 || d.thresholdBps() > 10_000) {
      throw new DeploymentException("thresholdBps must be in 1..10000");
    }
    address("deployer", d.deployer());
    Deployment.Contracts c = d.contracts();
    address("testToken", c.testToken());
    address("strategy", c.strategy());
    address("delegationManager", c.delegationManager());
    address("strategyManager", c.strategyManager());
    address("allocationManager", c.allocationManager());
    address("avsRegistry", c.avsRegistry());
    address("finalityOracle", c.finalityOracle());
    address("slashingCoordinator", c.slashingCoordinator());
    address("outputOracle", c.outputOracle());
    if (c.verdictOracle() != null) {
      address("verdictOracle", c.verdictOracle());
    }
    if (c.disputeGameFactory() != null) {
      address("disputeGameFactory", c.disputeGameFactory());
    }
    return d;
  }

  private static void address(String field, String value) {
    if (value == null || !ADDRESS.matcher(value).matches()) {
      throw new DeploymentException(field + " is not a 0x-prefixed 20-byte address: " + value);
    }
  }
}
