package org.avsnode.contracts.deploy;

import java.math.BigInteger;
import java.util.Objects;
import org.avsnode.contracts.bindings.ForcedInclusionQueue;
import org.avsnode.contracts.bindings.SequencerInbox;
import org.avsnode.contracts.bindings.SlashingCoordinator;
import org.avsnode.contracts.bindings.SlotSchedule;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.ContractGasProvider;

/**
 * Deploys the SQUAD contracts of one rollup next to an existing deployment: the slot schedule over
 * the deployment's operator set, the forced-inclusion queue and the sequencer inbox, wired to each
 * other (the inbox reports slot outcomes to the schedule and consumes the queue), with the first
 * {@code fixedEpochs} schedule epochs fixed. The inbox is also registered with the deployment's
 * slashing coordinator as the rollup's (evidence of broken preconfirmations is checked against it),
 * so {@code deployer} must be the deployment's deployer.
 */
public final class SquadDeployer {
  private SquadDeployer() {}

  /**
   * @param genesisTime unix time of slot 0
   * @param slotSeconds length of a slot
   * @param slotsPerEpoch slots per schedule epoch
   * @param backups ranked backups per slot
   * @param graceSeconds the leader's deadline is the slot's end plus this; backup k may commit from
   *     the slot's end plus k times this
   * @param dueAfter seconds after which a forced transaction is due
   * @param escapeAfter further seconds after which anyone may commit the due items
   * @param minFee the least fee a forced transaction pays (wei)
   * @param rollupId the rollup the inbox commits for
   * @param genesisBlockHash the L2 block the first commitment builds on
   * @param fixedEpochs schedule epochs to fix at once (1 to 3: epochs 0.. fixedEpochs-1)
   */
  public record Params(
      long genesisTime,
      long slotSeconds,
      long slotsPerEpoch,
      int backups,
      long graceSeconds,
      long dueAfter,
      long escapeAfter,
      BigInteger minFee,
      long rollupId,
      byte[] genesisBlockHash,
      int fixedEpochs) {
    public Params {
      Objects.requireNonNull(minFee, "minFee");
      if (genesisBlockHash == null || genesisBlockHash.length != 32) {
        throw new IllegalArgumentException("genesisBlockHash must be 32 bytes");
      }
      genesisBlockHash = genesisBlockHash.clone();
      if (slotSeconds < 1 || slotsPerEpoch < 1 || backups < 0 || fixedEpochs < 1) {
        throw new IllegalArgumentException("slotSeconds, slotsPerEpoch, fixedEpochs must be >= 1");
      }
      if (fixedEpochs > 3) {
        throw new IllegalArgumentException("at most 3 epochs can be fixed at deployment");
      }
    }

    @Override
    public byte[] genesisBlockHash() {
      return genesisBlockHash.clone();
    }
  }

  /** Addresses of a rollup's SQUAD contracts. */
  public record Squad(String schedule, String queue, String inbox, long genesisTime) {}

  /** Deploys and wires the contracts; blocks until every receipt is in. */
  public static Squad deploy(
      Web3j web3j, Credentials deployer, Deployment deployment, Params params) {
    TransactionManager tm = Chain.transactionManager(web3j, deployer, deployment.chainId(), 100);
    ContractGasProvider gas = Chain.gasProvider(web3j, Chain.DEFAULT_GAS_LIMIT);
    try {
      SlotSchedule schedule =
          SlotSchedule.deploy(
                  web3j,
                  tm,
                  gas,
                  deployment.contracts().avsRegistry(),
                  BigInteger.valueOf(deployment.operatorSetId()),
                  BigInteger.valueOf(params.genesisTime()),
                  BigInteger.valueOf(params.slotSeconds()),
                  BigInteger.valueOf(params.slotsPerEpoch()),
                  BigInteger.valueOf(params.backups()),
                  deployer.getAddress())
              .send();
      ForcedInclusionQueue queue =
          ForcedInclusionQueue.deploy(
                  web3j,
                  tm,
                  gas,
                  BigInteger.valueOf(params.dueAfter()),
                  BigInteger.valueOf(params.escapeAfter()),
                  params.minFee(),
                  deployer.getAddress())
              .send();
      SequencerInbox inbox =
          SequencerInbox.deploy(
                  web3j,
                  tm,
                  gas,
                  schedule.getContractAddress(),
                  deployment.contracts().avsRegistry(),
                  queue.getContractAddress(),
                  BigInteger.valueOf(deployment.operatorSetId()),
                  BigInteger.valueOf(params.rollupId()),
                  BigInteger.valueOf(params.graceSeconds()),
                  params.genesisBlockHash())
              .send();
      require(schedule.setReporter(inbox.getContractAddress()).send().isStatusOK(), "setReporter");
      require(queue.setInbox(inbox.getContractAddress()).send().isStatusOK(), "setInbox");
      require(
          SlashingCoordinator.load(deployment.contracts().slashingCoordinator(), web3j, tm, gas)
              .setSequencerInbox(BigInteger.valueOf(params.rollupId()), inbox.getContractAddress())
              .send()
              .isStatusOK(),
          "setSequencerInbox");
      for (int e = 0; e < params.fixedEpochs(); e++) {
        require(schedule.fixNextEpoch().send().isStatusOK(), "fixNextEpoch");
      }
      return new Squad(
          schedule.getContractAddress(),
          queue.getContractAddress(),
          inbox.getContractAddress(),
          params.genesisTime());
    } catch (DeploymentException e) {
      throw e;
    } catch (Exception e) {
      throw new DeploymentException("SQUAD deployment failed: " + e.getMessage(), e);
    }
  }

  private static void require(boolean ok, String what) {
    if (!ok) {
      throw new DeploymentException(what + " reverted");
    }
  }
}
