package org.avsnode.contracts.deploy;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Where a deployment of the whole system lives: what {@link Deployer} writes and {@link
 * DeploymentJson} reads.
 *
 * @param version format version, currently 1
 * @param chainId the chain the contracts were deployed to
 * @param deploymentBlock the block of the first deployment transaction (start of log scans)
 * @param epochLength L1 blocks per stake epoch
 * @param maxEpochAge how many epochs a certificate's stakeEpoch may lag the current epoch
 * @param operatorSetId the operator set the finality oracle and slashing coordinator use
 * @param thresholdBps that set's stake threshold in basis points
 * @param deployer the deploying account (owner of the admin functions)
 * @param contracts the contract addresses
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record Deployment(
    @JsonProperty(value = "version", required = true) int version,
    @JsonProperty(value = "chainId", required = true) long chainId,
    @JsonProperty(value = "deploymentBlock", required = true) long deploymentBlock,
    @JsonProperty(value = "epochLength", required = true) long epochLength,
    @JsonProperty(value = "maxEpochAge", required = true) long maxEpochAge,
    @JsonProperty(value = "operatorSetId", required = true) long operatorSetId,
    @JsonProperty(value = "thresholdBps", required = true) int thresholdBps,
    @JsonProperty(value = "deployer", required = true) String deployer,
    @JsonProperty(value = "contracts", required = true) Contracts contracts) {

  public static final int VERSION = 1;

  public Deployment {
    Objects.requireNonNull(deployer, "deployer");
    Objects.requireNonNull(contracts, "contracts");
  }

  /** Addresses (0x-prefixed, 20 bytes) of the deployed contracts. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record Contracts(
      @JsonProperty(value = "testToken", required = true) String testToken,
      @JsonProperty(value = "strategy", required = true) String strategy,
      @JsonProperty(value = "delegationManager", required = true) String delegationManager,
      @JsonProperty(value = "strategyManager", required = true) String strategyManager,
      @JsonProperty(value = "allocationManager", required = true) String allocationManager,
      @JsonProperty(value = "avsRegistry", required = true) String avsRegistry,
      @JsonProperty(value = "finalityOracle", required = true) String finalityOracle,
      @JsonProperty(value = "slashingCoordinator", required = true) String slashingCoordinator,
      @JsonProperty(value = "outputOracle", required = true) String outputOracle,
      @JsonProperty(value = "verdictOracle") String verdictOracle,
      @JsonProperty(value = "disputeGameFactory") String disputeGameFactory) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public Contracts {}

    /** A deployment without a dispute game factory (as written before there was one). */
    public Contracts(
        String testToken,
        String strategy,
        String delegationManager,
        String strategyManager,
        String allocationManager,
        String avsRegistry,
        String finalityOracle,
        String slashingCoordinator,
        String outputOracle,
        String verdictOracle) {
      this(
          testToken,
          strategy,
          delegationManager,
          strategyManager,
          allocationManager,
          avsRegistry,
          finalityOracle,
          slashingCoordinator,
          outputOracle,
          verdictOracle,
          null);
    }

    /** VITAL's verdict oracle; absent in deployment files written before VITAL. */
    public java.util.Optional<String> verdictOracleAddress() {
      return java.util.Optional.ofNullable(verdictOracle);
    }

    /** The devnet rollup's dispute game factory (its second, fault-proof-shaped rollup). */
    public java.util.Optional<String> disputeGameFactoryAddress() {
      return java.util.Optional.ofNullable(disputeGameFactory);
    }
  }
}
