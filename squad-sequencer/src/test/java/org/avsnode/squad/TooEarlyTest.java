package org.avsnode.squad;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.avsnode.operator.chain.L1RpcErrorException;
import org.avsnode.operator.registration.ContractErrors;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;

/**
 * A commitment whose estimate reverts with the inbox's {@code TooEarlyForRank} (L1's clock behind
 * the node's) is tried again; every other revert is not.
 */
class TooEarlyTest {

  @Test
  void theSelectorIsTheInboxsError() throws Exception {
    String signature = "TooEarlyForRank(uint64,uint8,uint64)";
    assertThat(ContractErrors.shipped().name(Hash.sha3String(signature).substring(0, 10)))
        .contains("TooEarlyForRank");
    Path inbox =
        Paths.get(
            "..", "eigen-contracts", "src", "main", "solidity", "squad", "SequencerInbox.sol");
    assertThat(Files.readString(inbox, StandardCharsets.UTF_8))
        .contains("error TooEarlyForRank(uint64 slot, uint8 rank, uint64 opensAt);");
  }

  @Test
  void onlyTheTooEarlyRevertIsRecognised() {
    String args =
        "0000000000000000000000000000000000000000000000000000000000000004"
            + "0000000000000000000000000000000000000000000000000000000000000001"
            + "000000000000000000000000000000000000000000000000000000006b14a9a4";
    // as anvil answers it: the revert data, and the selector in the message
    assertThat(
            SquadDuty.isTooEarly(
                new L1RpcErrorException(
                    "eth_estimateGas",
                    3,
                    "execution reverted: custom error 0x066e1aec: " + args,
                    "0x066e1aec" + args)))
        .isTrue();
    // a node that gives the data only
    assertThat(
            SquadDuty.isTooEarly(
                new L1RpcErrorException(
                    "eth_estimateGas", 3, "execution reverted", "0x066E1AEC" + args)))
        .isTrue();
    // TooLateForRank and a revert without data are not retried
    String late = Hash.sha3String("TooLateForRank(uint64,uint8,uint64)").substring(0, 10);
    assertThat(
            SquadDuty.isTooEarly(
                new L1RpcErrorException(
                    "eth_estimateGas", 3, "execution reverted: custom error " + late, late + args)))
        .isFalse();
    assertThat(
            SquadDuty.isTooEarly(
                new L1RpcErrorException("eth_estimateGas", 3, "execution reverted", null)))
        .isFalse();
  }
}
