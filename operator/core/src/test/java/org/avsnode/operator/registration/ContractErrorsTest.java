package org.avsnode.operator.registration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

class ContractErrorsTest {
  private static String selector(String sig) {
    return Numeric.toHexString(Hash.sha3(sig.getBytes(StandardCharsets.US_ASCII))).substring(0, 10);
  }

  private static String word(String hexNoPrefix) {
    return "0".repeat(64 - hexNoPrefix.length()) + hexNoPrefix;
  }

  @Test
  void theShippedAbisNameTheRegistrationErrors() {
    ContractErrors e = ContractErrors.shipped();
    assertThat(e.size()).isGreaterThan(20);
    assertThat(e.describe(selector("OperatorKeyMismatch()"))).contains("OperatorKeyMismatch()");
    assertThat(e.name(selector("InsufficientMagnitude()"))).contains("InsufficientMagnitude");
    assertThat(e.describe(selector("AlreadyMemberOfSet()"))).contains("AlreadyMemberOfSet()");
  }

  @Test
  void decodesStaticArguments() {
    String owner = "00000000000000000000000000000000000000aa";
    String data = selector("KeyAlreadyRegistered(address)") + word(owner);
    assertThat(ContractErrors.shipped().describe(data))
        .contains("KeyAlreadyRegistered(0x" + owner + ")");
    String data2 = selector("InvalidRegistrationData(uint256)") + word("17f");
    assertThat(ContractErrors.shipped().describe(data2)).contains("InvalidRegistrationData(383)");
    String data3 = selector("NotRegistered(address,uint32)") + word("ab") + word("7");
    assertThat(ContractErrors.shipped().describe(data3))
        .contains("NotRegistered(0x00000000000000000000000000000000000000ab, 7)");
  }

  @Test
  void errorStringPanicAndUnknownData() {
    String reason = "nope";
    String data =
        "0x08c379a0"
            + word("20")
            + word(Integer.toHexString(reason.length()))
            + Numeric.toHexStringNoPrefix(reason.getBytes(StandardCharsets.US_ASCII))
            + "0".repeat(64 - 2 * reason.length());
    assertThat(ContractErrors.shipped().describe(data)).contains("Error(\"nope\")");
    assertThat(ContractErrors.shipped().describe("0x4e487b71" + word("11")))
        .contains("Panic(0x11)");
    assertThat(ContractErrors.shipped().describe("0xdeadbeef"))
        .get()
        .asString()
        .startsWith("unknown error 0xdeadbeef");
  }

  @Test
  void malformedOrMissingDataNeverThrows() {
    ContractErrors e = ContractErrors.shipped();
    assertThat(e.describe(null)).isEmpty();
    assertThat(e.describe("0x")).isEmpty();
    assertThat(e.describe("0xzz")).get().asString().startsWith("revert data");
    assertThat(e.describe("0x123")).get().asString().startsWith("revert data");
    // a known selector with truncated arguments
    assertThat(e.describe(selector("KeyAlreadyRegistered(address)")))
        .contains("KeyAlreadyRegistered(?)");
    // Error(string) with a length beyond the data
    assertThat(e.describe("0x08c379a0" + word("20") + word("ffff"))).contains("Error(\"?\")");
    assertThat(e.name(null)).isEmpty();
    assertThat(e.name("0x12")).isEmpty();
  }
}
